/**
 * The Temporal Web UI in a real browser (Debian Chromium, driven by playwright-core): with the
 * codec server the case's input reads in clear; without it, the same page shows only encrypted
 * data. A screenshot of each is kept in test-artifacts/.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { EncryptionCodec, loadKeys } from '../../src/codec';
import { addDays } from '../../src/process/dates';
import { londonDate } from '../../src/london';
import { startDevServer, type DevServer } from '../../src/toolchain/devServer';
import { startCodecServer, type CodecServer } from '../../workers/codecServer';
import { fictionalForm, nextRef, REPO_ROOT, TEST_KEYS } from '../helpers/fixtures';
import { freePort, kscp, startNode, type Child } from '../helpers/processes';
import { CHROMIUM_ARGS, chromiumPath, temporalCliPath } from '../helpers/toolchain';

const artifacts = path.join(REPO_ROOT, 'test-artifacts');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'kscp-ui-'));
const MARKER = `fictional-ui-summary-${Date.now().toString(36)}`;
let uiPort: number;
let codec: CodecServer;
let server: DevServer;
let worker: Child;
let browser: Browser;
let ref: string;

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  uiPort = await freePort();
  codec = await startCodecServer({ codec: new EncryptionCodec(loadKeys('', { KSCP_ENCRYPTION_KEYS: TEST_KEYS })), port: 0, allowedOrigins: [`http://127.0.0.1:${uiPort}`] });
  server = await startDevServer({ binary: temporalCliPath(), port: await freePort(), uiPort, namespace: 'kscp', logFile: path.join(tmp, 'temporal.log'), extraArgs: ['--ui-codec-endpoint', codec.url] });
  const env = { KSCP_DATA_DIR: tmp, KSCP_ENCRYPTION_KEYS: TEST_KEYS, TEMPORAL_ADDRESS: server.address, SMTP_HOST: '127.0.0.1', SMTP_PORT: String(await freePort()) };
  worker = startNode('dist/workers/main.js', env);
  await worker.waitForOutput(/kscp worker: task queue/);
  const today = londonDate(new Date());
  ref = nextRef(2026);
  const form = fictionalForm({ ref, incidentDate: addDays(today, -1), knownAt: new Date(Date.now() - 3_600_000).toISOString(), laAwareOn: today, summary: MARKER });
  writeFileSync(path.join(tmp, 'form.json'), JSON.stringify(form));
  expect(await kscp(['notify', '--file', path.join(tmp, 'form.json')], env)).toMatchObject({ code: 0 });
  browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await worker?.stop();
  await server?.stop();
  await codec?.close();
});

async function casePageText(screenshot: string): Promise<string> {
  const page = await browser.newPage();
  try {
    await page.goto(`http://127.0.0.1:${uiPort}/namespaces/kscp/workflows/incident-${ref}`);
    // The page has loaded the case when its input card and history are there; then let the codec answer.
    await page.waitForFunction(
      () => {
        const text = (globalThis as unknown as { document: { body: { innerText: string } } }).document.body.innerText;
        return text.includes('Event History') && text.includes('Input');
      },
      undefined,
      { timeout: 30_000 },
    );
    await page.waitForTimeout(3000);
    await page.screenshot({ path: path.join(artifacts, screenshot), fullPage: true });
    return await page.innerText('body');
  } finally {
    await page.close();
  }
}

it("shows the case's details decrypted to a user of the Web UI with the codec server", async () => {
  const text = await casePageText('ui-case-decrypted.png');
  expect(text).toContain(`incident-${ref}`);
  expect(text).toContain(MARKER);
  expect(text).toContain('"notifyingAgency": "health"');
});

it('shows nothing readable once the codec server is out of reach', async () => {
  await codec.close();
  const text = await casePageText('ui-case-without-codec.png');
  expect(text).toContain(`incident-${ref}`);
  expect(text).not.toContain(MARKER);
  expect(text).not.toContain('"notifyingAgency"');
});
