/**
 * Benchmark 6: start + LA decision of incident workflows on the production topology (the Temporal
 * server v1.29.1 as four processes on PostgreSQL, src/toolchain/cluster.ts, as `npm run
 * start:cluster` runs it) with one worker and with two, beside the dev server's figure.
 */
import { Client, Connection } from '@temporalio/client';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { dataConverter, loadKeys } from '../src/codec';
import { startTemporalCluster } from '../src/toolchain/cluster';
import { findPostgres } from '../src/toolchain/postgres';
import { findTemporalServer } from '../src/toolchain/temporalServer';
import { freePort, type Child } from '../test/helpers/processes';
import { temporalCliPath } from '../test/helpers/toolchain';
import { BENCH_KEYS, benchForm, startRealWorker } from './context';
import type { MailSink } from './mailSink';
import type { Figure } from './report';
import { measureRate, startAndDecide } from './throughput';

/** CPU seconds (user + system) a process has used, from /proc (Linux; clock ticks of 1/100 s). */
function cpuOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** PostgreSQL's server processes: the postmaster and its children (the backends of every connection). */
function postgresPids(postmaster: number): number[] {
  const pids = [postmaster];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (Number(readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]) === postmaster) pids.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}

/** The whole machine's busy and total CPU time so far (all cores), from /proc/stat. */
function machineCpu(): { busy: number; total: number } {
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).map(Number);
  const total = ticks.reduce((a, b) => a + b, 0);
  const idle = ticks[3]! + ticks[4]!;
  return { busy: (total - idle) / 100, total: total / 100 };
}

export const CLUSTER_NAME = 'Incident throughput on a Temporal cluster on PostgreSQL (start + LA decision), 1 and 2 workers';
const NAMESPACE = 'kscp-bench';
const TASK_QUEUE = 'bench-cluster';

