/**
 * The Temporal server on its own (`temporal-server`) and its schema tool (`temporal-sql-tool`), for
 * `npm run start:cluster` and the cluster tests: the production topology on PostgreSQL.
 *
 * Binaries, found in order: TEMPORAL_SERVER_PATH and TEMPORAL_SQL_TOOL_PATH; `temporal-server` and
 * `temporal-sql-tool` on PATH (the names in Temporal's images); this project's cache; else built
 * from Go modules (`go install go.temporal.io/server/cmd/server@v1.29.1` and `.../cmd/tools/sql`,
 * TOOLCHAIN.md) into the cache. A binary of another version is refused (from the environment) or
 * passed over (on PATH): the schema and the config template must be the server's own.
 *
 * The server's source (its config template `config/docker.yaml`, the one the temporalio/server
 * image renders, and the versioned schemas `schema/postgresql/v12`): TEMPORAL_SERVER_SOURCE_DIR,
 * else the Go module cache, else `go mod download`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { TEMPORAL_SERVER_VERSION } from './deployment';
import { available, runWithProgress } from './run';
import { cacheDir, formatDuration, ToolchainError, type Log } from './paths';

export interface TemporalServerTools {
  server: string;
  sqlTool: string;
  /** The server module's source folder: config/docker.yaml, config/dynamicconfig/, schema/postgresql/v12/. */
  source: string;
  how: string;
}

const MODULE = 'go.temporal.io/server';

