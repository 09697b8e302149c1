/**
 * Starting the Temporal dev server (`temporal server start-dev`) persisted to
 * a SQLite file, with its Web UI, and waiting until it answers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, closeSync } from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { searchAttributeFlags } from './serverSetup';
import { ToolchainError } from './paths';

export interface DevServerOptions {
  binary: string;
  /** SQLite file; omit for an in-memory server (tests). */
  dbFile?: string;
  port: number;
  uiPort?: number;
  namespace: string;
  logFile: string;
  /** Seconds to wait for the server to answer. */
  readyWithin?: number;
  /** More `start-dev` flags, e.g. `--dynamic-config-value KEY=JSON`. */
  extraArgs?: string[];
}

export interface DevServer {
  address: string;
  uiUrl?: string;
  process: ChildProcess;
  /** Stop the server and wait for it to exit (SIGTERM, then SIGKILL after a grace period). */
  stop(): Promise<void>;
}

function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export async function startDevServer(opts: DevServerOptions): Promise<DevServer> {
  mkdirSync(path.dirname(opts.logFile), { recursive: true });
  if (opts.dbFile) mkdirSync(path.dirname(opts.dbFile), { recursive: true });
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(opts.port), '--namespace', opts.namespace, '--log-level', 'warn'];
  if (opts.dbFile) args.push('--db-filename', opts.dbFile);
  if (opts.uiPort) args.push('--ui-port', String(opts.uiPort));
  else args.push('--headless');
  args.push(...searchAttributeFlags(), ...(opts.extraArgs ?? []));
  const log = openSync(opts.logFile, 'a');
  // Its own process group: Ctrl-C reaches `npm start`, which stops the worker first and the server last.
  const child = spawn(opts.binary, args, { stdio: ['ignore', log, log], detached: true });
  closeSync(log);
  let exited: string | undefined;
  const exit = new Promise<void>((resolve) =>
    child.on('exit', (code, signal) => {
      exited = signal ?? String(code);
      resolve();
    }),
  );
  const address = `127.0.0.1:${opts.port}`;
  const stop = async (): Promise<void> => {
    if (exited !== undefined) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exit;
    clearTimeout(killer);
  };
  const deadline = Date.now() + (opts.readyWithin ?? 60) * 1000;
  for (;;) {
    if (exited !== undefined) {
      throw new ToolchainError(`the Temporal dev server stopped at start (exit ${exited}); its log (${opts.logFile}) ends:\n${tail(opts.logFile)}`);
    }
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      await connection.workflowService.describeNamespace({ namespace: opts.namespace });
      await connection.close();
      break;
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new ToolchainError(`the Temporal dev server did not answer on ${address} within ${opts.readyWithin ?? 60}s; its log ends:\n${tail(opts.logFile)}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  return { address, uiUrl: opts.uiPort ? `http://127.0.0.1:${opts.uiPort}` : undefined, process: child, stop };
}
