/**
 * A private, throwaway PostgreSQL cluster for tests: initdb in a temporary folder, started with
 * pg_ctl on a free port (listening on 127.0.0.1 only, trust authentication), removed at stop.
 * PostgreSQL refuses to run as root, so as root it runs as the `postgres` user (Debian's package
 * creates it) through runuser.
 */
import { execFile } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { findPostgres } from '../../src/toolchain/postgres';
import { freePort } from './processes';

const run = promisify(execFile);

export interface TestPostgres {
  /** postgres://postgres@127.0.0.1:<port>/<database> */
  url: string;
  port: number;
  stop(): Promise<void>;
}

async function asPostgres(bin: string, program: string, args: string[]): Promise<string> {
  const root = process.getuid?.() === 0;
  const [command, argv] = root ? ['runuser', ['-u', 'postgres', '--', path.join(bin, program), ...args]] : [path.join(bin, program), args];
  try {
    const { stdout } = await run(command, argv, { timeout: 120_000 });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${program} ${args.join(' ')} failed: ${e.stderr || e.message}`);
  }
}

export async function startPostgres(database = 'kscp_archive_test'): Promise<TestPostgres> {
  const bin = findPostgres();
  if (!bin) throw new Error('no PostgreSQL: run `npm run toolchain -- ensure` (npm test does it first) or install the Debian package postgresql');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kscp-pg-'));
  if (process.getuid?.() === 0) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: g } = await run('id', ['-g', 'postgres']);
    chownSync(dir, Number(stdout.trim()), Number(g.trim()));
  }
  const data = path.join(dir, 'data');
  const port = await freePort();
  await asPostgres(bin, 'initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-locale', '--no-sync']);
  await asPostgres(bin, 'pg_ctl', ['-D', data, '-l', path.join(dir, 'postgres.log'), '-w', '-t', '60', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start']);
  const url = `postgres://postgres@127.0.0.1:${port}/${database}`;
  const { Client } = await import('pg');
  const admin = new Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
  return {
    url,
    port,
    async stop() {
      await asPostgres(bin, 'pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
