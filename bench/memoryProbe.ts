/**
 * Preloaded into the worker by the memory benchmark (NODE_OPTIONS=-r): every 2 s, each thread
 * (the main thread, and the thread where the SDK runs workflow code) prints its V8 heap to stderr,
 * so the benchmark can say where the worker's resident memory goes. Bench only.
 */
import { threadId } from 'node:worker_threads';

setInterval(() => {
  const m = process.memoryUsage();
  process.stderr.write(`KSCP-BENCH-MEM ${JSON.stringify({ thread: threadId, heapTotal: m.heapTotal, heapUsed: m.heapUsed })}\n`);
}, 2000).unref();
