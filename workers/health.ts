/**
 * The worker's health endpoint for operators and container health checks:
 *   GET /healthz  200 while the process is alive and answering;
 *   GET /readyz   200 when the worker is polling its task queue and Temporal answers,
 *                 503 otherwise, with the reason (connecting, Temporal unreachable, shutting down).
 * Both answer JSON. Nothing about cases is ever in them.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Readiness {
  ready: boolean;
  /** Why not ready, in one sentence; or what is ready. */
  detail: string;
}

export interface HealthServer {
  url: string;
  close(): Promise<void>;
}

export async function startHealthServer(opts: { port: number; host: string; readiness: () => Promise<Readiness> }): Promise<HealthServer> {
  const server = http.createServer((req, res) => {
    const reply = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(`${JSON.stringify(body)}\n`);
    };
    const route = req.url?.replace(/\?.*$/, '');
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(405, { error: 'use GET /healthz or GET /readyz' });
    if (route === '/healthz') return reply(200, { alive: true });
    if (route === '/readyz') {
      opts.readiness().then(
        (r) => reply(r.ready ? 200 : 503, r),
        (err: unknown) => reply(503, { ready: false, detail: `readiness check failed: ${(err as Error).message}` }),
      );
      return;
    }
    reply(404, { error: 'use GET /healthz or GET /readyz' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
