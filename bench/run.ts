/**
 * `npm run bench`: every benchmark of issue 6, each a ratio or figure measured side by side in one
 * run, printed with its goal, and written to docs/benchmarks.md and the README's Benchmarks section.
 *
 * Settings (environment): BENCH_OPEN_INCIDENTS (default 10000: the larger count of the memory
 * benchmark; smaller for a quick run), BENCH_THROUGHPUT_CASES (default 200 per round),
 * BENCH_KSCP_ROUNDS (default 7), BENCH_REMINDERS (default 8), BENCH_NO_WRITE=1 to print only,
 * BENCH_ONLY=lifecycle,kscp,throughput,cluster,punctuality,memory to run some (implies BENCH_NO_WRITE).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../test/helpers/fixtures';
import { quietRuntime } from '../test/helpers/toolchain';
import { clusterThroughput } from './cluster';
import { startBench, startRealWorker, workerEnv, type Bench } from './context';
import { KSCP_LIST_NAME, KSCP_NAME, kscpLatency } from './kscpLatency';
import { lifecycle, LIFECYCLE_NAME } from './lifecycle';
import { startMailSink, type MailSink } from './mailSink';
import { memory, MEMORY_NAME } from './memory';
import { punctuality } from './punctuality';
import { printable, thisMachine, writeReports, type Figure } from './report';
import { throughput, THROUGHPUT_NAME, THROUGHPUT_TASK_QUEUE } from './throughput';

/** What profiling found behind a goal that is missed, and what was done about it (added to the report when it is). */
const FINDINGS: Record<string, string[]> = {
  [LIFECYCLE_NAME]: [
    'Lifecycle: the time goes on round trips between the time-skipping server and the worker (see the figure: workflow tasks plus activities, tens of milliseconds each). Deadlines are now planned in the workflow from a calendar snapshot (patch `plan-in-workflow`, a local activity): about half the workflow tasks and a third of the activities of planning by activity at every wake (128-132 workflow tasks and 97-99 activities before, 67-68 and 37 after, 2026-12-05). What is left: every email and every archive write is an activity, and each finished one wakes the case.',
  ],
  [KSCP_NAME]: [
    "`kscp`: profiled with require timing and `node --cpu-prof`. Each command loads only what it uses (`kscp --help` and `kscp calendar` no Temporal client, a recorded message no date-holidays); the command is one bundled file (esbuild, dist/src/kscp.js) run from V8's code cache (dist/kscp-cache/), which took compiling out of every start and loads no second @temporalio/common. What is left, per the profile of a warm `kscp list` (about 200 ms of CPU): Node's own start-up (`node -e 0`, in the figure) is already longer than the Go CLI's whole run; then reading the bundle and its cache and deserialising it (about 30 ms), running the modules every command needs to build its options (the process declaration with its zod schemas, about 30 ms), the first `Intl.DateTimeFormat` for London dates (ICU, about 12 ms), the Temporal client building the protobuf reflection of the whole Temporal API (about 30 ms), connecting (about 15 ms) and garbage collection (about 20 ms). `kscp` also does more than the signal: it checks the case exists and waits for the worker to validate, apply and answer the update. A V8 start-up snapshot would be the next lever; Node 20 cannot run one from a script's own `#!` line.",
  ],
  [KSCP_LIST_NAME]: [
    "`kscp list`: the same start-up as above, then the list and a describe of each running case (to mark any that needs attention). Temporal's HTTP API (the server's HTTP port) answers the same list in a few milliseconds (figure), but a fresh Node process making that one request already costs Node's start-up plus loading `fetch` (figure: about 4x the Go CLI's list), and kscp would still need its describes, decryption and the rest of its code, so the HTTP API alone would not reach 2x either; kscp stays on the gRPC client.",
  ],
  [THROUGHPUT_NAME]: [
    'Throughput: profiling found every deadline plan and every email building a new working-day calendar (date-holidays: 25-135 ms each on a loaded 2-core machine, about four per case); the calendar is now reused while its file is unchanged. ' +
      "A 30 s CPU profile of the worker during this benchmark then showed neither of its JavaScript threads saturated (the main thread idle about half the time, the workflow thread about two thirds): what is left is the round trips each case makes in turn through the dev server (start, plan, notice, decision, plan, notice: several workflow tasks and four activities including two emails, against two workflow tasks for the no-op) on the same two cores. In the workflow thread, the largest item after the sandbox itself was instantiating the workflow bundle's modules (zod's schema classes) for every new case; zod is now out of the bundle (the workflow checks its inputs with src/process/inputs.ts).",
  ],
  [MEMORY_NAME(1000)]: [
    "Memory: each case kept in the sticky cache instantiates the workflow modules it imports again (the SDK shares only those loaded when the bundle starts). With zod in the bundle that was about 1 MB of workflow-thread heap a cached case (1,040 KB after a full collection, 2026-12-05; 1,919 MB RSS at 1,000 open cases before the cache was bounded at KSCP_MAX_CACHED_WORKFLOWS=100). " +
      'zod is now out of the bundle (the workflow checks its inputs with src/process/inputs.ts; see the bundle and heap-per-case figures): on the same machine the worker went from 617 MB to 351 MB at 1,000 open cases, the workflow thread from 258 MB to 81 MB of heap. ' +
      "What is left is mostly not per case: the idle worker (about 190 MB: Node, the SDK's Rust core, two V8 isolates with the SDK's own modules) and native memory that grows with the first cases and then stays (about 370 MB at 10,000 open cases, see the figures). A smaller cache would save at most the heap per case times the cases cached (100 x 170 KB = 17 MB); the next levers are outside the workflow code: the V8 heaps' reserved but unused space (in the figure, total against used) and the SDK's native memory.",
  ],
};

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
  let devServerRate: number | undefined;
  try {
    mail = await startMailSink();
    bench = await startBench(tmp, log);
    log(`\nTemporal dev server ${bench.server.address}; SMTP server 127.0.0.1:${mail.port}`);
    if (wanted('kscp') || wanted('throughput')) {
      const worker = await startRealWorker(workerEnv(bench, THROUGHPUT_TASK_QUEUE, mail, tmp));
      try {
        if (wanted('kscp')) {
          log('\n2. kscp (installed, on PATH) vs the Go temporal CLI: one LA decision, the list');
          done(await kscpLatency(bench, mail, kscpRounds, 2042));
        }
        if (wanted('throughput')) {
          log('\n1. Throughput: start + LA decision, incident vs no-op');
          const figure = await throughput(bench, mail, throughputCases, 20, 2041);
          devServerRate = figure.incidentRate;
          done(figure);
        }
      } finally {
        await worker.stop();
      }
    }
    if (wanted('cluster')) {
      log('\n6. Throughput on a Temporal cluster on PostgreSQL: one worker, two workers');
      done(await clusterThroughput(tmp, log, mail, throughputCases, 20, 2045, devServerRate));
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
  for (const f of figures) if (f.met === false) notes.push(...(FINDINGS[f.name] ?? []));
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
