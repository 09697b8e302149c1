/**
 * A PostgreSQL cluster of its own for `npm run start:cluster`, from Debian's programs (initdb,
 * pg_ctl), kept in a folder that later runs reuse. PostgreSQL refuses to run as root: as root it
 * runs as the `postgres` user Debian's package creates (through runuser), otherwise as the current
 * user. It listens on 127.0.0.1 only, with no Unix socket, and asks every client for the password
 * set when the cluster was created (scram-sha-256).
 */
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { ToolchainError } from './paths';
import { tail } from './process';

const run = promisify(execFile);

export interface LocalPostgresOptions {
  /** Where initdb, pg_ctl and postgres are (src/toolchain/postgres.ts finds it). */
  binDir: string;
  /** PostgreSQL's folder: `data/` (the cluster) and `postgres.log`. */
  dir: string;
  port: number;
  /** The superuser created with the cluster, and its password. */
  user: string;
  password: string;
}

interface RunAs {
  name: string;
  uid: number;
  gid: number;
}

/** As root: the `postgres` user. Otherwise undefined: PostgreSQL runs as the current user. */
async function runAs(): Promise<RunAs | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
    const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
    return { name: 'postgres', uid, gid };
  } catch {
    throw new ToolchainError('PostgreSQL refuses to run as root and there is no `postgres` user to run it as: install the Debian package postgresql (it creates the user), or run as an ordinary user');
  }
}

/**
 * As root, PostgreSQL's own user must pass through `folders` (the data folder and the cluster's, which
 * are kept to their owner): each is given to its group with search permission only (mode 0710: it
 * can pass through, not list or read). Returns that group's id, or undefined when PostgreSQL runs as
 * the current user and nothing needs changing.
 */
export async function letPostgresThrough(folders: string[]): Promise<number | undefined> {
  const as = await runAs();
  if (!as) return undefined;
  for (const folder of folders) {
    const st = statSync(folder);
    if (st.gid !== as.gid) chownSync(folder, st.uid, as.gid);
    chmodSync(folder, (st.mode & 0o700) | 0o010);
  }
  return as.gid;
}

export class LocalPostgres {
  readonly dataDir: string;
  readonly logFile: string;

  constructor(readonly opts: LocalPostgresOptions) {
    this.dataDir = path.join(opts.dir, 'data');
    this.logFile = path.join(opts.dir, 'postgres.log');
  }

  get port(): number {
    return this.opts.port;
  }

  private async pg(program: string, args: string[], timeout = 120_000): Promise<string> {
    const as = await runAs();
    const bin = path.join(this.opts.binDir, program);
    const [command, argv] = as ? ['runuser', ['-u', as.name, '--', bin, ...args]] : [bin, args];
    try {
      return (await run(command, argv, { timeout })).stdout;
    } catch (err) {
      const e = err as { stderr?: string; stdout?: string; message: string };
      throw new ToolchainError(`${program} ${args.join(' ')} failed: ${(e.stderr || e.stdout || e.message).trim()}`);
    }
  }

  /** The postmaster's process id, if one is running on this folder. */
  pid(): number | undefined {
    try {
      const pid = Number(readFileSync(path.join(this.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      process.kill(pid, 0);
      return pid;
    } catch {
      return undefined;
    }
  }

  /** Create the cluster unless it exists; true when it was created. */
  async init(): Promise<boolean> {
    if (existsSync(path.join(this.dataDir, 'PG_VERSION'))) return false;
    const as = await runAs();
    mkdirSync(this.opts.dir, { recursive: true, mode: 0o700 });
    if (as) {
      chownSync(this.opts.dir, as.uid, as.gid);
      try {
        await run('runuser', ['-u', as.name, '--', 'test', '-w', this.opts.dir]);
      } catch {
        throw new ToolchainError(
          `PostgreSQL runs as the user ${as.name} (it refuses root) and cannot reach ${this.opts.dir}: a folder above the data folder does not let it through (a home folder such as /root is closed to other users); set KSCP_DATA_DIR to a folder outside it, or let it through (chmod o+x)`,
        );
      }
    }
    const pwFile = path.join(this.opts.dir, '.initdb-password');
    writeFileSync(pwFile, `${this.opts.password}\n`, { mode: 0o600 });
    if (as) chownSync(pwFile, as.uid, as.gid);
    try {
      await this.pg('initdb', ['-D', this.dataDir, '-U', this.opts.user, `--pwfile=${pwFile}`, '--auth=scram-sha-256', '--encoding=UTF8', '--no-locale']);
    } finally {
      rmSync(pwFile, { force: true });
    }
    return true;
  }

  /** Start it (pg_ctl detaches it from this process group) and wait until it accepts connections. */
  async start(): Promise<void> {
    if (this.pid() !== undefined) await this.stop('fast');
    chmodSync(this.opts.dir, 0o700);
    await this.pg('pg_ctl', [
      '-D',
      this.dataDir,
      '-l',
      this.logFile,
      '-w',
      '-t',
      '60',
      '-o',
      `-p ${this.opts.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=`,
      'start',
    ]).catch((err: Error) => {
      throw new ToolchainError(`${err.message}\nPostgreSQL's log (${this.logFile}) ends:\n${tail(this.logFile, 10)}`);
    });
  }

  /** Stop it: `fast` disconnects clients and shuts down cleanly; `immediate` is a crash (recovery at the next start). */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    if (this.pid() === undefined) return;
    await this.pg('pg_ctl', ['-D', this.dataDir, '-m', mode, '-w', '-t', '60', 'stop']);
  }
}
