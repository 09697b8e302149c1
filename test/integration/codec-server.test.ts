/** The codec server, over real HTTP: decrypts for the Web UI's origin, and for nobody else. */
import { DefaultPayloadConverter } from '@temporalio/common';
import { EncryptionCodec } from '../../src/codec';
import { startCodecServer, type CodecServer } from '../../workers/codecServer';

const UI = 'http://127.0.0.1:8233';
const codec = new EncryptionCodec({ current: 'k1', keys: { k1: Buffer.alloc(32, 3) } });
const converter = new DefaultPayloadConverter();
let open: CodecServer;
let guarded: CodecServer;

beforeAll(async () => {
  open = await startCodecServer({ codec, port: 0, allowedOrigins: [UI] });
  guarded = await startCodecServer({ codec, port: 0, allowedOrigins: [UI], token: 'fictional-token' });
});
afterAll(async () => {
  await open?.close();
  await guarded?.close();
});

async function sealedJson(value: unknown) {
  const [p] = await codec.encode([converter.toPayload(value)]);
  const b64 = (u: Uint8Array) => Buffer.from(u).toString('base64');
  return { payloads: [{ metadata: Object.fromEntries(Object.entries(p!.metadata!).map(([k, v]) => [k, b64(v)])), data: b64(p!.data!) }] };
}

const post = (server: CodecServer, route: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${route}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-namespace': 'kscp', ...headers }, body: JSON.stringify(body) });

it("decodes for the Web UI's origin, with CORS headers for it", async () => {
  const res = await post(open, '/decode', await sealedJson({ summary: 'fictional' }), { origin: UI });
  expect(res.status).toBe(200);
  expect(res.headers.get('access-control-allow-origin')).toBe(UI);
  const body = (await res.json()) as { payloads: Array<{ metadata: Record<string, string>; data: string }> };
  expect(JSON.parse(Buffer.from(body.payloads[0]!.data, 'base64').toString())).toEqual({ summary: 'fictional' });
  expect(Buffer.from(body.payloads[0]!.metadata.encoding!, 'base64').toString()).toBe('json/plain');
});

it('answers the browser preflight for the UI only', async () => {
  const ok = await fetch(`${open.url}/decode`, { method: 'OPTIONS', headers: { origin: UI, 'access-control-request-method': 'POST' } });
  expect(ok.status).toBe(204);
  expect(ok.headers.get('access-control-allow-headers')).toContain('x-namespace');
  const other = await fetch(`${open.url}/decode`, { method: 'OPTIONS', headers: { origin: 'http://evil.example.org' } });
  expect(other.status).toBe(403);
  expect(other.headers.get('access-control-allow-origin')).toBeNull();
});

it('refuses another origin', async () => {
  const res = await post(open, '/decode', await sealedJson('x'), { origin: 'http://evil.example.org' });
  expect(res.status).toBe(403);
});

it('encodes, so the UI can send encrypted input', async () => {
  const res = await post(open, '/encode', { payloads: [{ metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from('"x"').toString('base64') }] }, { origin: UI });
  const body = (await res.json()) as { payloads: Array<{ metadata: Record<string, string> }> };
  expect(Buffer.from(body.payloads[0]!.metadata.encoding!, 'base64').toString()).toBe('binary/encrypted');
});

it('with a token configured, refuses requests without it', async () => {
  const body = await sealedJson('x');
  expect((await post(guarded, '/decode', body, { origin: UI })).status).toBe(401);
  expect((await post(guarded, '/decode', body, { origin: UI, authorization: 'Bearer wrong' })).status).toBe(401);
  expect((await post(guarded, '/decode', body, { origin: UI, authorization: 'Bearer fictional-token' })).status).toBe(200);
});

it('says what it serves for anything else', async () => {
  const res = await fetch(`${open.url}/`, { headers: { origin: UI } });
  expect(res.status).toBe(404);
  expect(await res.json()).toEqual({ error: 'use POST /encode or POST /decode' });
});
