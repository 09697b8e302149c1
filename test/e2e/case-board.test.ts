/**
 * The managers' case board (workers/boardServer.ts) as `npm start` serves it, in Debian's Chromium
 * (playwright-core), with cases recorded through the real `kscp`:
 * - the open cases with stage, route, next deadline and working days left, OVERDUE in red, the case
 *   that needs attention flagged, the filters giving what `kscp list` gives, each case linking to
 *   its page in the Temporal Web UI (followed, and the UI shows the case);
 * - a case's deadlines on a time line (statutory date, revised target, met on time or LATE, today)
 *   and in a table whose words are `kscp status`'s;
 * - "this week": the rows of `kscp deadlines --within 7`, in its order and words;
 * - a case whose search attributes carry markup (anyone who reaches Temporal's port can start one)
 *   shown as text, never run; no personal data of the forms on any page;
 * - the refusals: another Host (DNS rebinding), another site's page, any method but GET and HEAD;
 *   and a board that cannot reach Temporal, or names a namespace that does not exist, says so in
 *   one line, no stack trace.
 * Screenshots go to test-artifacts/ (board-*.png); with KSCP_README_SCREENSHOTS=1 also to
 * docs/images/, where the README shows them.
 */
import { Client, Connection } from '@temporalio/client';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { OpenDeadline } from '../../src/cli/commands/deadlines';
import type { ListedCase } from '../../src/cli/commands/list';
import type { StatusJson } from '../../src/cli/commands/status';
import { WorkingDayCalendar } from '../../src/calendar';
import { londonDate } from '../../src/london';
import { addDays } from '../../src/process/dates';
import { KscpNextDeadline, KscpNextDeadlineName, KscpNotifyingAgency, KscpOverdue, KscpStage } from '../../src/process/searchAttributes';
import { fictionalForm, nextRef, REPO_ROOT, SHIPPED_CALENDAR, SHIPPED_DIRECTORY, TEST_KEYS } from '../helpers/fixtures';
import { freePort, kscp, startNode, type Child } from '../helpers/processes';
import { CHROMIUM_ARGS, chromiumPath } from '../helpers/toolchain';

const artifacts = path.join(REPO_ROOT, 'test-artifacts');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'kscp-case-board-'));
const today = londonDate(new Date());
const by = 'A. Officer';
/** Text that must never reach the board: the forms' personal fields. */
const CANARY = { summary: `fictional-board-summary-${Date.now().toString(36)}`, notifier: `Board Canary ${Date.now().toString(36)}` };

const refs = { overdue: nextRef(2026), dueSoon: nextRef(2026), rapid: nextRef(2026), deferred: nextRef(2026), attention: nextRef(2026) };
let ports: Record<'temporal' | 'ui' | 'smtp' | 'mailUi' | 'codec' | 'board', number>;
let env: NodeJS.ProcessEnv;
let kscpEnv: NodeJS.ProcessEnv;
let start: Child;
let browser: Browser;
let board: string;
let calendar: WorkingDayCalendar;

