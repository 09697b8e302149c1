/**
 * The Temporal CLI (`temporal`), which carries the dev server and its Web UI.
 *
 * Found, in order: TEMPORAL_CLI_PATH; `temporal` on PATH; this project's
 * cache; else built from Go modules (`go install`, TOOLCHAIN.md) into the
 * cache. v1.5.1 is the newest tag installable that way; older tags are
 * fallbacks.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { available, runWithProgress } from './run';
import { cacheDir, formatDuration, ToolchainError, type Log } from './paths';

export const CLI_VERSIONS = ['1.5.1', '1.4.1', '1.3.0'] as const;

function isTemporalCli(file: string): string | undefined {
  const r = spawnSync(file, ['--version'], { encoding: 'utf8', timeout: 30_000 });
  if (r.error || r.status !== 0) return undefined;
  return /temporal version/i.test(r.stdout) ? r.stdout.trim() : undefined;
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

function cached(env: NodeJS.ProcessEnv): string | undefined {
  for (const version of CLI_VERSIONS) {
    const file = path.join(cacheDir(env), `temporal-cli-${version}`, 'temporal');
    if (existsSync(file)) return file;
  }
  return undefined;
}

export interface Resolved {
  path: string;
  how: string;
}

/** Find the CLI without building anything; undefined if there is none yet. */
export function findTemporalCli(env: NodeJS.ProcessEnv = process.env): Resolved | undefined {
  const named = env.TEMPORAL_CLI_PATH;
  if (named) {
    if (!isTemporalCli(named)) throw new ToolchainError(`TEMPORAL_CLI_PATH=${named} is not a working Temporal CLI (\`${named} --version\` failed)`);
    return { path: named, how: 'TEMPORAL_CLI_PATH' };
  }
  const fromPath = onPath('temporal');
  if (fromPath && isTemporalCli(fromPath)) return { path: fromPath, how: 'on PATH' };
  const fromCache = cached(env);
  if (fromCache) return { path: fromCache, how: 'cached build' };
  return undefined;
}

/** Find the CLI, building it from Go modules the first time. */
export async function ensureTemporalCli(log: Log, env: NodeJS.ProcessEnv = process.env): Promise<Resolved> {
  const found = findTemporalCli(env);
  if (found) return found;
  if (!available('go')) {
    throw new ToolchainError(
      'Cannot start Temporal: there is no `temporal` binary (set TEMPORAL_CLI_PATH or put it on PATH) and no Go toolchain to build it from Go modules (install Go 1.22 or newer).',
    );
  }
  const failures: string[] = [];
  for (const version of CLI_VERSIONS) {
    const dir = path.join(cacheDir(env), `temporal-cli-${version}`);
    const staging = `${dir}.building-${process.pid}`;
    mkdirSync(staging, { recursive: true });
    log(`Building the Temporal CLI v${version} from Go modules into ${dir}`);
    log('  (first time only: about 5-10 minutes on 2 cores, mostly downloading and compiling; later runs use the cache)');
    const started = Date.now();
    const result = await runWithProgress(
      'go',
      ['install', '-ldflags', `-X github.com/temporalio/cli/temporalcli.Version=${version}`, `github.com/temporalio/cli/cmd/temporal@v${version}`],
      { env: { ...process.env, GOBIN: staging, CGO_ENABLED: '0' }, log, what: `building the Temporal CLI v${version}` },
    );
    if (result.ok && existsSync(path.join(staging, 'temporal'))) {
      rmSync(dir, { recursive: true, force: true });
      renameSync(staging, dir);
      log(`Built the Temporal CLI v${version} in ${formatDuration(Date.now() - started)}.`);
      return { path: path.join(dir, 'temporal'), how: `built v${version}` };
    }
    rmSync(staging, { recursive: true, force: true });
    const tail = result.output.trim().split('\n').slice(-15).join('\n');
    log(`Building v${version} failed:\n${tail}`);
    failures.push(`v${version}: ${tail}`);
  }
  const goEnv = spawnSync('go', ['env', 'GOPROXY', 'GOSUMDB', 'GOFLAGS'], { encoding: 'utf8' }).stdout.trim().replace(/\n/g, ' ');
  throw new ToolchainError(
    `Cannot build the Temporal CLI from Go modules (tried ${CLI_VERSIONS.map((v) => `v${v}`).join(', ')}; go env GOPROXY GOSUMDB GOFLAGS = ${goEnv}). Last error:\n${failures.at(-1)}`,
  );
}
