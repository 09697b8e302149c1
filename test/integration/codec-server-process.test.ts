/**
 * The codec server as its own process (`npm run codec`, the `codec` service of docker-compose.yml):
 * health check, decryption for the configured UI origin and for a client with the token from its
 * secret file, refusals for anyone else, and a clean stop on SIGTERM.
 */
import { DefaultPayloadConverter } from '@temporalio/common';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EncryptionCodec, loadKeys } from '../../src/codec';
import { TEST_KEYS } from '../helpers/fixtures';
import { freePort, startNode } from '../helpers/processes';

const UI = 'https://temporal.kscp.example.org';

const TOKEN = 'fictional-codec-token-for-tests-0123456789';

it('serves /healthz, and /decode for the UI origin and for the token from its secret file; refuses others; stops cleanly on SIGTERM', async () => {
  const port = await freePort();
  const tokenFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'kscp-codec-')), 'codec-token');
  writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
  const codec = startNode('dist/workers/codec.js', { KSCP_ENCRYPTION_KEYS: TEST_KEYS, KSCP_CODEC_PORT: String(port), KSCP_CODEC_ALLOWED_ORIGINS: UI, KSCP_CODEC_TOKEN_FILE: tokenFile, KSCP_CODEC_TOKEN: '' });
  try {
    await codec.waitForOutput(/kscp codec server: listening/);
    expect(codec.output()).toContain(`listening on http://127.0.0.1:${port} for the Web UI at ${UI} and for clients with the token; 1 key(s), current test-key`);
    const base = `http://127.0.0.1:${port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);

    const sealed = new EncryptionCodec(loadKeys('', { KSCP_ENCRYPTION_KEYS: TEST_KEYS }));
    const [p] = await sealed.encode([new DefaultPayloadConverter().toPayload({ summary: 'fictional' })]);
    const b64 = (u: Uint8Array) => Buffer.from(u).toString('base64');
    const body = JSON.stringify({ payloads: [{ metadata: Object.fromEntries(Object.entries(p!.metadata!).map(([k, v]) => [k, b64(v)])), data: b64(p!.data!) }] });
    const ok = await fetch(`${base}/decode`, { method: 'POST', headers: { origin: UI, 'content-type': 'application/json' }, body });
    expect(ok.status).toBe(200);
    const decoded = (await ok.json()) as { payloads: Array<{ data: string }> };
    expect(JSON.parse(Buffer.from(decoded.payloads[0]!.data, 'base64').toString())).toEqual({ summary: 'fictional' });
    const other = await fetch(`${base}/decode`, { method: 'POST', headers: { origin: 'http://evil.example.org', 'content-type': 'application/json' }, body });
    expect(other.status).toBe(403);
    const withToken = await fetch(`${base}/decode`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body });
    expect(withToken.status).toBe(200);
    const anonymous = await fetch(`${base}/decode`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(anonymous.status).toBe(401);
    await codec.waitForOutput(/kscp codec server: refused POST \/decode from 127.0.0.1: no token and no allowed origin/, 5_000);

    expect(await codec.stop('SIGTERM')).toBe(0);
  } finally {
    await codec.stop('SIGKILL');
  }
});

it('refuses to start without KSCP_CODEC_ALLOWED_ORIGINS, saying what to set', async () => {
  const codec = startNode('dist/workers/codec.js', { KSCP_ENCRYPTION_KEYS: TEST_KEYS, KSCP_CODEC_PORT: String(await freePort()), KSCP_CODEC_ALLOWED_ORIGINS: '' });
  await new Promise<void>((resolve) => codec.process.on('close', () => resolve()));
  expect(codec.process.exitCode).toBe(1);
  expect(codec.output()).toContain('kscp codec server: KSCP_CODEC_ALLOWED_ORIGINS is not set: give the Temporal Web UI address as the browser sees it');
});

it('refuses a token too short to be secret, saying how to make one', async () => {
  const codec = startNode('dist/workers/codec.js', { KSCP_ENCRYPTION_KEYS: TEST_KEYS, KSCP_CODEC_PORT: String(await freePort()), KSCP_CODEC_ALLOWED_ORIGINS: UI, KSCP_CODEC_TOKEN: 'secret' });
  await new Promise<void>((resolve) => codec.process.on('close', () => resolve()));
  expect(codec.process.exitCode).toBe(1);
  expect(codec.output()).toContain('kscp codec server: KSCP_CODEC_TOKEN: the token is 6 characters; use at least 32 random ones (for example `openssl rand -hex 32`)');
});