async function run(args: string[]): Promise<string> {
  const r = await kscp(args, kscpEnv);
  if (r.code !== 0) throw new Error(`kscp ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

async function status(ref: string): Promise<StatusJson> {
  return JSON.parse(await run(['status', ref, '--json'])) as StatusJson;
}

async function until<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not so within ${ms / 1000}s: ${JSON.stringify(v).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Open a case through `kscp notify`, day 0 `laAwareOn`. */
async function notify(ref: string, laAwareOn: string, notifyingAgency: string): Promise<void> {
  const knownAt = `${laAwareOn}T09:00:00Z`;
  const form = fictionalForm({
    ref,
    notifyingAgency,
    incidentDate: addDays(laAwareOn, -1),
    knownAt,
    laAwareOn,
    formReceivedAt: new Date(Math.min(Date.parse(knownAt) + 3_600_000, Date.now())).toISOString(),
    summary: CANARY.summary,
    notifier: { name: CANARY.notifier, email: 'board.canary@health.example.org', role: 'Named Nurse' },
    agenciesInvolved: [notifyingAgency, 'social-care'].filter((a, i, all) => all.indexOf(a) === i),
  });
  const file = path.join(tmp, `${ref}.json`);
  writeFileSync(file, JSON.stringify(form));
  await run(['notify', '--file', file]);
}

const decide = (ref: string, on: string) => run(['la-decision', ref, '--notifiable', 'yes', '--panel-notified', on, '--ofsted', 'not-required', '--by', by]);

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  calendar = new WorkingDayCalendar(JSON.parse(readFileSync(SHIPPED_CALENDAR, 'utf8')).extraHolidays);
  ports = { temporal: await freePort(), ui: await freePort(), smtp: await freePort(), mailUi: await freePort(), codec: await freePort(), board: await freePort() };
  // The worker's directory lacks public-health: an email to that agency cannot go, and its case needs attention.
  const directory = JSON.parse(readFileSync(SHIPPED_DIRECTORY, 'utf8')) as { agencies: Record<string, unknown> };
  delete directory.agencies['public-health'];
  const workerDirectory = path.join(tmp, 'directory-without-public-health.json');
  writeFileSync(workerDirectory, JSON.stringify(directory));
  env = {
    KSCP_DATA_DIR: path.join(tmp, 'data'),
    KSCP_TEMPORAL_PORT: String(ports.temporal),
    KSCP_TEMPORAL_UI_PORT: String(ports.ui),
    KSCP_MAIL_PORT: String(ports.smtp),
    KSCP_MAIL_UI_PORT: String(ports.mailUi),
    KSCP_CODEC_PORT: String(ports.codec),
    KSCP_BOARD_PORT: String(ports.board),
    KSCP_ENCRYPTION_KEYS: TEST_KEYS,
    KSCP_CODEC_TOKEN: '',
    KSCP_CODEC_TOKEN_FILE: '',
    KSCP_DIRECTORY_FILE: workerDirectory,
    TEMPORAL_ADDRESS: '',
    TEMPORAL_NAMESPACE: '',
    SMTP_HOST: '',
  };
  kscpEnv = { ...env, KSCP_DIRECTORY_FILE: SHIPPED_DIRECTORY };
  start = startNode('dist/workers/start.js', env);
  await start.waitForOutput(/Press Ctrl-C to stop/, 150_000);
  board = `http://127.0.0.1:${ports.board}`;

  // Six weeks ago, nothing recorded since: both statutory clocks have run out.
  await notify(refs.overdue, addDays(today, -42), 'health');
  // Aware a working day ago: the Panel notification falls due this week.
  await notify(refs.dueSoon, calendar.subtractWorkingDays(today, 1), 'police');
  // In the Rapid Review: its 15 working days are not up this week.
  await notify(refs.rapid, addDays(today, -2), 'education');
  await decide(refs.rapid, addDays(today, -1));
  // In the Rapid Review with an information request to an agency the worker's directory lacks.
  await notify(refs.attention, addDays(today, -2), 'health');
  await decide(refs.attention, addDays(today, -1));
  await run(['info-request', refs.attention, '--agency', 'public-health', '--requested', today, '--due', addDays(today, 20), '--by', by]);
  // An LCSPR initiated eight months ago, its publication deferred to a date to come; its Rapid
  // Review went in late, and Ofsted, which the LA decided must be told, has not been.
  const aware = addDays(today, -270);
  await notify(refs.deferred, aware, 'social-care');
  await run(['la-decision', refs.deferred, '--notifiable', 'yes', '--panel-notified', addDays(aware, 2), '--ofsted', 'required', '--by', by]);
  await run(['rapid-review', refs.deferred, '--meeting', addDays(aware, 20), '--submitted', addDays(aware, 25), '--outcome', 'local-review', '--rationale', 'Fictional.', '--by', by]);
  await run(['partners-informed', refs.deferred, '--on', addDays(aware, 27), '--by', by]);
  await run(['panel-response', refs.deferred, '--received', addDays(aware, 30), '--decision', 'local-review', '--by', by]);
  await run(['lcspr-start', refs.deferred, '--initiated', addDays(aware, 35), '--methodology', 'case-authored', '--by', by]);
  await run(['views', refs.deferred, '--from', 'practitioners', '--on', addDays(aware, 60), '--by', by]);
  await run(['defer', refs.deferred, '--reason', 'Criminal trial (fictional).', '--new-date', addDays(today, 60), '--panel-told', addDays(aware, 200), '--by', by]);

  await until('the overdue case marked overdue', () => status(refs.overdue), (s) => s.deadlines.some((d) => d.name === 'panel-notification' && d.status === 'overdue'));
  await until('the case that needs attention flagged', () => status(refs.attention), (s) => (s.record.attention ?? []).length > 0);
  // The case board's search attributes are eventually consistent: wait until kscp list sees them.
  await until(
    'kscp list shows every case as the board will',
    async () => JSON.parse(await run(['list', '--json'])) as ListedCase[],
    (cs) => cs.length === 5 && cs.find((c) => c.ref === refs.attention)?.attention === true && cs.find((c) => c.ref === refs.overdue)?.overdue === true,
  );
  browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  if (start) expect(await start.stop('SIGINT')).toBe(0);
});

