/** Running the real `kscp` command and the real worker as subprocesses, as a user would. */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { REPO_ROOT } from './fixtures';
import { lineWriter } from './suiteLog';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** `kscp ...args` exactly as the installed `kscp` runs it (bin/kscp.js: the bundled command, from its code cache). */
export function kscp(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(REPO_ROOT, 'bin', 'kscp.js'), ...args], { env: { ...process.env, ...env, NO_COLOR: '1' }, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export interface Child {
  process: ChildProcess;
  output: () => string;
  waitForOutput(pattern: RegExp, ms?: number): Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * A long-running node script from dist/ (the worker, `npm start`), with its output kept for the
 * test to read and written to the test file's log (printed only if the file fails: suiteLog.ts).
 */
export function startNode(script: string, env: NodeJS.ProcessEnv): Child {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, script)], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const log = lineWriter(`${path.basename(script, '.js')} ${child.pid ?? '?'}`);
  const keep = (b: Buffer): void => {
    output += b.toString();
    log.write(b.toString());
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code, signal) => {
      log.end(`(exited: ${signal ?? `code ${code}`})`);
      resolve(code);
    }),
  );
  return {
    process: child,
    output: () => output,
    async waitForOutput(pattern, ms = 60_000) {
      const until = Date.now() + ms;
      while (!pattern.test(output)) {
        if (child.exitCode !== null) throw new Error(`${script} exited (${child.exitCode}) before printing ${pattern}:\n${output}`);
        if (Date.now() > until) throw new Error(`${script} did not print ${pattern} within ${ms / 1000}s:\n${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
