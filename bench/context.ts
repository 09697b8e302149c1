/** What the benchmarks share: one dev server, the project's data converter, a real SMTP server, the real worker. */
import { Client, Connection } from '@temporalio/client';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { dataConverter, loadKeys } from '../src/codec';
import { addDays } from '../src/process/dates';
import { londonDate } from '../src/london';
import type { IncidentForm } from '../src/process/schemas';
import { startDevServer, type DevServer } from '../src/toolchain/devServer';
import { REPO_ROOT } from '../test/helpers/fixtures';
import { freePort, startNode, type Child } from '../test/helpers/processes';
import { temporalCliPath } from '../test/helpers/toolchain';
import type { MailSink } from './mailSink';

export const NAMESPACE = 'kscp-bench';
/** A fresh key for each run: the benchmarks encrypt exactly as production does. */
export const BENCH_KEYS = `bench-${Date.now()}=${randomBytes(32).toString('base64')}`;

export interface Bench {
  tmp: string;
  server: DevServer;
  /** The dev server's HTTP API port (Temporal's grpc-gateway: the same service as JSON over HTTP). */
  httpPort: number;
  client: Client;
  log(line: string): void;
}

export async function startBench(tmp: string, log: (line: string) => void): Promise<Bench> {
  const httpPort = await freePort();
  const server = await startDevServer({ binary: temporalCliPath(), port: await freePort(), namespace: NAMESPACE, logFile: path.join(tmp, 'temporal.log'), extraArgs: ['--http-port', String(httpPort)] });
  const client = new Client({
    connection: await Connection.connect({ address: server.address }),
    namespace: NAMESPACE,
    dataConverter: dataConverter(loadKeys('', { KSCP_ENCRYPTION_KEYS: BENCH_KEYS })),
  });
  return { tmp, server, httpPort, client, log };
}

/** The environment of the real worker (and of `kscp`) for this bench's dev server and mail sink. */
export function workerEnv(bench: Bench, taskQueue: string, mail: MailSink, dataDir: string): NodeJS.ProcessEnv {
  return {
    TEMPORAL_ADDRESS: bench.server.address,
    TEMPORAL_NAMESPACE: NAMESPACE,
    KSCP_TASK_QUEUE: taskQueue,
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(mail.port),
    KSCP_ENCRYPTION_KEYS: BENCH_KEYS,
    KSCP_DATA_DIR: dataDir,
    KSCP_LOG_LEVEL: 'WARN',
  };
}

/** The real worker process (workers/main.ts, as `npm run worker` runs it in production: the workflow bundle `npm run build` wrote), ready to poll. */
export async function startRealWorker(env: NodeJS.ProcessEnv): Promise<Child> {
  const worker = startNode('dist/workers/main.js', { NODE_ENV: 'production', ...env });
  await worker.waitForOutput(/kscp worker: task queue/, 120_000);
  return worker;
}

/** Resident memory of a process in MB (from /proc, Linux). */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1]);
  if (!Number.isFinite(kb)) throw new Error(`no VmRSS for process ${pid}`);
  return kb / 1024;
}

/** A fictional case opened today (no personal details). The reference is unique per `n` up to 9,999 per year. */
export function benchForm(year: number, n: number, overrides: Partial<IncidentForm> = {}): IncidentForm {
  const today = londonDate(new Date());
  return {
    ref: `KSCP-${year}-${String(n).padStart(4, '0')}`,
    notifyingAgency: 'health',
    notifier: { name: 'Bench Notifier', email: 'bench.notifier@health.example.org', role: 'Named Nurse' },
    incidentDate: addDays(today, -1),
    knownAt: new Date(Date.now() - 3_600_000).toISOString(),
    laAwareOn: today,
    criteria: ['serious-harm'],
    childDied: false,
    policeInvestigation: false,
    agenciesInvolved: ['health', 'social-care'],
    summary: 'Fictional benchmark incident.',
    ...overrides,
  };
}

/** Run `task(i)` for i in [0, n) with at most `concurrency` at a time. */
export async function pool(n: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, n) }, async () => {
    while (next < n) await task(next++);
  });
  await Promise.all(lanes);
}

export const DIST_ROOT = REPO_ROOT;
