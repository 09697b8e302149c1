/**
 * The codec server as its own process (`npm run codec`, the `codec` service of docker-compose.yml):
 * health check, decryption for the configured UI origin only, a clear refusal without an origin,
 * and a clean stop on SIGTERM.
 */
import { DefaultPayloadConverter } from '@temporalio/common';
import { EncryptionCodec, loadKeys } from '../../src/codec';
import { TEST_KEYS } from '../helpers/fixtures';
import { freePort, startNode } from '../helpers/processes';

const UI = 'https://temporal.kscp.example.org';

it('serves /healthz and /decode for the UI origin, refuses others, and stops cleanly on SIGTERM', async () => {
  const port = await freePort();
  const codec = startNode('dist/workers/codec.js', { KSCP_ENCRYPTION_KEYS: TEST_KEYS, KSCP_CODEC_PORT: String(port), KSCP_CODEC_ALLOWED_ORIGINS: UI });
  try {
    await codec.waitForOutput(/kscp codec server: listening/);
    expect(codec.output()).toContain(`listening on http://127.0.0.1:${port} for ${UI}; no token required; 1 key(s), current test-key`);
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
