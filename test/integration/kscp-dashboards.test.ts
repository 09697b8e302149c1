/**
 * The dashboards, calendar invites, interactive intake and email content on real parts: the
 * Temporal dev server, the worker as its own process, a real SMTP server, and the real `kscp`
 * run as a subprocess with its answers piped to stdin as a script would.
 */
import { startStack, type Stack } from '../helpers/stack';
import { Client, Connection } from '@temporalio/client';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ParsedMail } from 'mailparser';
import type { OpenDeadline } from '../../src/cli/commands/deadlines';
import type { ListedCase } from '../../src/cli/commands/list';
import type { StatusJson } from '../../src/cli/commands/status';
import type { TimelineJson } from '../../src/cli/commands/timeline';
import { dataConverter, loadKeys } from '../../src/codec';
import { addDays } from '../../src/process/dates';
import { workflowIdFor } from '../../src/process/incident';
import { londonDate } from '../../src/london';
import { timelineQuery } from '../../src/process/messages';
import { type DevServer } from '../../src/toolchain/devServer';
import { fictionalForm, nextRef, REPO_ROOT, TEST_KEYS } from '../helpers/fixtures';
import { parseCalendar } from '../helpers/icalendar';
import { kscp, type Run } from '../helpers/processes';
import { type Mailbox } from '../helpers/smtp';

const NAMESPACE = 'kscp-dash';
const tmp = mkdtempSync(path.join(os.tmpdir(), 'kscp-dash-'));
let stack: Stack;
let server: DevServer;
let mailbox: Mailbox;
let client: Client;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  stack = await startStack({ namespace: NAMESPACE, dataDir: tmp });
  ({ server, mailbox, env } = stack);
  client = new Client({ connection: await Connection.connect({ address: server.address }), namespace: NAMESPACE, dataConverter: dataConverter(loadKeys('', { KSCP_ENCRYPTION_KEYS: TEST_KEYS })) });
}, 120_000);

afterAll(async () => {
  await client?.connection.close();
  await stack?.stop();
});

/** `kscp ...args` with `lines` piped to its stdin, then stdin closed (as `printf ... | kscp ...`). */
function kscpAnswering(args: string[], lines: string[]): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'kscp.js'), ...args], { env: { ...process.env, ...env, NO_COLOR: '1' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => child.kill(), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr, ms: Date.now() - started });
    });
    child.stdin.end(lines.map((l) => `${l}\n`).join(''));
  });
}

const today = londonDate(new Date());
const by = 'Test Officer';

async function status(ref: string): Promise<StatusJson> {
  const run = await kscp(['status', ref, '--json'], env);
  expect(run).toMatchObject({ code: 0 });
  return JSON.parse(run.stdout) as StatusJson;
}

