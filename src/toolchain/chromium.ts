/**
 * Chromium for the browser tests, from Debian (`chromium`): test tools cannot download their own
 * browser here. Found at CHROMIUM_PATH or /usr/bin/chromium; installed with apt-get when missing
 * and this process may (root on these machines); otherwise one sentence says what to install.
 */
import { existsSync } from 'node:fs';
import { available, runWithProgress } from './run';
import { ToolchainError, type Log } from './paths';

export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = [env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => Boolean(p));
  return candidates.find((p) => existsSync(p));
}

export async function ensureChromium(log: Log, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const found = findChromium(env);
  if (found) return found;
  if (process.getuid?.() !== 0 || !available('apt-get', ['--version'])) {
    throw new ToolchainError('Cannot run the browser tests: Chromium is missing; install the Debian package `chromium` (sudo apt-get install chromium) or set CHROMIUM_PATH.');
  }
  log('Installing Chromium from Debian for the browser tests (first time only, under a minute) ...');
  const aptEnv = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let result = await runWithProgress('apt-get', ['install', '-y', '-q', 'chromium'], { env: aptEnv, log, what: 'installing Chromium' });
  if (!result.ok) {
    await runWithProgress('apt-get', ['update', '-q'], { env: aptEnv, log, what: 'updating the package lists' });
    result = await runWithProgress('apt-get', ['install', '-y', '-q', 'chromium'], { env: aptEnv, log, what: 'installing Chromium' });
  }
  const installed = findChromium(env);
  if (!result.ok || !installed) throw new ToolchainError(`Cannot install Chromium with apt-get:\n${result.output.trim().split('\n').slice(-10).join('\n')}`);
  return installed;
}
