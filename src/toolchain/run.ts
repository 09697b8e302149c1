/** Running a build tool with progress lines, keeping its output for the error message. */
import { spawn, spawnSync } from 'node:child_process';
import { formatDuration, type Log } from './paths';

/** True when `command` can be run (it is on PATH, or is a path that exists). */
export function available(command: string, args: string[] = ['version']): boolean {
  const r = spawnSync(command, args, { stdio: 'ignore', timeout: 30_000 });
  return r.error === undefined && r.status === 0;
}

export interface RunResult {
  ok: boolean;
  output: string;
}

/** Run a long command, printing "still working" every `every` ms. */
export function runWithProgress(
  command: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; log: Log; what: string; every?: number },
): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr.on('data', (b: Buffer) => (output += b.toString()));
    const timer = setInterval(() => opts.log(`  ... still ${opts.what} (${formatDuration(Date.now() - started)} so far)`), opts.every ?? 30_000);
    const finish = (ok: boolean, extra = ''): void => {
      clearInterval(timer);
      resolve({ ok, output: output + extra });
    };
    child.on('error', (err) => finish(false, err.message));
    child.on('close', (code) => finish(code === 0));
  });
}