/** The case board is eventually consistent: ask until `ok` holds (or give up and show the last answer). */
async function listUntil(args: string[], ok: (cases: ListedCase[]) => boolean): Promise<ListedCase[]> {
  let cases: ListedCase[] = [];
  for (let i = 0; i < 75; i++) {
    const run = await kscp(['list', ...args, '--json'], env);
    expect(run.code).toBe(0);
    cases = JSON.parse(run.stdout) as ListedCase[];
    if (ok(cases)) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  return cases;
}

const about = (ref: string, deadline: string) => (m: ParsedMail) => m.subject?.startsWith(`[${ref}]`) === true && m.headers.get('x-kscp-deadline') === deadline;

/** A case opened a month ago: the Panel notification and the Rapid Review are overdue. */
const late = nextRef(2026);
/** A case opened today through the questions: a child died, a police investigation. */
const fresh = nextRef(2026);

function answersFor(ref: string): string[] {
  return [
    ref,
    'police',
    'Test Notifier',
    'test.notifier@police.example.org',
    'Detective Sergeant',
    addDays(today, -1),
    new Date(Date.now() - 2 * 3_600_000).toISOString(),
    today,
    '',
    'yes',
    'died-abuse-neglect',
    'yes',
    'police, social-care',
    'Fictional summary for a test: no real case.',
  ];
}

describe('kscp notify without --file asks for each field', () => {
  it('asks again with the reason after a bad answer, shows a summary, and opens the case after "yes"', async () => {
    const answers = answersFor(fresh);
    // Bad answers before good ones (from the end, so the indexes hold): an agency not in the
    // directory, a time that is not a time, a malformed reference.
    answers.splice(12, 0, 'fire-service');
    answers.splice(6, 0, 'soon');
    answers.splice(0, 0, 'case-1');
    const run = await kscpAnswering(['notify'], [...answers, 'yes']);
    expect(run.stderr).toContain('ref: "CASE-1" is not a case reference: use the partnership\'s format, e.g. KSCP-2026-014. Please answer again.');
    expect(run.stderr).toContain('agenciesInvolved: "fire-service" is not an agency in the directory');
    expect(run.stderr).toContain('knownAt: "soon" is not a date and time with its offset');
    expect(run.stderr).toMatch(new RegExp(`ref: +${fresh}\\n[\\s\\S]*child died: +yes[\\s\\S]*Open case ${fresh} and start its deadlines\\? \\[yes/no\\]: yes`));
    expect(run.code).toBe(0);
    expect(run.stdout.trim().split('\n').at(-1)).toBe(workflowIdFor(fresh));
    const s = await status(fresh);
    expect(s.stage).toBe('LA_DECISION');
    expect(s.record).toMatchObject({ childDied: true, policeInvestigation: true, criteria: ['died-abuse-neglect'], agenciesInvolved: ['police', 'social-care'] });
  });

  it('starts nothing on "no" at the confirmation (exit 6)', async () => {
    const ref = nextRef(2026);
    const run = await kscpAnswering(['notify'], [...answersFor(ref), 'no']);
    expect(run.code).toBe(6);
    expect(run.stderr).toContain('kscp: cancelled at the confirmation: nothing was started or recorded');
    expect(run.stdout).toBe('');
    expect(await kscp(['status', ref], env)).toMatchObject({ code: 4 });
  });

  it('refuses with a clear error when stdin ends before the last answer, and starts nothing', async () => {
    const ref = nextRef(2026);
    const run = await kscpAnswering(['notify'], answersFor(ref).slice(0, 6));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('kscp: standard input ended before the answer to knownAt: nothing was started or recorded');
    expect(await kscp(['status', ref], env)).toMatchObject({ code: 4 });
    const none = await kscpAnswering(['notify'], []);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('standard input ended before the answer to ref');
  });
});

describe('kscp la-decision without --notifiable asks for the decision', () => {
  it('records nothing on "no" at the confirmation', async () => {
    const before = await status(fresh);
    const run = await kscpAnswering(['la-decision', fresh], ['yes', today, 'no', by, 'no']);
    expect(run.code).toBe(6);
    expect(await status(fresh)).toEqual(before);
  });

  it('asks again after a bad answer and records the decision after "yes"', async () => {
    const run = await kscpAnswering(['la-decision', fresh, '--by', by], ['maybe', 'yes', addDays(today, 2), today, 'maybe', 'yes', addDays(today, 1), today, 'yes']);
    expect(run.stderr).toContain('notifiable: answer yes or no, not "maybe". Please answer again.');
    expect(run.stderr).toContain(`panel-notified: ${addDays(today, 2)} is in the future`);
    expect(run.stderr).toContain('ofsted: answer yes or no, not "maybe". Please answer again.');
    expect(run.stderr).toContain(`ofsted-notified: ${addDays(today, 1)} is in the future`);
    expect(run.stderr).not.toContain('Who made');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Stage: RAPID_REVIEW/);
    expect((await status(fresh)).stage).toBe('RAPID_REVIEW');
  });
});

