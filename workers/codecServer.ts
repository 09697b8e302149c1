/**
 * The codec server: lets the Temporal Web UI show decrypted case details to the people allowed to
 * see them, and nobody else. It speaks Temporal's codec server protocol (POST /encode, /decode
 * with {payloads: [{metadata, data}]} in base64), answers CORS only for the UI's own origin, and,
 * when a token is configured, only requests that carry it (Authorization: Bearer <token>).
 * GET /healthz answers 200 for health checks. Run on its own by workers/codec.ts.
 */
import type { PayloadCodec } from '@temporalio/common';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const b64 = (bytes: Uint8Array | null | undefined): string => Buffer.from(bytes ?? new Uint8Array()).toString('base64');

function fromJson(p: JsonPayload) {
  return {
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
    data: Buffer.from(p.data ?? '', 'base64'),
  };
}

function toJson(p: { metadata?: Record<string, Uint8Array> | null; data?: Uint8Array | null }): JsonPayload {
  return { metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, b64(v)])), data: b64(p.data) };
}

export interface CodecServerOptions {
  codec: PayloadCodec;
  port: number;
  host?: string;
  /** Web UI origins allowed to call (e.g. http://127.0.0.1:8233). */
  allowedOrigins: string[];
  /** When set, every request must carry `Authorization: Bearer <token>`. */
  token?: string;
}

export interface CodecServer {
  url: string;
  close(): Promise<void>;
}

export async function startCodecServer(opts: CodecServerOptions): Promise<CodecServer> {
  const server = http.createServer((req, res) => {
    const origin = req.headers.origin;
    const allowed = origin !== undefined && opts.allowedOrigins.includes(origin);
    if (allowed) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.setHeader('Access-Control-Allow-Headers', 'content-type,x-namespace,authorization');
      res.setHeader('Access-Control-Allow-Methods', 'POST,OPTIONS');
      res.setHeader('Vary', 'Origin');
    }
    const reply = (status: number, body?: unknown): void => {
      res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    };
    // For container health checks: says only that the server answers.
    if (req.method === 'GET' && req.url === '/healthz') return reply(200, { alive: true });
    if (origin !== undefined && !allowed) return reply(403, { error: 'origin not allowed' });
    if (req.method === 'OPTIONS') return reply(204);
    const action = req.url?.replace(/\?.*$/, '').replace(/\/+$/, '');
    if (req.method !== 'POST' || (action !== '/encode' && action !== '/decode')) return reply(404, { error: 'use POST /encode or POST /decode' });
    if (opts.token && req.headers.authorization !== `Bearer ${opts.token}`) return reply(401, { error: 'a valid bearer token is required' });
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 10 * 1024 * 1024) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => {
      void (async () => {
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { payloads?: JsonPayload[] };
          const payloads = (body.payloads ?? []).map(fromJson);
          const out = action === '/encode' ? await opts.codec.encode(payloads) : await opts.codec.decode(payloads);
          reply(200, { payloads: out.map(toJson) });
        } catch (err) {
          reply(400, { error: (err as Error).message });
        }
      })();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Browsers keep connections open; do not wait for them to go idle.
        server.closeAllConnections();
      }),
  };
}
