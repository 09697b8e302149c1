/**
 * Preloaded into the worker by the memory benchmark (NODE_OPTIONS=-r): every 2 s, each thread
 * (the main thread, and the thread where the SDK runs workflow code) prints its V8 heap to stderr,
 * so the benchmark can say where the worker's resident memory goes. While the file named by
 * KSCP_BENCH_SETTLE exists, each thread first collects its garbage, so the heap printed is what
 * is still held (the benchmark creates the file when the worker is quiet). Bench only.
 */
import { existsSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { threadId } from 'node:worker_threads';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const settle = process.env.KSCP_BENCH_SETTLE;

setInterval(() => {
  const settled = settle !== undefined && existsSync(settle);
  if (settled) gc();
  const m = process.memoryUsage();
  process.stderr.write(`KSCP-BENCH-MEM ${JSON.stringify({ thread: threadId, heapTotal: m.heapTotal, heapUsed: m.heapUsed, settled })}\n`);
}, 2000).unref();
