/**
 * The codec server: lets the Temporal Web UI and the Go `temporal` CLI show decrypted case details
 * to the people allowed to see them, and nobody else. It speaks Temporal's codec server protocol
 * (POST /decode with {payloads: [{metadata, data}]} in base64).
 *
 * Who is answered (docs/security.md, "The codec server"):
 * - a browser page of the Web UI: its request carries an allowed Origin (the browser sets it and a
 *   page cannot forge it), and gets CORS headers for that origin only;
 * - any other client (the Go CLI's `--codec-auth "Bearer <token>"`) with the token, compared in
 *   constant time;
 * - nobody else: no Origin and no valid token is 401, a foreign Origin is 403, with a body that
 *   names no key and no internal detail.
 * There is no /encode: only `kscp` and the worker, which hold the keys, write case data, and the
 * UI's write actions that would need it are switched off (workers/start.ts, docker-compose.yml).
 * A body over the limit is answered 413. GET /healthz answers 200 for health checks.
 * Run on its own by workers/codec.ts; by `npm start` in workers/start.ts.
 */
import type { PayloadCodec } from '@temporalio/common';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

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

/** The largest request body read (a page of history is far smaller); more is answered 413. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;

export interface CodecServerOptions {
  codec: PayloadCodec;
  port: number;
  host?: string;
  /** Web UI origins allowed to call from a browser (e.g. http://127.0.0.1:8233). */
  allowedOrigins: string[];
  /** The token other clients send as `Authorization: Bearer <token>`; without it only the UI's origins are answered. */
  token?: string;
  /** Where a refused or failed request is noted for the operator (never with payload contents). */
  log?: (line: string) => void;
  maxBodyBytes?: number;
}

export interface CodecServer {
  url: string;
  close(): Promise<void>;
}

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** `Authorization: Bearer <token>`, compared in constant time (equal-length digests, so length leaks nothing either). */
export function tokenMatches(header: string | undefined, token: string | undefined): boolean {
  if (!token || header === undefined) return false;
  const presented = /^Bearer\s+(.+)$/i.exec(header.trim())?.[1] ?? '';
  return timingSafeEqual(digest(presented), digest(token));
}

export async function startCodecServer(opts: CodecServerOptions): Promise<CodecServer> {
  const limit = opts.maxBodyBytes ?? MAX_BODY_BYTES;
  const log = opts.log ?? (() => undefined);
  const server = http.createServer((req, res) => {
    const origin = req.headers.origin;
    const allowedOrigin = origin !== undefined && opts.allowedOrigins.includes(origin);
    if (allowedOrigin) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.setHeader('Access-Control-Allow-Headers', 'content-type,x-namespace,authorization,authorization-extras');
      res.setHeader('Access-Control-Allow-Methods', 'POST,OPTIONS');
      res.setHeader('Access-Control-Max-Age', '600');
    }
    res.setHeader('Vary', 'Origin');
    res.setHeader('Cache-Control', 'no-store');
    const reply = (status: number, body?: unknown, headers: http.OutgoingHttpHeaders = {}): void => {
      res.writeHead(status, body === undefined ? headers : { ...headers, 'content-type': 'application/json' });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    };
    const refuse = (status: number, error: string, why: string): void => {
      log(`refused ${req.method} ${req.url} from ${req.socket.remoteAddress}: ${why}`);
      // The request body is not wanted; read it away so the answer arrives instead of a reset.
      req.resume();
      reply(status, { error }, { connection: 'close' });
    };
    // For container health checks: says only that the server answers.
    if (req.method === 'GET' && req.url === '/healthz') return reply(200, { alive: true });
    if (origin !== undefined && !allowedOrigin) return refuse(403, 'forbidden', `origin ${origin} is not allowed`);
    // A browser's preflight carries no credentials by design; the POST that follows is checked.
    if (req.method === 'OPTIONS' && allowedOrigin) return reply(204);
    // Authentication before routing, so an unauthenticated caller learns nothing about the server.
    const authorization = req.headers.authorization;
    const withToken = tokenMatches(authorization, opts.token);
    // From an allowed origin the Authorization header is not ours to judge: an SSO proxy's token may ride along.
    if (!allowedOrigin && !withToken) return refuse(401, 'unauthorized', authorization === undefined ? 'no token and no allowed origin' : 'wrong token');
    const action = req.url?.replace(/\?.*$/, '').replace(/\/+$/, '');
    if (req.method !== 'POST' || action !== '/decode') return refuse(404, 'not found: use POST /decode', `${req.method} ${action}`);
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) return refuse(413, `request body too large (limit ${limit} bytes)`, `content-length ${declared}`);
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      if (tooLarge) return;
      size += c.length;
      if (size <= limit) return void chunks.push(c);
      tooLarge = true;
      chunks.length = 0;
      refuse(413, `request body too large (limit ${limit} bytes)`, `body over ${limit} bytes`);
    });
    req.on('end', () => {
      if (tooLarge) return;
      void (async () => {
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { payloads?: JsonPayload[] };
          if (!Array.isArray(body.payloads)) return reply(400, { error: 'the body must be {"payloads": [...]}' });
          const out = await opts.codec.decode(body.payloads.map(fromJson));
          reply(200, { payloads: out.map(toJson) });
        } catch (err) {
          // The detail (which key, why) is for the operator's log; the caller learns only that it failed.
          log(`cannot decode: ${(err as Error).name}: ${(err as Error).message}`);
          reply(400, { error: 'cannot decode these payloads' });
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

// The token ----------------------------------------------------------------------------------

/** A fresh token: 32 random bytes, URL-safe base64 (43 characters). */
export function newCodecToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The codec server's token kept in a file readable by its owner only (`npm start`: data/codec-token),
 * made on the first run and reused after, so a command printed once keeps working.
 */
export function ensureCodecTokenFile(file: string): { token: string; created: boolean } {
  if (existsSync(file)) {
    const token = readFileSync(file, 'utf8').trim();
    if (token) {
      chmodSync(file, 0o600);
      return { token, created: false };
    }
  }
  mkdirSync(path.dirname(file), { recursive: true });
  const token = newCodecToken();
  const staging = `${file}.${process.pid}.tmp`;
  writeFileSync(staging, `${token}\n`, { mode: 0o600 });
  chmodSync(staging, 0o600);
  renameSync(staging, file);
  return { token, created: true };
}
