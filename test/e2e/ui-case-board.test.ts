/**
 * The Temporal Web UI as a case board, in a real browser (Debian Chromium driven by
 * playwright-core) against the dev server's UI with the codec server: the workflow list filtered
 * to overdue cases (the query a manager types, as given in the README) shows the overdue case and
 * not the others, and a case's page reads as a case summary. Screenshots are kept in
 * test-artifacts/.
 */
import { Client, Connection } from '@temporalio/client';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { StatusJson } from '../../src/cli/commands/status';
import { EncryptionCodec, loadKeys } from '../../src/codec';
import { addDays } from '../../src/process/dates';
import { londonDate } from '../../src/london';
import { startDevServer, type DevServer } from '../../src/toolchain/devServer';
import { startCodecServer, type CodecServer } from '../../workers/codecServer';
import { fictionalForm, nextRef, REPO_ROOT, TEST_KEYS } from '../helpers/fixtures';
import { freePort, kscp, startNode, type Child } from '../helpers/processes';
import { CHROMIUM_ARGS, chromiumPath, temporalCliPath } from '../helpers/toolchain';

const artifacts = path.join(REPO_ROOT, 'test-artifacts');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'kscp-board-'));
let uiPort: number;
let codec: CodecServer;
let server: DevServer;
let worker: Child;
let browser: Browser;
let env: NodeJS.ProcessEnv;
const overdueRef = nextRef(2026);
const onTimeRefs = [nextRef(2026), nextRef(2026)];

type Doc = { document: { body: { innerText: string } } };

async function open(ref: string, laAwareOn: string): Promise<void> {
  const knownAt = new Date(Math.min(Date.parse(`${laAwareOn}T09:00:00Z`), Date.now() - 3_600_000)).toISOString();
  const form = fictionalForm({ ref, incidentDate: laAwareOn, knownAt, laAwareOn, formReceivedAt: knownAt, criteria: ['serious-harm'] });
  const file = path.join(tmp, `${ref}.json`);
  writeFileSync(file, JSON.stringify(form));
  const run = await kscp(['notify', '--file', file], env);
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
}

async function status(ref: string): Promise<StatusJson> {
  const run = await kscp(['status', ref, '--json'], env);
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as StatusJson;
}

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  uiPort = await freePort();
  codec = await startCodecServer({ codec: new EncryptionCodec(loadKeys('', { KSCP_ENCRYPTION_KEYS: TEST_KEYS })), port: 0, allowedOrigins: [`http://127.0.0.1:${uiPort}`] });
  server = await startDevServer({ binary: temporalCliPath(), port: await freePort(), uiPort, namespace: 'kscp', logFile: path.join(tmp, 'temporal.log'), extraArgs: ['--ui-codec-endpoint', codec.url] });
  env = { KSCP_DATA_DIR: tmp, KSCP_ENCRYPTION_KEYS: TEST_KEYS, TEMPORAL_ADDRESS: server.address, SMTP_HOST: '127.0.0.1', SMTP_PORT: String(await freePort()) };
  worker = startNode('dist/workers/main.js', env);
  await worker.waitForOutput(/kscp worker: task queue/);
  const today = londonDate(new Date());
  // Day 0 six weeks ago: the 5- and 15-working-day clocks have run out with nothing recorded.
  await open(overdueRef, addDays(today, -42));
  for (const ref of onTimeRefs) await open(ref, today);
  // The worker plans each case's deadlines and marks the late one overdue on the case board.
  const until = Date.now() + 60_000;
  while ((await status(overdueRef)).deadlines.find((d) => d.name === 'panel-notification')?.status !== 'overdue') {
    if (Date.now() > until) throw new Error('the overdue case was never marked overdue');
    await new Promise((r) => setTimeout(r, 500));
  }
  browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await worker?.stop();
  await server?.stop();
  await codec?.close();
});