/** The screenshots the README shows (docs/images/). */
const README_SCREENSHOTS = ['board-open-cases.png', 'board-case.png', 'board-this-week.png'];

/** Keep a screenshot in test-artifacts/ (and, when asked, in docs/images/ for the README). */
async function screenshot(page: Page, name: string): Promise<void> {
  const file = path.join(artifacts, name);
  await page.screenshot({ path: file, fullPage: true });
  if (process.env.KSCP_README_SCREENSHOTS === '1' && README_SCREENSHOTS.includes(name)) {
    mkdirSync(path.join(REPO_ROOT, 'docs', 'images'), { recursive: true });
    copyFileSync(file, path.join(REPO_ROOT, 'docs', 'images', name));
  }
}

async function open(url: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1500, height: 900 } });
  const response = await page.goto(url);
  expect(response?.status()).toBe(200);
  return page;
}

/** The rows of a table on the page, as the browser shows them: refs and the text of each cell. */
async function rows(page: Page, selector: string): Promise<Array<{ ref: string; deadline: string; cells: string[] }>> {
  return page.$$eval(`${selector} tbody tr`, (trs) =>
    trs.map((tr) => ({
      ref: tr.getAttribute('data-ref') ?? '',
      deadline: tr.getAttribute('data-deadline') ?? '',
      cells: Array.from(tr.querySelectorAll('td')).map((td) => (td as unknown as { innerText: string }).innerText.replace(/\s+/g, ' ').trim()),
    })),
  );
}

