/**
 * The Web UI `npm start` serves, in a real browser (Debian Chromium driven by playwright-core):
 * a case's details decrypted through the codec server, and no way to change a case from the UI.
 * No Start Workflow on the list, no "Start Workflow Like This One", Send a Signal, Reset, Terminate
 * or Request Cancellation on the case page; and the UI server refuses such a call made without
 * the page (405). Every change goes through `kscp` and its checks. Screenshots in test-artifacts/.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { addDays } from '../../src/process/dates';
import { londonDate } from '../../src/london';
import { fictionalForm, nextRef, REPO_ROOT } from '../helpers/fixtures';
import { freePort, kscp, startNode, type Child } from '../helpers/processes';
import { CHROMIUM_ARGS, chromiumPath } from '../helpers/toolchain';

const artifacts = path.join(REPO_ROOT, 'test-artifacts');
const data = mkdtempSync(path.join(os.tmpdir(), 'kscp-ui-ro-'));
const MARKER = `fictional-read-only-summary-${Date.now().toString(36)}`;
const ref = nextRef(2026);
let env: NodeJS.ProcessEnv;
let start: Child;
let browser: Browser;
let ui: string;

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  const ports = { temporal: await freePort(), ui: await freePort(), smtp: await freePort(), mailUi: await freePort(), codec: await freePort(), board: await freePort() };
  ui = `http://127.0.0.1:${ports.ui}`;
  env = {
    KSCP_DATA_DIR: data,
    KSCP_TEMPORAL_PORT: String(ports.temporal),
    KSCP_TEMPORAL_UI_PORT: String(ports.ui),
    KSCP_MAIL_PORT: String(ports.smtp),
    KSCP_MAIL_UI_PORT: String(ports.mailUi),
    KSCP_CODEC_PORT: String(ports.codec),
    KSCP_BOARD_PORT: String(ports.board),
    KSCP_ENCRYPTION_KEYS: '',
    KSCP_CODEC_TOKEN: '',
    TEMPORAL_ADDRESS: '',
    SMTP_HOST: '',
  };
  start = startNode('dist/workers/start.js', env);
  await start.waitForOutput(/Press Ctrl-C to stop/, 120_000);
  const today = londonDate(new Date());
  const form = fictionalForm({ ref, incidentDate: addDays(today, -1), knownAt: new Date(Date.now() - 3_600_000).toISOString(), laAwareOn: today, summary: MARKER });
  writeFileSync(path.join(data, 'form.json'), JSON.stringify(form));
  expect(await kscp(['notify', '--file', path.join(data, 'form.json')], env)).toMatchObject({ code: 0 });
  browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  if (start) expect(await start.stop('SIGINT')).toBe(0);
});

type Doc = { document: { body: { innerText: string } } };

async function casePage(): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${ui}/namespaces/kscp/workflows/incident-${ref}`);
  // Loaded, and the codec server has answered, when the input card shows the decrypted summary.
  await page.waitForFunction((marker) => (globalThis as unknown as Doc).document.body.innerText.includes(marker), MARKER, { timeout: 30_000 }).catch(() => undefined);
  return page;
}

/** The visible, enabled controls with exactly this text: what a person could click. */
async function clickable(page: Page, name: string): Promise<number> {
  const candidates = page.locator('button, a, [role=menuitem], [role=button]').filter({ hasText: new RegExp(`^\\s*${name}\\s*$`) });
  let n = 0;
  for (const c of await candidates.all()) {
    if ((await c.isVisible()) && (await c.isEnabled()) && (await c.getAttribute('aria-disabled')) !== 'true') n += 1;
  }
  return n;
}

it("shows the case's details decrypted through the codec server", async () => {
  const page = await casePage();
  try {
    const text = await page.innerText('body');
    await page.screenshot({ path: path.join(artifacts, 'ui-read-only-case.png'), fullPage: true });
    expect(text).toContain(`incident-${ref}`);
    expect(text).toContain(MARKER);
    expect(text).toContain('"notifyingAgency": "health"');
  } finally {
    await page.close();
  }
});

it('offers no action that would change the case: Start Workflow Like This One, Send a Signal, Reset, Terminate, Request Cancellation', async () => {
  const page = await casePage();
  try {
    // The actions menu: a person opens it if they can, then looks for each action in it.
    const more = page.getByRole('button', { name: 'More Actions' }).first();
    await more.waitFor({ timeout: 30_000 });
    if (await more.isEnabled()) {
      await more.click();
      await page.waitForTimeout(500);
    }
    await page.screenshot({ path: path.join(artifacts, 'ui-read-only-actions.png'), fullPage: true });
    const offered: Record<string, number> = {};
    for (const action of ['Start Workflow Like This One', 'Send a Signal', 'Reset', 'Terminate', 'Request Cancellation']) offered[action] = await clickable(page, action);
    expect(offered).toEqual({ 'Start Workflow Like This One': 0, 'Send a Signal': 0, Reset: 0, Terminate: 0, 'Request Cancellation': 0 });
  } finally {
    await page.close();
  }
});

it('offers no Start Workflow on the list of cases', async () => {
  const page = await browser.newPage();
  try {
    await page.goto(`${ui}/namespaces/kscp/workflows`);
    await page.waitForFunction((r) => (globalThis as unknown as Doc).document.body.innerText.includes(r), `incident-${ref}`, { timeout: 30_000 });
    await page.screenshot({ path: path.join(artifacts, 'ui-read-only-list.png'), fullPage: true });
    expect(await clickable(page, 'Start Workflow')).toBe(0);
  } finally {
    await page.close();
  }
});

it("refuses a change sent to the UI server's API directly (a signal, a start), not only hides the buttons", async () => {
  // An Authorization header is how a script skips the UI's CSRF check; the write switch still refuses.
  const headers = { authorization: 'Bearer anything', 'content-type': 'application/json' };
  const signal = await fetch(`${ui}/api/v1/namespaces/kscp/workflows/incident-${ref}/signal/laDecision`, { method: 'POST', headers, body: '{}' });
  expect(signal.status).toBe(405);
  const startAnother = await fetch(`${ui}/api/v1/namespaces/kscp/workflows/incident-${nextRef(2026)}`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ workflowType: { name: 'incident' }, taskQueue: { name: 'kscp-incidents' } }),
  });
  expect(startAnother.status).toBe(405);
  const run = await kscp(['status', ref, '--json'], env);
  expect(run.code).toBe(0);
  expect((JSON.parse(run.stdout) as { stage: string }).stage).toBe('LA_DECISION');
});
