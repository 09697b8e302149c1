/**
 * The codec server, over real HTTP: decrypts for the Web UI's origin and for a client with the
 * token, and for nobody else; its refusals name no key; /encode is gone; a large body gets 413.
 */
import { DefaultPayloadConverter } from '@temporalio/common';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { EncryptionCodec } from '../../src/codec';
import { ensureCodecTokenFile, startCodecServer, tokenMatches, type CodecServer } from '../../workers/codecServer';

const UI = 'http://127.0.0.1:8233';
const TOKEN = 'fictional-token-0123456789abcdefghijklmnopqrstuvwxyz';
const codec = new EncryptionCodec({ current: 'k1', keys: { k1: Buffer.alloc(32, 3) } });
const converter = new DefaultPayloadConverter();
const logged: string[] = [];
let server: CodecServer;

beforeAll(async () => {
  server = await startCodecServer({ codec, port: 0, allowedOrigins: [UI], token: TOKEN, log: (l) => logged.push(l), maxBodyBytes: 64 * 1024 });
});
afterAll(async () => {
  await server?.close();
});

const b64 = (u: Uint8Array) => Buffer.from(u).toString('base64');

async function sealedJson(value: unknown, c: EncryptionCodec = codec) {
  const [p] = await c.encode([converter.toPayload(value)]);
  return { payloads: [{ metadata: Object.fromEntries(Object.entries(p!.metadata!).map(([k, v]) => [k, b64(v)])), data: b64(p!.data!) }] };
}