describe('reminder emails over real SMTP', () => {
  it('carry a text part, an HTML part and the deadline as an all-day calendar event', async () => {
    const mail = await mailbox.waitFor(about(fresh, 'rapid-review'));
    const s = await status(fresh);
    const due = s.deadlines.find((d) => d.name === 'rapid-review')!.due!;
    expect(mail.text).toContain(`Case reference: ${fresh}`);
    expect(mail.text).toContain('What is due: Rapid Review template to the National Panel');
    expect(mail.text).toContain('A police investigation is under way in this case.');
    expect(mail.text).toContain('Child Death Overview Panel (CDOP)');
    expect(mail.html).toBeTruthy();
    const html = String(mail.html);
    expect(html).toContain(`Case reference: ${fresh}`);
    expect(html).toContain('Child Death Overview Panel (CDOP)');
    expect(html).toContain('--by &quot;Name&quot;');
    expect(html).not.toContain('Fictional summary');
    const invites = mail.attachments.filter((a) => a.contentType === 'text/calendar');
    expect(invites).toHaveLength(1);
    expect(invites[0]!.filename).toBe('deadline.ics');
    const { events } = parseCalendar(invites[0]!.content.toString('utf8'));
    expect(events).toEqual([expect.objectContaining({ uid: `${fresh}.rapid-review@kscp.deadlines`, start: due, allDay: true })]);
    expect(invites[0]!.content.toString('utf8')).not.toMatch(/Fictional summary|Test Notifier|police\.example\.org/);
  });
});

