/**
 * A long-running program of the local stack (a Temporal service, a worker), in its own process group
 * so that Ctrl-C reaches only `npm run start:cluster`, which stops everything in order. Its output
 * is appended to a log file; start() waits until it is ready (a port answers or a line appears in
 * its log) and fails with the end of the log if it stops first.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { ToolchainError } from './paths';

export interface ProcessSpec {
  /** What it is called in messages ("Temporal history service"). */
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  logFile: string;
  /** Ready when this port on 127.0.0.1 accepts a connection ... */
  readyPort?: number;
  /** ... or when its log (written since this start) matches. */
  readyLine?: RegExp;
  readyWithinMs?: number;
  /** On stop, how long after SIGTERM before SIGKILL. */
  stopGraceMs?: number;
}

export function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export function portAnswers(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, host);
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => (s.destroy(), resolve(false)));
  });
}

export class ManagedProcess {
  process: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private exitedWith: string | undefined;
  private stopping = false;
  /** Called when it stops without being asked to (crashed, killed from outside). */
  onUnexpectedExit: ((how: string) => void) | undefined;

  constructor(readonly spec: ProcessSpec) {}

  get pid(): number | undefined {
    return this.running ? this.process?.pid : undefined;
  }

  get running(): boolean {
    return this.process !== undefined && this.exitedWith === undefined;
  }

  async start(): Promise<void> {
    const { spec } = this;
    mkdirSync(path.dirname(spec.logFile), { recursive: true });
    const logStart = (() => {
      try {
        return statSync(spec.logFile).size;
      } catch {
        return 0;
      }
    })();
    const log = openSync(spec.logFile, 'a');
    const child = spawn(spec.command, spec.args, { env: spec.env, stdio: ['ignore', log, log], detached: true });
    closeSync(log);
    this.process = child;
    this.exitedWith = undefined;
    this.stopping = false;
    this.exited = new Promise((resolve) =>
      child.on('exit', (code, signal) => {
        this.exitedWith = signal ?? `exit ${code}`;
        if (!this.stopping) this.onUnexpectedExit?.(this.exitedWith);
        resolve();
      }),
    );
    const within = spec.readyWithinMs ?? 60_000;
    const deadline = Date.now() + within;
    for (;;) {
      if (this.exitedWith !== undefined) {
        throw new ToolchainError(`the ${spec.name} stopped at start (${this.exitedWith}); its log (${spec.logFile}) ends:\n${tail(spec.logFile)}`);
      }
      if (await this.isReady(logStart)) return;
      if (Date.now() > deadline) {
        await this.stop();
        throw new ToolchainError(`the ${spec.name} was not ready within ${within / 1000} s; its log (${spec.logFile}) ends:\n${tail(spec.logFile)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  private async isReady(logStart: number): Promise<boolean> {
    const { readyPort, readyLine, logFile } = this.spec;
    if (readyPort !== undefined && !(await portAnswers(readyPort))) return false;
    if (readyLine) {
      try {
        if (!readyLine.test(readFileSync(logFile).subarray(logStart).toString('utf8'))) return false;
      } catch {
        return false;
      }
    }
    return true;
  }

  /** Stop it and wait: SIGTERM (or `signal`), then SIGKILL after the grace period. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (!this.running) return;
    this.stopping = true;
    this.process!.kill(signal);
    const killer = setTimeout(() => this.process?.kill('SIGKILL'), this.spec.stopGraceMs ?? 10_000);
    await this.exited;
    clearTimeout(killer);
  }
}

/** A port nothing listens on now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** True when a server could listen on `port` of 127.0.0.1 now. */
export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/**
 * A free port from `from` up to (not including) `below`. Temporal keeps its services' membership
 * ports in a SMALLINT column, so they must be under 32768, below the range the OS hands out.
 */
export async function freePortBetween(from: number, below: number): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = from + Math.floor(Math.random() * (below - from));
    if (await portFree(port)) return port;
  }
  throw new ToolchainError(`no free port between ${from} and ${below - 1}`);
}
