/**
 * `npm run bench`: every benchmark of issue 6, each a ratio or figure measured side by side in one
 * run, printed with its goal, and written to docs/benchmarks.md and the README's Benchmarks section.
 *
 * Settings (environment): BENCH_OPEN_INCIDENTS (default 10000: the larger count of the memory
 * benchmark; smaller for a quick run), BENCH_THROUGHPUT_CASES (default 200 per round),
 * BENCH_KSCP_ROUNDS (default 7), BENCH_REMINDERS (default 8), BENCH_NO_WRITE=1 to print only,
 * BENCH_ONLY=lifecycle,kscp,throughput,punctuality,memory to run some (implies BENCH_NO_WRITE).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../test/helpers/fixtures';
import { quietRuntime } from '../test/helpers/toolchain';
import { startBench, startRealWorker, workerEnv, type Bench } from './context';
import { kscpLatency } from './kscpLatency';
import { lifecycle } from './lifecycle';
import { startMailSink, type MailSink } from './mailSink';
import { memory } from './memory';
import { punctuality } from './punctuality';
import { printable, thisMachine, writeReports, type Figure } from './report';
import { throughput, THROUGHPUT_TASK_QUEUE } from './throughput';

function count(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name}=${raw}: must be a whole number of at least ${min}`);
  return n;
}

const log = (line: string): void => void process.stdout.write(line + '\n');

async function main(): Promise<void> {
  const openIncidents = count('BENCH_OPEN_INCIDENTS', 10_000, 1001);
  const throughputCases = count('BENCH_THROUGHPUT_CASES', 200, 10);
  const kscpRounds = count('BENCH_KSCP_ROUNDS', 7, 1);
  const reminders = count('BENCH_REMINDERS', 8, 1);
  const only = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',').map((s) => s.trim())) : undefined;
  const wanted = (name: string): boolean => !only || only.has(name);
  const machine = thisMachine();
  const started = Date.now();
  log(`KSCP benchmarks on ${machine.cpu}, ${machine.cores} cores, ${machine.ramGiB} GiB, Node ${machine.node}`);
  quietRuntime();
  const figures: Figure[] = [];
  const notes: string[] = [];
  const done = (f: Figure | Figure[]): void => {
    for (const one of [f].flat()) {
      figures.push(one);
      log(printable(one));
    }
  };

  if (wanted('lifecycle')) {
    log('\n4. 12-month lifecycle under time skipping');
    done(await lifecycle(log));
  }

  const tmp = mkdtempSync(path.join(os.tmpdir(), 'kscp-bench-'));
  let bench: Bench | undefined;
  let mail: MailSink | undefined;
  try {
    mail = await startMailSink();
    bench = await startBench(tmp, log);
    log(`\nTemporal dev server ${bench.server.address}; SMTP server 127.0.0.1:${mail.port}`);
    if (wanted('kscp') || wanted('throughput')) {
      const worker = await startRealWorker(workerEnv(bench, THROUGHPUT_TASK_QUEUE, mail, tmp));
      try {
        if (wanted('kscp')) {
          log('\n2. kscp latency for one message vs temporal workflow signal');
          done(await kscpLatency(bench, mail, kscpRounds, 2042));
        }
        if (wanted('throughput')) {
          log('\n1. Throughput: start + LA decision, incident vs no-op');
          done(await throughput(bench, mail, throughputCases, 20, 2041));
        }
      } finally {
        await worker.stop();
      }
    }
    if (wanted('punctuality')) {
      log('\n5. Reminder punctuality on real time');
      done(await punctuality(bench, mail, reminders, 2043));
    }
    if (wanted('memory')) {
      log(`\n3. Worker resident memory with 1,000 and ${openIncidents.toLocaleString('en-GB')} open incidents`);
      done(await memory(bench, mail, [1000, openIncidents], 2044));
    }
  } finally {
    await bench?.client.connection.close();
    await bench?.server.stop();
    await mail?.close();
    rmSync(tmp, { recursive: true, force: true });
  }
  if (openIncidents !== 10_000) notes.push(`This run opened ${openIncidents.toLocaleString('en-GB')} incidents for the memory benchmark (BENCH_OPEN_INCIDENTS), not the default 10,000.`);
  notes.push(`The whole run took ${Math.round((Date.now() - started) / 1000)} s.`);
  log(`\nDone in ${Math.round((Date.now() - started) / 1000)} s.`);
  if (process.env.BENCH_NO_WRITE === '1' || only) return;
  writeReports(REPO_ROOT, figures, machine, notes);
  log('Written to docs/benchmarks.md and the Benchmarks section of README.md.');
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
