/**
 * Benchmark 3: resident memory of the real worker process with 1,000 and then 10,000 open
 * incidents on its task queue (each started, planned, and its first notice emailed); the V8 heap
 * each case kept in the sticky cache costs; and the workflow bundle the worker loads, whose
 * modules each cached case instantiates again.
 */
import { temporal } from '@temporalio/proto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadSettings } from '../src/config';
import { workflowIdFor } from '../src/process/incident';
import type { incident } from '../workflows';
import { benchForm, pool, rssMb, startRealWorker, workerEnv, type Bench } from './context';
import type { MailSink } from './mailSink';
import type { Figure } from './report';

/** Events and encoded bytes of a case's history, as the worker fetches it to replay the case. */
async function historySize(bench: Bench, workflowId: string): Promise<string> {
  const history = await bench.client.workflow.getHandle(workflowId).fetchHistory();
  const bytes = temporal.api.history.v1.History.encode(history).finish().length;
  return `${history.events?.length ?? 0} events, ${(bytes / 1024).toFixed(1)} KB`;
}

export const MEMORY_NAME = (open: number): string => `Worker resident memory, ${open.toLocaleString('en-GB')} open incidents`;
export const CASE_HEAP_NAME = 'Workflow heap per cached case';
export const BUNDLE_NAME = 'Workflow bundle';

/** The bundle's size, its code without the inline source map, and the zod modules in it. */
export function bundleFigure(file: string): Figure {
  const code = readFileSync(file, 'utf8');
  const map = code.indexOf('\n//# sourceMappingURL=');
  const codeBytes = Buffer.byteLength(map >= 0 ? code.slice(0, map) : code);
  const modules = [...code.matchAll(/^\/\*\*\*\/ "([^"]+)"/gm)].map((m) => m[1]!);
  const zod = modules.filter((m) => m.includes('node_modules/zod/')).length;
  const kb = (n: number) => `${Math.round(n / 1024).toLocaleString('en-GB')} KB`;
  return {
    name: BUNDLE_NAME,
    value: `${kb(codeBytes)} code`,
    goal: 'no zod, < 1 MB code',
    met: zod === 0 && codeBytes < 1_000_000,
    detail: `${path.basename(file)}: ${kb(Buffer.byteLength(code))} with its inline source map, ${modules.length} modules, ${zod} of them zod's. Each case kept in the sticky cache instantiates the modules the workflow imports again (the SDK shares only those loaded when the bundle starts).`,
  };
}

const TASK_QUEUE = 'bench-memory';

