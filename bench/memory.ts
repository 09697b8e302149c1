/**
 * Benchmark 3: resident memory of the real worker process with 1,000 and then 10,000 open
 * incidents on its task queue (each started, planned, and its first notice emailed).
 */
import { temporal } from '@temporalio/proto';
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

const TASK_QUEUE = 'bench-memory';

export async function memory(bench: Bench, mail: MailSink, counts: number[], firstYear: number): Promise<Figure[]> {
  const { client } = bench;
  const worker = await startRealWorker({ ...workerEnv(bench, TASK_QUEUE, mail, bench.tmp), NODE_OPTIONS: `-r ${require.resolve('./memoryProbe')}` });
  /** The latest V8 heap of each thread of the worker, in MB, from the probe's lines. */
  const heaps = (): string => {
    const latest = new Map<number, { heapTotal: number; heapUsed: number }>();
    for (const m of worker.output().matchAll(/^KSCP-BENCH-MEM (.*)$/gm)) {
      const h = JSON.parse(m[1]!) as { thread: number; heapTotal: number; heapUsed: number };
      latest.set(h.thread, h);
    }
    return [...latest.entries()].map(([t, h]) => `${t === 0 ? 'main thread' : 'workflow thread'} ${(h.heapTotal / 1048576).toFixed(0)} MB (${(h.heapUsed / 1048576).toFixed(0)} MB used)`).join(', ');
  };
  const pid = worker.process.pid!;
  /** Cases of this benchmark whose first notice has arrived (their references use years from `firstYear`). */
  const notices = () => mail.received.filter((m) => Number(m.headers.get('x-kscp-case')?.slice(5, 9)) >= firstYear).length;
  const figures: Figure[] = [];
  let opened = 0;
  const idle = rssMb(pid);
  bench.log(`  worker idle: ${idle.toFixed(0)} MB`);
  try {
    for (const target of counts) {
      const started = performance.now();
      const from = opened;
      await pool(target - from, 50, async (i) => {
        const n = from + i;
        const form = benchForm(firstYear + Math.floor(n / 9000), (n % 9000) + 1);
        await client.workflow.start<typeof incident>('incident', { workflowId: workflowIdFor(form.ref), taskQueue: TASK_QUEUE, args: [{ form, formReceivedAt: new Date().toISOString() }] });
      });
      opened = target;
      // Open means started, planned, and its first notice handed to the mail server.
      await mail.waitUntil(() => notices() >= target, 30 * 60_000, `the notices of ${target} cases`);
      const seconds = (performance.now() - started) / 1000;
      await new Promise((r) => setTimeout(r, 3000));
      const mb = rssMb(pid);
      const heap = heaps();
      const history = await historySize(bench, workflowIdFor(benchForm(firstYear, 1).ref));
      bench.log(`  ${target} open incidents (${seconds.toFixed(0)} s to open): worker RSS ${mb.toFixed(0)} MB; V8 heaps: ${heap}; one case's history: ${history}`);
      figures.push({
        name: MEMORY_NAME(target),
        value: `${mb.toFixed(0)} MB`,
        goal: target === 1000 ? '<= 300 MB' : 'none (reported)',
        met: target === 1000 ? mb <= 300 : undefined,
        detail:
          `VmRSS of the real worker process (dist/workers/main.js with NODE_ENV=production, loading the workflow bundle built by \`npm run build\`; at most ${loadSettings({}).maxCachedWorkflows} cases kept in its sticky cache, KSCP_MAX_CACHED_WORKFLOWS) after ${target.toLocaleString('en-GB')} incidents were opened on its task queue ` +
          `(${Math.round(target / seconds)} cases/s, 50 starts at a time) and each one's first notice reached the SMTP server, 3 s after the last; the idle worker was ${idle.toFixed(0)} MB. ` +
          `V8 heaps then: ${heap}; the rest is native (the SDK's Rust core, V8 code and threads, the allocator). One open case's history: ${history}.`,
      });
    }
  } finally {
    await worker.stop();
  }
  return figures;
}
