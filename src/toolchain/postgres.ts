/**
 * PostgreSQL for the case archive's tests, from Debian (`postgresql`): the tests start a private,
 * throwaway cluster with its programs (initdb, pg_ctl), never the system's service. Found under
 * POSTGRES_BIN_DIR or /usr/lib/postgresql/<version>/bin (the newest); installed with apt-get when
 * missing and this process may (root on these machines); otherwise one sentence says what to install.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { ensureDebianTool } from './debian';
import type { Log } from './paths';

const hasPrograms = (dir: string): boolean => ['initdb', 'pg_ctl', 'postgres'].every((p) => existsSync(path.join(dir, p)));

/** The folder holding initdb, pg_ctl and postgres, or undefined. */
export function findPostgres(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.POSTGRES_BIN_DIR && hasPrograms(env.POSTGRES_BIN_DIR)) return env.POSTGRES_BIN_DIR;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => /^\d+(\.\d+)?$/.test(v))
    .sort((a, b) => Number(b) - Number(a));
  return versions.map((v) => path.join(root, v, 'bin')).find(hasPrograms);
}

export function ensurePostgres(log: Log, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  // The tests never use the package's own cluster (Debian may create and start one): each starts its own.
  return ensureDebianTool(
    {
      pkg: 'postgresql',
      title: 'PostgreSQL',
      find: () => findPostgres(env),
      missing: 'Cannot run the case archive tests: PostgreSQL is missing; install the Debian package `postgresql` (sudo apt-get install postgresql) or set POSTGRES_BIN_DIR.',
      installing: 'Installing PostgreSQL from Debian for the case archive tests (first time only, about a minute) ...',
    },
    log,
  );
}