export async function memory(bench: Bench, mail: MailSink, counts: number[], firstYear: number): Promise<Figure[]> {
  const { client } = bench;
  const settleFile = path.join(bench.tmp, 'memory-settle');
  const worker = await startRealWorker({ ...workerEnv(bench, TASK_QUEUE, mail, bench.tmp), NODE_OPTIONS: `-r ${require.resolve('./memoryProbe')}`, KSCP_BENCH_SETTLE: settleFile });
  const bundleFile = loadSettings({ ...process.env, NODE_ENV: 'production' }).workflowCode.bundle!;
  type Heap = { thread: number; heapTotal: number; heapUsed: number; settled?: boolean };
  const heapLines = (from = 0): Heap[] => [...worker.output().slice(from).matchAll(/^KSCP-BENCH-MEM (.*)$/gm)].map((m) => JSON.parse(m[1]!) as Heap);
  /**
   * Each thread's V8 heap after a full garbage collection, once the worker is quiet: what it still
   * holds. The main thread is thread 0; the SDK runs workflow code in another.
   */
  const settledHeaps = async (): Promise<Map<number, Heap>> => {
    const from = worker.output().length;
    writeFileSync(settleFile, '');
    try {
      for (let waited = 0; waited < 30_000; waited += 500) {
        await new Promise((r) => setTimeout(r, 500));
        const latest = new Map(heapLines(from).filter((h) => h.settled).map((h) => [h.thread, h] as const));
        if (latest.size >= 2) return latest;
      }
      throw new Error('the worker printed no settled heaps in 30 s (is bench/memoryProbe loaded?)');
    } finally {
      rmSync(settleFile, { force: true });
    }
  };
  const mbOf = (n: number) => (n / 1048576).toFixed(0);
  const describe = (heaps: Map<number, Heap>): string =>
    [...heaps.values()].map((h) => `${h.thread === 0 ? 'main thread' : 'workflow thread'} ${mbOf(h.heapTotal)} MB (${mbOf(h.heapUsed)} MB used)`).join(', ');
  const workflowHeap = (heaps: Map<number, Heap>): number => [...heaps.values()].filter((h) => h.thread !== 0).reduce((sum, h) => sum + h.heapUsed, 0);
  const { maxCachedWorkflows } = loadSettings({});
  const pid = worker.process.pid!;
  /** Cases of this benchmark whose first notice has arrived (their references use years from `firstYear`). */
  const notices = () => mail.received.filter((m) => Number(m.headers.get('x-kscp-case')?.slice(5, 9)) >= firstYear).length;
  let opened = 0;
  const figures: Figure[] = [bundleFigure(bundleFile)];
  const idleHeaps = await settledHeaps();
  const idle = rssMb(pid);
  bench.log(`  worker idle: ${idle.toFixed(0)} MB; V8 heaps after a collection: ${describe(idleHeaps)}`);
  try {
    for (const target of counts) {
      const started = performance.now();
      const from = opened;
      await pool(target - from, 50, async (i) => {
        const n = from + i;
        const form = benchForm(firstYear + Math.floor(n / 9000), (n % 9000) + 1);
        await client.workflow.start<typeof incident>('incident', { workflowId: workflowIdFor(form.ref), taskQueue: TASK_QUEUE, args: [{ form, formReceivedAt: new Date().toISOString(), checkedAt: new Date().toISOString() }] });
      });
      opened = target;
      // Open means started, planned, and its first notice handed to the mail server.
      await mail.waitUntil(() => notices() >= target, 30 * 60_000, `the notices of ${target} cases`);
      const seconds = (performance.now() - started) / 1000;
      await new Promise((r) => setTimeout(r, 3000));
      const mb = rssMb(pid);
      const heaps = await settledHeaps();
      const heap = describe(heaps);
      const cached = Math.min(target, maxCachedWorkflows);
      const perCase = (workflowHeap(heaps) - workflowHeap(idleHeaps)) / cached;
      const history = await historySize(bench, workflowIdFor(benchForm(firstYear, 1).ref));
      bench.log(
        `  ${target} open incidents (${seconds.toFixed(0)} s to open): worker RSS ${mb.toFixed(0)} MB; V8 heaps after a collection: ${heap}; ${(perCase / 1024).toFixed(0)} KB of workflow heap per cached case; one case's history: ${history}`,
      );
      const goal = target === 1000 ? 300 : target >= 10_000 ? 400 : undefined;
      figures.push({
        name: MEMORY_NAME(target),
        value: `${mb.toFixed(0)} MB`,
        goal: goal === undefined ? 'none (reported)' : `<= ${goal} MB`,
        met: goal === undefined ? undefined : mb <= goal,
        detail:
          `VmRSS of the real worker process (dist/workers/main.js with NODE_ENV=production, loading the workflow bundle built by \`npm run build\`; at most ${maxCachedWorkflows} cases kept in its sticky cache, KSCP_MAX_CACHED_WORKFLOWS) after ${target.toLocaleString('en-GB')} incidents were opened on its task queue ` +
          `(${Math.round(target / seconds)} cases/s, 50 starts at a time) and each one's first notice reached the SMTP server, 3 s after the last; the idle worker was ${idle.toFixed(0)} MB. ` +
          `V8 heaps then, after a full collection: ${heap}; the rest is native (the SDK's Rust core, V8 code and threads, the allocator). One open case's history: ${history}.`,
      });
      if (target === counts[0])
        figures.push({
          name: CASE_HEAP_NAME,
          value: `${(perCase / 1024).toFixed(0)} KB`,
          goal: 'none (reported)',
          detail:
            `The workflow thread's V8 heap after a full collection with ${cached.toLocaleString('en-GB')} cases in the sticky cache (${target.toLocaleString('en-GB')} open), less the same heap of the idle worker (${mbOf(workflowHeap(idleHeaps))} MB), divided by the cases cached: ` +
            `each case's own copy of the workflow modules it imports, its state, timers and pending messages. Cases not cached cost no heap; they are replayed from their history when they wake.`,
        });
    }
  } finally {
    await worker.stop();
  }
  return figures;
}