/** Load a UI page until its text satisfies `ready` (the list is eventually consistent), then screenshot it. */
async function pageText(url: string, ready: (text: string) => boolean, screenshot: string, tab?: string): Promise<string> {
  const page: Page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  try {
    const until = Date.now() + 60_000;
    let text = '';
    for (;;) {
      await page.goto(url);
      try {
        await page.waitForFunction(
          (needles) => needles.every((n) => (globalThis as unknown as Doc).document.body.innerText.includes(n)),
          ['incident-'],
          { timeout: 15_000 },
        );
      } catch {
        // Not rendered yet: look again.
      }
      if (tab) await page.getByRole('tab', { name: tab }).click();
      await page.waitForTimeout(1500);
      // Markdown (the details card, current details) is rendered in frames of its own.
      text = (await Promise.all(page.frames().map((f) => f.innerText('body').catch(() => '')))).join('\n');
      if (ready(text) || Date.now() > until) break;
    }
    await page.screenshot({ path: path.join(artifacts, screenshot), fullPage: true });
    return text;
  } finally {
    await page.close();
  }
}

const listUrl = (query?: string): string =>
  `http://127.0.0.1:${uiPort}/namespaces/kscp/workflows` + (query ? `?query=${encodeURIComponent(query)}` : '');

it('lists every open case without a filter', async () => {
  const all = [overdueRef, ...onTimeRefs];
  const text = await pageText(listUrl(), (t) => all.every((r) => t.includes(`incident-${r}`)), 'ui-board-all-cases.png');
  for (const ref of all) expect(text).toContain(`incident-${ref}`);
});

it("shows only the overdue case when filtered with the README's overdue query", async () => {
  const text = await pageText(
    listUrl('KscpOverdue = true'),
    (t) => t.includes(`incident-${overdueRef}`) && !onTimeRefs.some((r) => t.includes(`incident-${r}`)),
    'ui-board-overdue.png',
  );
  expect(text).toContain(`incident-${overdueRef}`);
  for (const ref of onTimeRefs) expect(text).not.toContain(`incident-${ref}`);
});

it("shows a case's summary, details card and current details on its page (User Metadata)", async () => {
  const text = await pageText(
    `http://127.0.0.1:${uiPort}/namespaces/kscp/workflows/incident-${overdueRef}`,
    (t) => t.includes(`Serious incident ${overdueRef}`) && t.includes('OVERDUE'),
    'ui-board-case-page.png',
    'User Metadata',
  );
  expect(text).toContain(`Serious incident ${overdueRef}: child seriously harmed, abuse or neglect known or suspected (notified by health)`);
  expect(text).toMatch(/Notifying agency\s*health/);
  expect(text).toContain('Waiting for the LA decision on notification');
  expect(text).toMatch(/panel-notification: due \d{4}-\d{2}-\d{2} OVERDUE/);
});

/** The list queries the README gives managers, exactly as written there. */
function readmeQueries(): string[] {
  const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const block = /<!-- ui-queries:start -->\s*```\n([\s\S]*?)```\s*<!-- ui-queries:end -->/.exec(readme);
  if (!block) throw new Error('README.md has no ui-queries block');
  return block[1]!.split('\n').filter((l) => l.trim() !== '');
}

it("runs every list query the README gives managers, and its overdue query finds the overdue case only", async () => {
  const connection = await Connection.connect({ address: server.address });
  try {
    const client = new Client({ connection, namespace: 'kscp' });
    const queries = readmeQueries();
    expect(queries.length).toBeGreaterThanOrEqual(5);
    const found: Record<string, string[]> = {};
    for (const query of queries) {
      const ids: string[] = [];
      for await (const wf of client.workflow.list({ query })) ids.push(wf.workflowId);
      found[query] = ids.sort();
    }
    expect(found[queries[0]!]).toEqual([`incident-${overdueRef}`]);
    const rapid = queries.find((q) => q.includes("'RAPID_REVIEW'"))!;
    expect(found[rapid]).toEqual([]);
  } finally {
    await connection.close();
  }
});