describe('the open cases', () => {
  it('lists every open case with its stage, next deadline and working days left; OVERDUE in red; the case that needs attention flagged', async () => {
    const page = await open(`${board}/`);
    try {
      const shown = await rows(page, 'table.cases');
      expect(shown.map((r) => r.ref).sort()).toEqual(Object.values(refs).sort());
      const row = (ref: string) => shown.find((r) => r.ref === ref)!.cells;
      // case, stage, route, notified by, next deadline, due, working days left, flags, Temporal link
      expect(row(refs.overdue).slice(0, 4)).toEqual([refs.overdue, 'LA_DECISION Waiting for the LA decision on notification', '-', 'health']);
      const overdueBy = (await status(refs.overdue)).deadlines.find((d) => d.name === 'panel-notification')!.workingDaysLate;
      expect(row(refs.overdue)[6]).toBe(`OVERDUE by ${overdueBy} working days`);
      expect(row(refs.overdue)[7]).toBe('OVERDUE');
      const color = await page.$eval(`tr[data-ref="${refs.overdue}"] td.when`, (td) => (globalThis as unknown as { getComputedStyle: (e: unknown) => { color: string } }).getComputedStyle(td).color);
      expect(color).toBe('rgb(176, 0, 32)');
      // Working days left, counted as the workflows count them.
      const rapidDue = (await status(refs.rapid)).deadlines.find((d) => d.name === 'rapid-review')!.due!;
      expect(row(refs.rapid).slice(4, 8)).toEqual([
        'Rapid Review template to the National Panel rapid-review',
        new Date(`${rapidDue}T12:00:00Z`).toLocaleDateString('en-GB', { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' }).replace(',', ''),
        `in ${calendar.workingDaysBetween(today, rapidDue)} working days`,
        '',
      ]);
      expect(row(refs.attention)[7]).toBe('NEEDS ATTENTION');
      expect(row(refs.deferred)[2]).toBe('local review (LCSPR)');
      // Each case links to its page in the Temporal Web UI.
      const href = await page.$eval(`tr[data-ref="${refs.rapid}"] a.temporal`, (a) => a.getAttribute('href'));
      expect(href).toBe(`http://127.0.0.1:${ports.ui}/namespaces/kscp/workflows/incident-${refs.rapid}`);
      expect(await page.textContent('p.summary')).toMatch(/^5 open cases, \d+ OVERDUE, 1 NEEDS ATTENTION\./);
      await screenshot(page, 'board-open-cases.png');
    } finally {
      await page.close();
    }
  });

  it("follows a case's link to its page in the Temporal Web UI", async () => {
    const page = await open(`${board}/`);
    try {
      await page.click(`tr[data-ref="${refs.rapid}"] a.temporal`);
      await page.waitForURL(new RegExp(`^http://127\\.0\\.0\\.1:${ports.ui}/namespaces/kscp/workflows/incident-${refs.rapid}/`), { timeout: 30_000 });
      await page.getByText('Workflow Type').first().waitFor({ timeout: 30_000 });
      expect(await page.innerText('body')).toContain(`incident-${refs.rapid}`);
    } finally {
      await page.close();
    }
  });

  it.each([
    ['stage', ['--stage', 'RAPID_REVIEW'], async (page: Page) => page.selectOption('select[name="stage"]', 'RAPID_REVIEW')],
    ['overdue', ['--overdue'], async (page: Page) => page.check('input[name="overdue"]')],
  ])('filtered by %s, shows the cases kscp list shows', async (_what, listArgs, choose) => {
    const page = await open(`${board}/`);
    try {
      await choose(page);
      await Promise.all([page.waitForURL(/\?/), page.click('button[type="submit"]')]);
      const listed = (JSON.parse(await run(['list', ...listArgs, '--json'])) as ListedCase[]).map((c) => c.ref);
      expect(listed.length).toBeGreaterThan(0);
      expect(listed.length).toBeLessThan(5);
      expect((await rows(page, 'table.cases')).map((r) => r.ref)).toEqual(listed);
      if (_what === 'overdue') await screenshot(page, 'board-overdue.png');
    } finally {
      await page.close();
    }
  });

  it('filtered by notifying agency, shows the cases that agency notified', async () => {
    const page = await open(`${board}/`);
    try {
      await page.selectOption('select[name="agency"]', 'police');
      await Promise.all([page.waitForURL(/agency=police/), page.click('button[type="submit"]')]);
      expect((await rows(page, 'table.cases')).map((r) => r.ref)).toEqual([refs.dueSoon]);
    } finally {
      await page.close();
    }
  });

  it('refuses a filter that is not allowed, with the allowed values', async () => {
    const res = await fetch(`${board}/?stage=DONE`);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('stage: &quot;DONE&quot; is not a stage (allowed: LA_DECISION,');
  });
});

describe('a case', () => {
  it('draws its deadlines on a time line (statutory date, revised target, met on time, OVERDUE, today) and says each in the words of kscp status', async () => {
    const page = await open(`${board}/cases/${refs.deferred.toLowerCase()}`);
    try {
      expect(await page.textContent('h1')).toBe(`Case ${refs.deferred}`);
      const s = await status(refs.deferred);
      const svg = page.locator('svg.timeline');
      // One row per dated deadline, each with its statutory date.
      const dated = s.deadlines.filter((d) => d.due !== null).map((d) => d.name);
      expect(await svg.locator('g.row').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-deadline')))).toEqual(dated);
      expect(await svg.locator('path.due-mark').count()).toBe(dated.length);
      const publication = s.deadlines.find((d) => d.name === 'lcspr-publication')!;
      expect(publication.revisedTarget).toBe(addDays(today, 60));
      const revised = svg.locator('g.row[data-deadline="lcspr-publication"] path.revised-mark title');
      expect(await revised.textContent()).toMatch(/^lcspr-publication: deferred, revised target \w{3} \d{1,2} \w{3} \d{4}$/);
      expect(await svg.locator('g.row[data-deadline="panel-notification"] circle.met-on-time').count()).toBe(1);
      expect(s.deadlines.find((d) => d.name === 'rapid-review')).toMatchObject({ status: 'met', onTime: false });
      expect(await svg.locator('g.row[data-deadline="rapid-review"] circle.met-late title').textContent()).toMatch(/^rapid-review: met \w{3} \d{1,2} \w{3,4} \d{4}, LATE by \d+ working days?$/);
      expect(s.deadlines.find((d) => d.name === 'ofsted-notification')?.status).toBe('overdue');
      const overdue = s.deadlines.filter((d) => d.status === 'overdue').map((d) => d.name);
      expect(await svg.locator('line.overdue-run').count()).toBe(overdue.length);
      expect(await svg.locator('g.today text').textContent()).toMatch(/^today /);
      // The table says each deadline in kscp status's words.
      const text = await run(['status', refs.deferred]);
      const statusRows = text
        .split('\n')
        .filter((l) => /^ {2}[a-z]/.test(l))
        .map((l) => l.trim().split(/ {2,}/));
      const wordsOf = new Map(statusRows.map((cells) => [cells[0], cells[2]]));
      const shown = await rows(page, 'table.deadlines');
      expect(shown.map((r) => r.deadline)).toEqual(s.deadlines.map((d) => d.name));
      for (const r of shown) expect({ deadline: r.deadline, words: r.cells[3] }).toEqual({ deadline: r.deadline, words: wordsOf.get(r.deadline) });
      expect(wordsOf.get('lcspr-publication')).toMatch(/^open; deferred: revised target \w{3} \d{1,2} \w{3} \d{4}, \d+ working days past the statutory date$/);
      await screenshot(page, 'board-case.png');
    } finally {
      await page.close();
    }
  });

  it('shows what needs attention and what to do', async () => {
    const page = await open(`${board}/cases/${refs.attention}`);
    try {
      const box = await page.innerText('section.attention-box');
      expect(box).toMatch(/^NEEDS ATTENTION/);
      expect(box).toContain('agency "public-health" is not in the directory');
    } finally {
      await page.close();
    }
  });

  it('says there is no such case (404), and a reference that is not one (400), in one line', async () => {
    const missing = await fetch(`${board}/cases/KSCP-2026-999`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('no case KSCP-2026-999: there is no workflow incident-KSCP-2026-999');
    const bad = await fetch(`${board}/cases/not-a-ref`);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('&quot;not-a-ref&quot; is not a case reference: use the partnership&#39;s format, e.g. KSCP-2026-014');
  });
});

describe('this week', () => {
  it('shows the rows of kscp deadlines --within 7, in its order and its words', async () => {
    const page = await open(`${board}/week`);
    try {
      const json = JSON.parse(await run(['deadlines', '--within', '7', '--json'])) as OpenDeadline[];
      const text = await run(['deadlines', '--within', '7']);
      const shown = await rows(page, 'table.deadlines');
      expect(shown.map((r) => [r.ref, r.deadline])).toEqual(json.map((d) => [d.ref, d.deadline]));
      expect(json.map((d) => d.ref)).toEqual(expect.arrayContaining([refs.overdue, refs.dueSoon]));
      expect(json.map((d) => d.ref)).not.toContain(refs.rapid);
      // due, when, case, deadline, what is due: the same text as the terminal's table.
      // (The table ends at its first blank line; what needs attention follows it, and the board shows that on each case.)
      const table = text.split('\n').slice(4);
      const lines = table.slice(0, table.indexOf('') < 0 ? undefined : table.indexOf('')).map((l) => l.split(/ {2,}/));
      expect(shown.map((r) => [r.cells[0], (r.cells[1] ?? '').replace(/ NEEDS ATTENTION$/, ''), r.cells[2], r.cells[3], r.cells[4]])).toEqual(lines);
      await screenshot(page, 'board-this-week.png');
    } finally {
      await page.close();
    }
  });
});

describe('what the board will not do', () => {
  it('shows no personal data from the forms on any page', async () => {
    for (const url of ['/', '/week', ...Object.values(refs).map((r) => `/cases/${r}`)]) {
      const body = await (await fetch(`${board}${url}`)).text();
      expect({ url, summary: body.includes(CANARY.summary), notifier: body.includes(CANARY.notifier), officer: body.includes(by) }).toEqual({ url, summary: false, notifier: false, officer: false });
    }
  });

  /** A raw request, with headers a browser would not let a page set. */
  function request(method: string, urlPath: string, headers: Record<string, string>): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
    return new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: ports.board, method, path: urlPath, headers }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('answers only to its own address: a page that points its own name at 127.0.0.1 (DNS rebinding) is refused', async () => {
    expect((await request('GET', '/', { Host: `127.0.0.1:${ports.board}` })).status).toBe(200);
    expect((await request('GET', '/', { Host: `localhost:${ports.board}` })).status).toBe(200);
    const rebound = await request('GET', '/', { Host: `attacker.example:${ports.board}` });
    expect(rebound.status).toBe(403);
    expect(rebound.body).not.toContain(refs.overdue);
  });

  it("refuses another site's page (its Origin, or a cross-site fetch or frame), but opens from a link anywhere", async () => {
    const host = { Host: `127.0.0.1:${ports.board}` };
    expect((await request('GET', '/', { ...host, Origin: 'https://attacker.example' })).status).toBe(403);
    expect((await request('GET', '/', { ...host, 'Sec-Fetch-Site': 'cross-site', 'Sec-Fetch-Mode': 'cors', 'Sec-Fetch-Dest': 'empty' })).status).toBe(403);
    expect((await request('GET', '/', { ...host, 'Sec-Fetch-Site': 'cross-site', 'Sec-Fetch-Mode': 'navigate', 'Sec-Fetch-Dest': 'iframe' })).status).toBe(403);
    expect((await request('GET', '/', { ...host, 'Sec-Fetch-Site': 'cross-site', 'Sec-Fetch-Mode': 'navigate', 'Sec-Fetch-Dest': 'document' })).status).toBe(200);
    // In the browser: a page of another origin cannot read it.
    const page = await browser.newPage();
    try {
      await page.goto(`http://127.0.0.1:${ports.mailUi}/index.html`);
      const read = await page.evaluate(async (url) => {
        try {
          return await (await fetch(url)).text();
        } catch (err) {
          return `failed: ${(err as Error).message}`;
        }
      }, `${board}/`);
      expect(read).toMatch(/^failed/);
    } finally {
      await page.close();
    }
    expect(start.output()).toMatch(/case board: refused GET \/ from [^:]+: origin http:\/\/127\.0\.0\.1:\d+ is not the board's/);
  });

  it('is read-only: any method but GET and HEAD is refused; pages carry no script and may not be framed', async () => {
    const host = { Host: `127.0.0.1:${ports.board}` };
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const res = await request(method, '/', host);
      expect({ method, status: res.status, allow: res.headers.allow }).toEqual({ method, status: 405, allow: 'GET, HEAD' });
    }
    const res = await request('GET', '/', host);
    expect(res.headers['content-security-policy']).toBe("default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.body).not.toMatch(/<script/i);
  });

  it('shows markup put in a case by anyone who reaches Temporal (workflow id, search attributes) as text, never as markup', async () => {
    const connection = await Connection.connect({ address: `127.0.0.1:${ports.temporal}` });
    const client = new Client({ connection, namespace: 'kscp' });
    const hostile = {
      id: `incident-<img src=x onerror="document.title='pwned-id'">`,
      stage: `<script>document.title='pwned-stage'</script>`,
      name: `"><b id="pwned">deadline</b>`,
      agency: `<svg onload="document.title='pwned-agency'">`,
    };
    // No worker polls this queue: the workflow stays open, as a case would, with what it was given.
    const handle = await client.workflow.start('incident', {
      taskQueue: 'kscp-nobody-polls',
      workflowId: hostile.id,
      typedSearchAttributes: [
        { key: KscpStage, value: hostile.stage },
        { key: KscpNextDeadlineName, value: hostile.name },
        { key: KscpNextDeadline, value: new Date(Date.now() - 86_400_000) },
        { key: KscpNotifyingAgency, value: hostile.agency },
        { key: KscpOverdue, value: true },
      ],
    });
    const page = await browser.newPage({ viewport: { width: 1500, height: 900 } });
    const dialogs: string[] = [];
    page.on('dialog', (d) => void (dialogs.push(d.message()), d.dismiss()));
    try {
      await until('the hostile case listed', async () => (await (await fetch(`${board}/`)).text()).includes('pwned-id'), (v) => v);
      await page.goto(`${board}/`);
      const text = await page.innerText('table.cases');
      for (const value of [hostile.id.replace(/^incident-/, ''), hostile.stage, hostile.name, hostile.agency]) expect(text).toContain(value);
      expect(await page.title()).toBe('Open cases · KSCP case board');
      expect(await page.$$eval('script, img, svg[onload], b#pwned', (els) => els.length)).toBe(0);
      expect(dialogs).toEqual([]);
      await screenshot(page, 'board-markup-as-text.png');
    } finally {
      await page.close();
      await handle.terminate('test over');
      await connection.close();
    }
  });

  it('says in one line when it cannot reach Temporal, or the namespace does not exist (no stack trace)', async () => {
    for (const [setting, value, status, message] of [
      ['TEMPORAL_ADDRESS', `127.0.0.1:${await freePort()}`, 503, /cannot reach Temporal at 127\.0\.0\.1:\d+ .*is `npm start` running, or is TEMPORAL_ADDRESS right\?/],
      ['TEMPORAL_NAMESPACE', 'no-such-namespace', 500, /TEMPORAL_NAMESPACE=no-such-namespace: Temporal at 127\.0\.0\.1:\d+ has no namespace &quot;no-such-namespace&quot;/],
    ] as const) {
      const port = await freePort();
      const alone = startNode('dist/workers/board.js', { ...kscpEnv, TEMPORAL_ADDRESS: `127.0.0.1:${ports.temporal}`, [setting]: value, KSCP_BOARD_PORT: String(port), KSCP_UI_URL: `http://127.0.0.1:${ports.ui}` });
      try {
        await alone.waitForOutput(/kscp case board: listening on/);
        const res = await fetch(`http://127.0.0.1:${port}/`);
        const body = await res.text();
        expect({ setting, status: res.status }).toEqual({ setting, status });
        expect(body).toMatch(message);
        expect(body).not.toMatch(/\n\s+at /);
      } finally {
        await alone.stop();
      }
    }
  });
});
