/**
 * A tool from a Debian package, installed with apt-get when it is missing and this process may
 * (root on these machines); otherwise one sentence says what to install. Used for Chromium,
 * docker-compose and PostgreSQL, which tests need and no npm package can bring.
 */
import { available, runWithProgress } from './run';
import { ToolchainError, type Log } from './paths';

export interface DebianTool {
  /** The Debian package. */
  pkg: string;
  /** What it is called in messages ("Chromium"). */
  title: string;
  /** Where it is when installed, or undefined. */
  find: () => string | undefined;
  /** The sentence when it is missing and cannot be installed here (what needs it, what to install or set). */
  missing: string;
  /** What the first install says it is for, and roughly how long it takes. */
  installing: string;
  /** apt-get install options beyond `-y -q`. */
  aptOptions?: string[];
}

export async function ensureDebianTool(tool: DebianTool, log: Log): Promise<string> {
  const found = tool.find();
  if (found) return found;
  if (process.getuid?.() !== 0 || !available('apt-get', ['--version'])) throw new ToolchainError(tool.missing);
  log(tool.installing);
  const aptEnv = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = (): ReturnType<typeof runWithProgress> =>
    runWithProgress('apt-get', ['install', '-y', '-q', ...(tool.aptOptions ?? []), tool.pkg], { env: aptEnv, log, what: `installing ${tool.title}` });
  let result = await install();
  if (!result.ok) {
    // A fresh machine's package lists may be stale or empty: update once, then try again.
    await runWithProgress('apt-get', ['update', '-q'], { env: aptEnv, log, what: 'updating the package lists' });
    result = await install();
  }
  const installed = tool.find();
  if (!result.ok || !installed) throw new ToolchainError(`Cannot install ${tool.title} with apt-get:\n${result.output.trim().split('\n').slice(-10).join('\n')}`);
  return installed;
}