function versionOf(file: string): string | undefined {
  const r = spawnSync(file, ['--version'], { encoding: 'utf8', timeout: 30_000 });
  if (r.error || r.status !== 0) return undefined;
  return /version (\d+\.\d+\.\d+)/.exec(r.stdout)?.[1];
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

function cachedIn(env: NodeJS.ProcessEnv): string {
  return path.join(cacheDir(env), `temporal-server-${TEMPORAL_SERVER_VERSION}`);
}

function isSource(dir: string): boolean {
  return existsSync(path.join(dir, 'config', 'docker.yaml')) && existsSync(path.join(dir, 'schema', 'postgresql', 'v12', 'temporal', 'versioned'));
}

/** The server module's source in the Go module cache, downloading it when Go can and `download` is set. */
function findSource(env: NodeJS.ProcessEnv, download: boolean): string | undefined {
  const named = env.TEMPORAL_SERVER_SOURCE_DIR;
  if (named) {
    if (!isSource(named)) throw new ToolchainError(`TEMPORAL_SERVER_SOURCE_DIR=${named} is not the Temporal server's source (no config/docker.yaml and schema/postgresql/v12 in it)`);
    return named;
  }
  if (!available('go')) return undefined;
  const modCache = spawnSync('go', ['env', 'GOMODCACHE'], { encoding: 'utf8' }).stdout.trim();
  const inCache = path.join(modCache, `${MODULE}@v${TEMPORAL_SERVER_VERSION}`);
  if (isSource(inCache)) return inCache;
  if (!download) return undefined;
  const r = spawnSync('go', ['mod', 'download', '-json', `${MODULE}@v${TEMPORAL_SERVER_VERSION}`], { encoding: 'utf8', timeout: 600_000 });
  const dir = r.status === 0 ? (JSON.parse(r.stdout) as { Dir?: string }).Dir : undefined;
  return dir && isSource(dir) ? dir : undefined;
}

function binary(env: NodeJS.ProcessEnv, variable: string, name: string): { path: string; how: string } | undefined {
  const named = env[variable];
  if (named) {
    const version = versionOf(named);
    if (version !== TEMPORAL_SERVER_VERSION) {
      throw new ToolchainError(`${variable}=${named} is not ${name} ${TEMPORAL_SERVER_VERSION} (\`${named} --version\` says ${version ?? 'nothing usable'})`);
    }
    return { path: named, how: variable };
  }
  const fromPath = onPath(name);
  if (fromPath && versionOf(fromPath) === TEMPORAL_SERVER_VERSION) return { path: fromPath, how: 'on PATH' };
  const cached = path.join(cachedIn(env), name);
  if (existsSync(cached)) return { path: cached, how: 'cached build' };
  return undefined;
}

/** Find the server, the schema tool and the server's source without building anything; undefined if any is missing. */
export function findTemporalServer(env: NodeJS.ProcessEnv = process.env): TemporalServerTools | undefined {
  const server = binary(env, 'TEMPORAL_SERVER_PATH', 'temporal-server');
  const sqlTool = binary(env, 'TEMPORAL_SQL_TOOL_PATH', 'temporal-sql-tool');
  if (!server || !sqlTool) return undefined;
  const source = findSource(env, false);
  if (!source) return undefined;
  return { server: server.path, sqlTool: sqlTool.path, source, how: server.how === sqlTool.how ? server.how : `${server.how}, ${sqlTool.how}` };
}

/** Find them, building the binaries from Go modules the first time (about 3 minutes with a warm Go cache). */
export async function ensureTemporalServer(log: Log, env: NodeJS.ProcessEnv = process.env): Promise<TemporalServerTools> {
  const found = findTemporalServer(env);
  if (found) return found;
  if (!available('go')) {
    throw new ToolchainError(
      `Cannot run Temporal on PostgreSQL: there is no temporal-server and temporal-sql-tool ${TEMPORAL_SERVER_VERSION} (set TEMPORAL_SERVER_PATH, TEMPORAL_SQL_TOOL_PATH and TEMPORAL_SERVER_SOURCE_DIR) and no Go toolchain to build them from Go modules (install Go 1.23 or newer).`,
    );
  }
  const have = { server: binary(env, 'TEMPORAL_SERVER_PATH', 'temporal-server'), sqlTool: binary(env, 'TEMPORAL_SQL_TOOL_PATH', 'temporal-sql-tool') };
  if (!have.server || !have.sqlTool) {
    const dir = cachedIn(env);
    const staging = `${dir}.building-${process.pid}`;
    mkdirSync(staging, { recursive: true });
    log(`Building the Temporal server v${TEMPORAL_SERVER_VERSION} and temporal-sql-tool from Go modules into ${dir}`);
    log('  (first time only: about 3 minutes on 2 cores once the Temporal CLI is built, longer on a cold Go cache; later runs use the cache)');
    const started = Date.now();
    const result = await runWithProgress(
      'go',
      ['install', `${MODULE}/cmd/server@v${TEMPORAL_SERVER_VERSION}`, `${MODULE}/cmd/tools/sql@v${TEMPORAL_SERVER_VERSION}`],
      { env: { ...process.env, GOBIN: staging, CGO_ENABLED: '0' }, log, what: `building the Temporal server v${TEMPORAL_SERVER_VERSION}` },
    );
    if (!result.ok || !existsSync(path.join(staging, 'server')) || !existsSync(path.join(staging, 'sql'))) {
      rmSync(staging, { recursive: true, force: true });
      const goEnv = spawnSync('go', ['env', 'GOPROXY', 'GOSUMDB', 'GOFLAGS'], { encoding: 'utf8' }).stdout.trim().replace(/\n/g, ' ');
      throw new ToolchainError(
        `Cannot build the Temporal server v${TEMPORAL_SERVER_VERSION} from Go modules (go env GOPROXY GOSUMDB GOFLAGS = ${goEnv}):\n${result.output.trim().split('\n').slice(-15).join('\n')}`,
      );
    }
    // The names Temporal's own images use.
    renameSync(path.join(staging, 'server'), path.join(staging, 'temporal-server'));
    renameSync(path.join(staging, 'sql'), path.join(staging, 'temporal-sql-tool'));
    rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir);
    log(`Built the Temporal server v${TEMPORAL_SERVER_VERSION} and temporal-sql-tool in ${formatDuration(Date.now() - started)}.`);
  }
  const source = findSource(env, true);
  if (!source) throw new ToolchainError(`Cannot find the Temporal server's source ${MODULE}@v${TEMPORAL_SERVER_VERSION} in the Go module cache (\`go mod download ${MODULE}@v${TEMPORAL_SERVER_VERSION}\` failed), which holds its config template and schemas; set TEMPORAL_SERVER_SOURCE_DIR`);
  const tools = findTemporalServer(env);
  if (!tools) throw new ToolchainError(`the Temporal server v${TEMPORAL_SERVER_VERSION} was built but cannot be found in ${cachedIn(env)}`);
  return tools.how === 'cached build' && !have.server ? { ...tools, how: `built v${TEMPORAL_SERVER_VERSION}` } : tools;
}

/** Paths inside the server's source that the cluster uses. */
export function serverSourcePaths(source: string): { configDir: string; dynamicConfig: string; schemaDir: string } {
  return {
    configDir: path.join(source, 'config'),
    dynamicConfig: path.join(source, 'config', 'dynamicconfig', 'docker.yaml'),
    schemaDir: path.join(source, 'schema', 'postgresql', 'v12'),
  };
}