const post = (route: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${route}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-namespace': 'kscp', ...headers }, body: JSON.stringify(body) });

const decoded = async (res: Response) => {
  const body = (await res.json()) as { payloads: Array<{ metadata: Record<string, string>; data: string }> };
  return JSON.parse(Buffer.from(body.payloads[0]!.data, 'base64').toString()) as unknown;
};

it("decodes for the Web UI's origin, with CORS headers for it", async () => {
  const res = await post('/decode', await sealedJson({ summary: 'fictional' }), { origin: UI });
  expect(res.status).toBe(200);
  expect(res.headers.get('access-control-allow-origin')).toBe(UI);
  expect(await decoded(res)).toEqual({ summary: 'fictional' });
});

it('decodes for a client that sends the token, as the Go CLI does with --codec-auth', async () => {
  const res = await post('/decode', await sealedJson({ summary: 'fictional' }), { authorization: `Bearer ${TOKEN}` });
  expect(res.status).toBe(200);
  expect(res.headers.get('access-control-allow-origin')).toBeNull();
  expect(await decoded(res)).toEqual({ summary: 'fictional' });
});

it('refuses a request with neither an allowed origin nor the token: 401, saying nothing more', async () => {
  const body = await sealedJson({ summary: 'fictional' });
  for (const headers of [{} as Record<string, string>, { authorization: 'Bearer wrong' }, { authorization: `Bearer ${TOKEN}x` }, { authorization: TOKEN }, { authorization: 'Bearer ' }]) {
    const res = await post('/decode', body, headers);
    expect(res.status).toBe(401);
    expect(await res.text()).toBe('{"error":"unauthorized"}');
  }
});

it('refuses another origin (403), even with the token, and answers its preflight with no CORS headers', async () => {
  const res = await post('/decode', await sealedJson('x'), { origin: 'http://evil.example.org', authorization: `Bearer ${TOKEN}` });
  expect(res.status).toBe(403);
  expect(await res.text()).toBe('{"error":"forbidden"}');
  const pre = await fetch(`${server.url}/decode`, { method: 'OPTIONS', headers: { origin: 'http://evil.example.org', 'access-control-request-method': 'POST' } });
  expect(pre.status).toBe(403);
  expect(pre.headers.get('access-control-allow-origin')).toBeNull();
  const ok = await fetch(`${server.url}/decode`, { method: 'OPTIONS', headers: { origin: UI, 'access-control-request-method': 'POST' } });
  expect(ok.status).toBe(204);
  expect(ok.headers.get('access-control-allow-headers')).toContain('x-namespace');
});

it('has no /encode: nobody without the keys can make a payload the workflow would accept', async () => {
  const plain = { payloads: [{ metadata: { encoding: b64(Buffer.from('json/plain')) }, data: b64(Buffer.from('"x"')) }] };
  expect((await post('/encode', plain, { origin: UI })).status).toBe(404);
  expect((await post('/encode', plain, { authorization: `Bearer ${TOKEN}` })).status).toBe(404);
  // Unauthenticated callers learn nothing about the routes either.
  expect((await post('/encode', plain)).status).toBe(401);
});

it('answers a payload it cannot decrypt with a generic error, naming no key (the detail goes to its log)', async () => {
  const other = new EncryptionCodec({ current: 'secret-key-id-2031', keys: { 'secret-key-id-2031': Buffer.alloc(32, 9) } });
  const res = await post('/decode', await sealedJson('x', other), { origin: UI });
  expect(res.status).toBe(400);
  const text = await res.text();
  expect(text).toBe('{"error":"cannot decode these payloads"}');
  expect(text).not.toMatch(/k1|secret-key-id/);
  expect(logged.join('\n')).toContain('secret-key-id-2031');
  const garbage = await post('/decode', { payloads: 'nope' }, { origin: UI });
  expect(garbage.status).toBe(400);
});

/** A raw HTTP POST, so the test sees exactly what a client gets (an answer, or a reset connection). */
function rawPost(bytes: number, headers: Record<string, string>, declareLength: boolean): Promise<{ status?: number; body?: string; error?: string }> {
  return new Promise((resolve) => {
    const { port } = new URL(server.url);
    const req = http.request({ host: '127.0.0.1', port, path: '/decode', method: 'POST', headers: { ...headers, 'content-type': 'application/json', ...(declareLength ? { 'content-length': String(bytes) } : {}) } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('error', (err) => resolve({ error: `${(err as NodeJS.ErrnoException).code}: ${err.message}` }));
    const chunk = Buffer.alloc(16 * 1024, 'a');
    let sent = 0;
    const pump = (): void => {
      while (sent < bytes) {
        const piece = chunk.subarray(0, Math.min(chunk.length, bytes - sent));
        sent += piece.length;
        if (!req.write(piece)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

it('answers 413 to a body over the limit, declared or streamed, instead of resetting the connection', async () => {
  const declared = await rawPost(1024 * 1024, { origin: UI }, true);
  expect(declared).toEqual({ status: 413, body: '{"error":"request body too large (limit 65536 bytes)"}' });
  const streamed = await rawPost(1024 * 1024, { origin: UI }, false);
  expect(streamed).toEqual({ status: 413, body: '{"error":"request body too large (limit 65536 bytes)"}' });
});

it('compares the token in constant time over equal-length digests, whatever the length presented', () => {
  expect(tokenMatches(`Bearer ${TOKEN}`, TOKEN)).toBe(true);
  expect(tokenMatches(`bearer   ${TOKEN}`, TOKEN)).toBe(true);
  expect(tokenMatches('Bearer x', TOKEN)).toBe(false);
  expect(tokenMatches(`Bearer ${TOKEN}${'y'.repeat(10_000)}`, TOKEN)).toBe(false);
  expect(tokenMatches(`Bearer ${TOKEN}`, undefined)).toBe(false);
  expect(tokenMatches(undefined, TOKEN)).toBe(false);
});

it("keeps npm start's token in a file only its owner can read, made once and reused", () => {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'kscp-token-')), 'codec-token');
  const first = ensureCodecTokenFile(file);
  expect(first.created).toBe(true);
  expect(first.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(statSync(file).mode & 0o777).toBe(0o600);
  expect(readFileSync(file, 'utf8').trim()).toBe(first.token);
  expect(ensureCodecTokenFile(file)).toEqual({ token: first.token, created: false });
});
