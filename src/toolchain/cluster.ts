/**
 * The production topology on one machine (src/toolchain/deployment.ts describes it): PostgreSQL
 * from Debian, Temporal's schemas created or upgraded by deploy/temporal-schema.sh, the Temporal
 * server v1.29.1 as four processes (history, matching, frontend, worker: the services a real
 * cluster scales one by one) on the server's own config template, and the namespace and search
 * attributes set up by deploy/temporal-setup.sh. Used by `npm run start:cluster`, the cluster tests
 * and the cluster benchmark. Everything lives in one folder (`data/cluster/`) and a later start
 * reuses it.
 *
 * The services start one after another: started together on a new database, two of them race to
 * write the cluster's metadata and one stops.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { archiveUrl, DB_USER, namespaceJobEnvironment, schemaJobEnvironment, SETUP_SCRIPTS, temporalServerEnvironment, type Database } from './deployment';
import { letPostgresThrough, LocalPostgres } from './localPostgres';
import { ToolchainError, type Log } from './paths';
import { freePortBetween, ManagedProcess, portFree, tail } from './process';
import { runWithProgress } from './run';
import { serverSourcePaths, type TemporalServerTools } from './temporalServer';

/** The server's system.namespaceCacheRefreshInterval (its default, which config/dynamicconfig/docker.yaml keeps). */
const NAMESPACE_REFRESH_MS = 2_000;

/** In start order; stopped in the reverse order. */
export const SERVICES = ['history', 'matching', 'frontend', 'worker'] as const;
export type ServiceName = (typeof SERVICES)[number];

export interface ClusterOptions {
  tools: TemporalServerTools;
  /** The Temporal CLI, which deploy/temporal-setup.sh runs. */
  cli: string;
  /** PostgreSQL's programs (src/toolchain/postgres.ts). */
  postgresBin: string;
  /** The cluster's folder: PostgreSQL's data, the password, every log. */
  dir: string;
  /** The frontend's gRPC port: where clients connect. The other services' ports are picked free at each start. */
  frontendPort: number;
  postgresPort: number;
  namespace: string;
  retentionDays: number;
  /** The server's log level (LOG_LEVEL of its config template). */
  logLevel?: string;
  log: Log;
}

export interface TemporalCluster {
  /** host:port of the frontend. */
  address: string;
  postgres: LocalPostgres;
  database: Database;
  /** KSCP_ARCHIVE_URL for the workers. */
  archiveUrl: string;
  services: Record<ServiceName, ManagedProcess>;
  /** Stop the services (worker, frontend, matching, history), then PostgreSQL. */
  stop(): Promise<void>;
}

/** The database password, made at the first start and kept (readable by this user only). */
function databasePassword(dir: string): string {
  const file = path.join(dir, 'postgres-password');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const password = randomBytes(24).toString('base64url');
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return password;
}

async function runScript(script: string, env: NodeJS.ProcessEnv, logFile: string, what: string, log: Log): Promise<string> {
  const result = await runWithProgress('/bin/sh', [script], { env, log, what });
  writeFileSync(logFile, result.output);
  if (!result.ok) throw new ToolchainError(`${what} failed; its log (${logFile}) ends:\n${tail(logFile)}`);
  return result.output.trim().split('\n').at(-1) ?? '';
}

function serviceProcess(opts: ClusterOptions, name: ServiceName, env: NodeJS.ProcessEnv, port: number): ManagedProcess {
  const { configDir } = serverSourcePaths(opts.tools.source);
  return new ManagedProcess({
    name: `Temporal ${name} service`,
    command: opts.tools.server,
    args: ['--root', path.dirname(configDir), '--config', path.basename(configDir), '--env', 'docker', '--allow-no-auth', 'start', '--service', name],
    env,
    logFile: path.join(opts.dir, `temporal-${name}.log`),
    readyPort: port,
    readyWithinMs: 60_000,
    stopGraceMs: 15_000,
  });
}

/** Until the frontend answers and knows the namespace's search attributes (a new one takes a moment), and history owns its shards. */
async function waitForNamespace(address: string, namespace: string, withinMs: number): Promise<void> {
  const deadline = Date.now() + withinMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: 2_000 });
      try {
        await connection.workflowService.countWorkflowExecutions({ namespace, query: "KscpStage = 'CLOSED' AND KscpOverdue = false AND KscpRoute = 'lcspr' AND KscpNotifyingAgency = 'police' AND KscpNextDeadlineName = 'x' AND KscpNextDeadline > '2000-01-01T00:00:00Z'" });
        // The history service answers for its shards (not found), rather than "unavailable" while it takes them.
        const probe = await connection.workflowService.describeWorkflowExecution({ namespace, execution: { workflowId: 'kscp-cluster-readiness-probe' } }).then(
          () => 'found',
          (err: { code?: number }) => (err.code === 5 ? 'not found' : err),
        );
        if (typeof probe === 'string') return;
        throw probe;
      } finally {
        await connection.close();
      }
    } catch (err) {
      last = err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new ToolchainError(`Temporal at ${address} did not answer list queries on namespace ${namespace} within ${withinMs / 1000} s: ${(last as Error)?.message}`);
}