/** `devServerRate`: the incident rate of the dev-server benchmark in this run, if it ran. */
export async function clusterThroughput(
  tmp: string,
  log: (line: string) => void,
  mail: MailSink,
  cases: number,
  concurrency: number,
  year: number,
  devServerRate: number | undefined,
): Promise<Figure> {
  const tools = findTemporalServer();
  const postgresBin = findPostgres();
  if (!tools || !postgresBin) throw new Error('no Temporal server or PostgreSQL: run `npm run toolchain -- ensure`');
  const dir = path.join(tmp, 'cluster');
  mkdirSync(dir, { recursive: true });
  const cluster = await startTemporalCluster({
    tools,
    cli: temporalCliPath(),
    postgresBin,
    dir,
    frontendPort: await freePort(),
    postgresPort: await freePort(),
    namespace: NAMESPACE,
    retentionDays: 1,
    log: (line) => log(`  ${line}`),
  });
  const client = new Client({
    connection: await Connection.connect({ address: cluster.address }),
    namespace: NAMESPACE,
    dataConverter: dataConverter(loadKeys('', { KSCP_ENCRYPTION_KEYS: BENCH_KEYS })),
  });
  const env = (n: number): NodeJS.ProcessEnv => ({
    TEMPORAL_ADDRESS: cluster.address,
    TEMPORAL_NAMESPACE: NAMESPACE,
    KSCP_TASK_QUEUE: TASK_QUEUE,
    KSCP_ARCHIVE_URL: cluster.archiveUrl,
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(mail.port),
    KSCP_ENCRYPTION_KEYS: BENCH_KEYS,
    KSCP_DATA_DIR: path.join(tmp, `cluster-worker-${n}`),
    KSCP_LOG_LEVEL: 'WARN',
  });
  const workers: Child[] = [];
  try {
    log(`  Temporal cluster ${cluster.address} (PostgreSQL 127.0.0.1:${cluster.postgres.port})`);
    workers.push(await startRealWorker(env(1)));
    let serial = 0;
    /** Where the CPU went in each round, per case (ms): the workers, the four Temporal services, PostgreSQL, this client; and how busy the machine was. */
    const cpu: Array<{ workers: number; temporal: number; postgres: number; client: number; busy: number }> = [];
    const sample = () => {
      const pg = cluster.postgres.pid();
      return {
        workers: workers.reduce((t, w) => t + cpuOf(w.process.pid!), 0),
        temporal: Object.values(cluster.services).reduce((t, s) => t + cpuOf(s.pid!), 0),
        postgres: pg === undefined ? 0 : postgresPids(pg).reduce((t, p) => t + cpuOf(p), 0),
        client: cpuOf(process.pid),
        machine: machineCpu(),
      };
    };
    const round = async (what: string): Promise<number> => {
      const before = sample();
      const rate = await measureRate(log, what, cases, concurrency, () => startAndDecide(client, TASK_QUEUE, benchForm(year, ++serial)));
      const after = sample();
      const perCase = (k: 'workers' | 'temporal' | 'postgres' | 'client') => ((after[k] - before[k]) * 1000) / (cases + Math.min(10, cases));
      const used = { workers: perCase('workers'), temporal: perCase('temporal'), postgres: perCase('postgres'), client: perCase('client') };
      const busy = (after.machine.busy - before.machine.busy) / (after.machine.total - before.machine.total);
      cpu.push({ ...used, busy });
      log(`    CPU per case: workers ${used.workers.toFixed(0)} ms, Temporal ${used.temporal.toFixed(0)} ms, PostgreSQL ${used.postgres.toFixed(0)} ms, client ${used.client.toFixed(0)} ms; machine busy ${(busy * 100).toFixed(0)}%`);
      return rate;
    };
    // Interleaved, so that load from elsewhere on the machine falls on both alike.
    const one = [await round('one worker (round 1)')];
    workers.push(await startRealWorker(env(2)));
    const two = [await round('two workers (round 1)')];
    await workers.pop()!.stop();
    one.push(await round('one worker (round 2)'));
    workers.push(await startRealWorker(env(2)));
    two.push(await round('two workers (round 2)'));
    const oneRate = (one[0]! + one[1]!) / 2;
    const twoRate = (two[0]! + two[1]!) / 2;
    const dev = devServerRate === undefined ? '' : `; dev server ${devServerRate.toFixed(1)}/s`;
    const avg = (k: 'workers' | 'temporal' | 'postgres' | 'client' | 'busy') => cpu.reduce((t, c) => t + c[k], 0) / cpu.length;
    return {
      name: CLUSTER_NAME,
      value: `1 worker ${oneRate.toFixed(1)}/s, 2 workers ${twoRate.toFixed(1)}/s (${(twoRate / oneRate).toFixed(2)}x)${dev}`,
      goal: 'none (reported)',
      detail:
        `cases per second, ${cases} per round, ${concurrency} at a time, two interleaved rounds of each (averaged), the same operation as the throughput benchmark ` +
        '(start, then the `laDecision` update answered by the real production worker process, notices emailed to a real SMTP server), against the Temporal server v1.29.1 ' +
        'as four processes (history, matching, frontend, worker) on PostgreSQL with its visibility, the case archive in the same PostgreSQL; the second worker is a second process on the same task queue. ' +
        'Everything (PostgreSQL, the four services, the workers, this client) shares the machine\'s cores: ' +
        `per case, the workers used ${avg('workers').toFixed(0)} ms of CPU, the Temporal services ${avg('temporal').toFixed(0)} ms, PostgreSQL ${avg('postgres').toFixed(0)} ms and this client ${avg('client').toFixed(0)} ms, ` +
        `and the machine was ${(avg('busy') * 100).toFixed(0)}% busy during the rounds (from /proc; other work on the machine counts in that last figure).`,
    };
  } finally {
    for (const w of workers) await w.stop();
    await client.connection.close();
    await cluster.stop();
  }
}