describe('dashboards across cases', () => {
  beforeAll(async () => {
    const form = fictionalForm({
      ref: late,
      incidentDate: addDays(today, -32),
      knownAt: new Date(Date.now() - 31 * 86_400_000).toISOString(),
      laAwareOn: addDays(today, -30),
    });
    const file = path.join(tmp, 'late.json');
    writeFileSync(file, JSON.stringify(form));
    expect(await kscp(['notify', '--file', file], env)).toMatchObject({ code: 0 });
  });

  it('list --overdue shows the overdue case and not the other; --stage picks a stage', async () => {
    const overdue = await listUntil(['--overdue'], (cs) => cs.some((c) => c.ref === late));
    expect(overdue.map((c) => c.ref)).toEqual([late]);
    expect(overdue[0]).toMatchObject({ overdue: true, stage: 'LA_DECISION' });
    const rapid = await listUntil(['--stage', 'RAPID_REVIEW'], (cs) => cs.some((c) => c.ref === fresh));
    expect(rapid.map((c) => c.ref)).toEqual([fresh]);
    const table = await kscp(['list', '--overdue'], env);
    expect(table.stdout).toMatch(new RegExp(`^${late}\\s+LA_DECISION\\s+panel-notification .*OVERDUE$`, 'm'));
    expect(table.stdout).not.toContain('\x1b[');
    const none = await kscp(['list', '--stage', 'lcspr'], env);
    expect(none).toMatchObject({ code: 0, stdout: 'No open cases at stage LCSPR.\n' });
  });

  it('list --stage refuses a stage that does not exist', async () => {
    const run = await kscp(['list', '--stage', 'REVIEWING'], env);
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe('kscp: --stage: "REVIEWING" is not a stage (allowed: LA_DECISION, RAPID_REVIEW, PANEL_RESPONSE, LCSPR, NATIONAL_REVIEW, SIGN_OFF, PUBLISHED, LEARNING, CLOSED)');
  });

  it('deadlines lists every open deadline soonest first, overdue flagged; --within keeps the near ones and all overdue', async () => {
    const run = await kscp(['deadlines', '--json'], env);
    expect(run.code).toBe(0);
    const all = JSON.parse(run.stdout) as OpenDeadline[];
    expect(all.map((d) => [d.ref, d.deadline, d.status])).toEqual([
      [late, 'panel-notification', 'overdue'],
      [late, 'rapid-review', 'overdue'],
      [fresh, 'rapid-review', 'open'],
    ]);
    expect(all.map((d) => d.dueAt)).toEqual([...all.map((d) => d.dueAt)].sort());
    expect(all[0]!.daysLeft).toBeLessThan(0);
    const near = JSON.parse((await kscp(['deadlines', '--within', '0', '--json'], env)).stdout) as OpenDeadline[];
    expect(near.map((d) => [d.ref, d.deadline])).toEqual([[late, 'panel-notification'], [late, 'rapid-review']]);
    const month = JSON.parse((await kscp(['deadlines', '--within', '31', '--json'], env)).stdout) as OpenDeadline[];
    expect(month).toHaveLength(3);
    const table = await kscp(['deadlines', '--within', '0'], env);
    expect(table.stdout).toMatch(/^Open deadlines due within 0 days .* or overdue: 2, 2 OVERDUE/);
    // Late is counted in working days, in the words kscp status and the emails use.
    expect(table.stdout).toMatch(new RegExp(`OVERDUE by \\d+ working days\\s+${late}\\s+panel-notification\\s+LA notification of the serious incident to the National Panel`));
    const lateBy = (await status(late)).deadlines.find((d) => d.name === 'panel-notification')!.workingDaysLate;
    expect(table.stdout).toContain(`OVERDUE by ${lateBy} working days`);
    expect(await kscp(['deadlines', '--within', 'soon'], env)).toMatchObject({ code: 2, stderr: expect.stringContaining('--within: must be a whole number of calendar days') });
  });

  it('deadlines --ics exports every open deadline as a calendar, with the UIDs of the emails', async () => {
    const run = await kscp(['deadlines', '--ics'], env);
    expect(run.code).toBe(0);
    const file = path.join(tmp, 'kscp.ics');
    writeFileSync(file, run.stdout);
    const { events } = parseCalendar(run.stdout);
    expect(events.map((e) => e.uid)).toEqual([`${late}.panel-notification@kscp.deadlines`, `${late}.rapid-review@kscp.deadlines`, `${fresh}.rapid-review@kscp.deadlines`]);
    expect(events.every((e) => e.allDay)).toBe(true);
    const s = await status(late);
    expect(events[0]!.start).toBe(s.deadlines.find((d) => d.name === 'panel-notification')!.due);
  });

  it('timeline shows who recorded what and every reminder, in time order, and matches the timeline query', async () => {
    const run = await kscp(['timeline', fresh, '--json'], env);
    expect(run.code).toBe(0);
    const t = JSON.parse(run.stdout) as TimelineJson;
    expect(t.entries.map((e) => e.at)).toEqual([...t.entries.map((e) => e.at)].sort());
    expect(t.entries[0]).toMatchObject({ kind: 'recorded', what: expect.stringMatching(/^eCase form recorded/) });
    expect(t.entries.find((e) => e.kind === 'recorded' && e.by === by)?.what).toMatch(/^LA decided the incident is notifiable/);
    const notice = t.entries.find((e) => e.reminder?.deadline === 'rapid-review');
    expect(notice).toMatchObject({ kind: 'reminder', reminder: { level: 1, levelName: 'notice', to: ['business-unit'] } });
    expect(notice!.what).toMatch(/^Level 1 notice sent about Rapid Review template to the National Panel \[rapid-review\], due \d{4}-\d{2}-\d{2}, to the KSCP Business Unit$/);
    const fromQuery = await client.workflow.getHandle(workflowIdFor(fresh)).query(timelineQuery);
    expect(fromQuery).toEqual(t.entries);
    const text = await kscp(['timeline', fresh], env);
    expect(text.stdout).toMatch(new RegExp(`^Case ${fresh}: stage RAPID_REVIEW`));
    expect(text.stdout).toMatch(/\d\d:\d\d (GMT|BST) {2}LA decided the incident is notifiable.*\(recorded by Test Officer\)/);
    expect(text.stdout).toMatch(/ {2}email: Level 1 notice sent about Rapid Review template/);
    expect(await kscp(['timeline', 'KSCP-2026-999'], env)).toMatchObject({ code: 4 });
  });
});