const PORT_NAMES = [
  'FRONTEND_HTTP_PORT',
  'FRONTEND_MEMBERSHIP_PORT',
  'HISTORY_GRPC_PORT',
  'HISTORY_MEMBERSHIP_PORT',
  'MATCHING_GRPC_PORT',
  'MATCHING_MEMBERSHIP_PORT',
  'WORKER_GRPC_PORT',
  'WORKER_MEMBERSHIP_PORT',
] as const;

/**
 * The services' own ports (settings of the config template), kept in ports.json and reused while
 * they are free: a restarted cluster then finds its members where the database says they were,
 * instead of waiting for those entries to expire. Membership ports live in a SMALLINT column, so
 * all are picked under 32768 (src/toolchain/process.ts).
 */
async function servicePorts(dir: string, frontendPort: number): Promise<Record<string, string>> {
  const file = path.join(dir, 'ports.json');
  let kept: Record<string, string> = {};
  try {
    kept = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  } catch {
    // First start, or an unreadable file: pick them all.
  }
  const ports: Record<string, string> = { FRONTEND_GRPC_PORT: String(frontendPort) };
  const taken = new Set([frontendPort]);
  for (const name of PORT_NAMES) {
    const old = Number(kept[name]);
    let port = old > 0 && old < 32_768 && !taken.has(old) && (await portFree(old)) ? old : 0;
    while (!port || taken.has(port)) port = await freePortBetween(20_000, 32_768);
    taken.add(port);
    ports[name] = String(port);
  }
  writeFileSync(file, JSON.stringify(ports, null, 2));
  return ports;
}

export async function startTemporalCluster(opts: ClusterOptions): Promise<TemporalCluster> {
  const { log } = opts;
  mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
  // As root PostgreSQL runs as its own user, which must pass through the data folder and this one.
  await letPostgresThrough([path.dirname(opts.dir), opts.dir]);
  const password = databasePassword(opts.dir);
  const postgres = new LocalPostgres({ binDir: opts.postgresBin, dir: path.join(opts.dir, 'postgres'), port: opts.postgresPort, user: DB_USER, password });
  if (await postgres.init()) log(`Created a PostgreSQL cluster in ${postgres.dataDir} (user ${DB_USER}; password in ${path.join(opts.dir, 'postgres-password')}).`);
  await postgres.start();
  const started: ManagedProcess[] = [];
  const stop = async (): Promise<void> => {
    for (const p of [...started].reverse()) await p.stop();
    await postgres.stop('fast');
  };
  try {
    const database: Database = { host: '127.0.0.1', port: opts.postgresPort, password };
    const { schemaDir, dynamicConfig } = serverSourcePaths(opts.tools.source);
    const schemaLast = await runScript(
      SETUP_SCRIPTS.schema,
      { ...process.env, ...schemaJobEnvironment(database, schemaDir), TEMPORAL_SQL_TOOL: opts.tools.sqlTool },
      path.join(opts.dir, 'schema.log'),
      'creating or upgrading Temporal\'s schemas (deploy/temporal-schema.sh)',
      log,
    );
    log(`${schemaLast} (deploy/temporal-schema.sh; log ${path.join(opts.dir, 'schema.log')})`);

    const ports = await servicePorts(opts.dir, opts.frontendPort);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...temporalServerEnvironment(database, '127.0.0.1'),
      ...ports,
      TEMPORAL_BROADCAST_ADDRESS: '127.0.0.1',
      DYNAMIC_CONFIG_FILE_PATH: dynamicConfig,
      LOG_LEVEL: opts.logLevel ?? 'warn',
    };
    // Ready when it listens: on its gRPC port, or (the worker service, which serves no gRPC) its membership port.
    const readyPort: Record<ServiceName, number> = {
      history: Number(ports.HISTORY_GRPC_PORT),
      matching: Number(ports.MATCHING_GRPC_PORT),
      frontend: opts.frontendPort,
      worker: Number(ports.WORKER_MEMBERSHIP_PORT),
    };
    const services = {} as Record<ServiceName, ManagedProcess>;
    for (const name of SERVICES) {
      const service = serviceProcess(opts, name, env, readyPort[name]);
      await service.start();
      started.push(service);
      services[name] = service;
    }
    const address = `127.0.0.1:${opts.frontendPort}`;
    const setupLast = await runScript(
      SETUP_SCRIPTS.namespace,
      { ...process.env, ...namespaceJobEnvironment(address, opts.namespace, opts.retentionDays), TEMPORAL_CLI: opts.cli },
      path.join(opts.dir, 'setup.log'),
      `setting up namespace ${opts.namespace} (deploy/temporal-setup.sh)`,
      log,
    );
    log(`${setupLast} (deploy/temporal-setup.sh)`);
    await waitForNamespace(address, opts.namespace, 60_000);
    if (/Search attributes have been added/.test(readFileSync(path.join(opts.dir, 'setup.log'), 'utf8'))) {
      // The frontend knows the new attributes; the history service learns them at its next namespace
      // refresh (system.namespaceCacheRefreshInterval, 2 s): until then it refuses a case's first upsert.
      await new Promise((r) => setTimeout(r, 2 * NAMESPACE_REFRESH_MS));
    }
    return { address, postgres, database, archiveUrl: archiveUrl(database), services, stop };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}
