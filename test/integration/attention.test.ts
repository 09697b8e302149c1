/**
 * Each email stands alone, and one that cannot go raises its case for attention (DESIGN.md §7,
 * docs/operations.md "Needs attention"), on real parts: the Temporal dev server, the worker as its
 * own process, a real SMTP server that refuses what a test chooses, the directory as a real file
 * the worker reads at every email, and the real `kscp`.
 *
 * - An agency removed from the directory while a case has an open information request to it: the
 *   case raises attention (list, deadlines, status, doctor, the case board's KscpAttention, one
 *   email to the Business Manager naming the problem and the fix), waits instead of retrying in a
 *   loop, and nothing else stops: another deadline of the same case gets its notice, another case
 *   goes on. Once the directory is restored, the email goes and the attention clears.
 * - A mail server that answers 550 for one of two recipients: the other gets the email, and the
 *   refused one raises attention.
 */
import { Client, Connection } from '@temporalio/client';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ParsedMail } from 'mailparser';
import type { DoctorJson } from '../../src/cli/commands/doctor';
import type { OpenDeadline } from '../../src/cli/commands/deadlines';
import type { ListedCase } from '../../src/cli/commands/list';
import type { StatusJson } from '../../src/cli/commands/status';
import type { TimelineJson } from '../../src/cli/commands/timeline';
import { dataConverter, loadKeys } from '../../src/codec';
import { londonDate } from '../../src/london';
import { addDays } from '../../src/process/dates';
import { workflowIdFor } from '../../src/process/incident';
import { ADDRESS, fictionalForm, nextRef, SHIPPED_DIRECTORY, TEST_KEYS } from '../helpers/fixtures';
import { kscp, type Run } from '../helpers/processes';
import { startStack, type Stack } from '../helpers/stack';

const NAMESPACE = 'kscp-attention';
const tmp = mkdtempSync(path.join(os.tmpdir(), 'kscp-attention-'));
const directoryFile = path.join(tmp, 'directory.json');
copyFileSync(SHIPPED_DIRECTORY, directoryFile);
const EDUCATION = 'education.safeguarding@council.example.org';
const POLICE = 'safeguarding.unit@police.example.org';

let stack: Stack;
let client: Client;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  stack = await startStack({ namespace: NAMESPACE, dataDir: tmp, env: { KSCP_DIRECTORY_FILE: directoryFile } });
  env = stack.env;
  client = new Client({ connection: await Connection.connect({ address: stack.server.address }), namespace: NAMESPACE, dataConverter: dataConverter(loadKeys('', { KSCP_ENCRYPTION_KEYS: TEST_KEYS })) });
}, 120_000);

afterAll(async () => {
  await client?.connection.close();
  await stack?.stop();
});

const today = londonDate(new Date());
const by = 'Test Officer';

/** Ask until `ok` holds (the case board and the workflow move on their own time); the last answer either way. */
async function until<T>(ask: () => Promise<T>, ok: (value: T) => boolean, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await ask();
    if (ok(value) || Date.now() > end) return value;
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function json<T>(args: string[], code = 0): Promise<T> {
  const run = await kscp([...args, '--json'], env);
  expect({ args, code: run.code, stderr: run.stderr }).toEqual({ args, code, stderr: code === 0 ? '' : expect.any(String) });
  return JSON.parse(run.stdout) as T;
}

const status = (ref: string): Promise<StatusJson> => json<StatusJson>(['status', ref]);

function ok(run: Run): Run {
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
  return run;
}

async function openCase(overrides: Parameters<typeof fictionalForm>[0] = {}): Promise<string> {
  const form = fictionalForm({ ref: nextRef(2026), incidentDate: addDays(today, -3), knownAt: new Date(Date.now() - 2 * 3_600_000).toISOString(), laAwareOn: addDays(today, -1), ...overrides });
  const file = path.join(tmp, `${form.ref}.json`);
  writeFileSync(file, JSON.stringify(form));
  ok(await kscp(['notify', '--file', file], env));
  return form.ref;
}

const toRapidReview = async (ref: string): Promise<Run> =>
  ok(await kscp(['la-decision', ref, '--notifiable', 'yes', '--panel-notified', addDays(today, -1), '--ofsted', 'not-required', '--by', by], env));

const about = (ref: string, deadline: string) => (m: ParsedMail) => m.subject?.startsWith(`[${ref}]`) === true && m.headers.get('x-kscp-deadline') === deadline;
const noticesFor = (ref: string) => stack.mailbox.messages.filter((m) => m.subject?.startsWith(`[${ref}]`) && m.headers.get('x-kscp-notice') === 'needs-attention');
const envelopeOf = (m: ParsedMail): string[] => stack.mailbox.envelopes[stack.mailbox.messages.indexOf(m)]!;

/** The refs the case board (the Web UI's search attributes) shows with KscpAttention = true. */
async function flaggedOnBoard(): Promise<string[]> {
  const refs: string[] = [];
  for await (const wf of client.workflow.list({ query: `KscpAttention = true AND ExecutionStatus = 'Running'` })) refs.push(wf.workflowId.replace(/^incident-/, ''));
  return refs.sort();
}

function writeDirectory(edit: (d: { agencies: Record<string, unknown> }) => void): void {
  const d = JSON.parse(readFileSync(SHIPPED_DIRECTORY, 'utf8')) as { agencies: Record<string, unknown> };
  edit(d);
  writeFileSync(directoryFile, JSON.stringify(d, null, 2));
}

describe('an agency removed from the directory while a case has an open information request to it', () => {
  let ref: string;
  let other: string;

  it('raises the case for attention when the request email cannot go, and tells the Business Manager once', async () => {
    ref = await openCase({ agenciesInvolved: ['education', 'health'] });
    other = await openCase();
    await toRapidReview(ref);
    // The request's notice is held for a moment (the agency's mail server greylists: 450, try
    // later); meanwhile the directory changes and the agency is gone: the next attempt finds no
    // address for it.
    stack.mailbox.refuseRecipient(EDUCATION, { code: 450, message: '4.2.0 Greylisted, please try again later' });
    ok(await kscp(['info-request', ref, '--agency', 'education', '--requested', today, '--due', addDays(today, 10), '--by', by], env));
    const handle = client.workflow.getHandle(workflowIdFor(ref));
    const retrying = await until(
      () => handle.describe(),
      (d) => (d.raw.pendingActivities ?? []).some((a) => a.activityType?.name === 'sendReminder' && (a.attempt ?? 0) >= 2),
      30_000,
    );
    expect((retrying.raw.pendingActivities ?? []).map((a) => [a.activityType?.name, a.attempt! >= 2])).toContainEqual(['sendReminder', true]);
    writeDirectory((d) => delete d.agencies.education);
    stack.mailbox.refuseRecipient(EDUCATION);

    const raised = await until(
      () => status(ref),
      (s) => s.needsAttention.some((p) => p.kind === 'email-not-sent'),
    );
    expect(raised.needsAttention).toEqual([
      expect.objectContaining({
        kind: 'email-not-sent',
        ref,
        deadline: 'info-request:education',
        problem: expect.stringContaining('agency "education" is not in the directory'),
        directoryEntry: '"education": { "name": "…", "contact": { "name": "…", "email": "…" }, "safeguardingLead": { "name": "…", "email": "…" } }',
        commands: [`kscp info-received ${ref} --agency education --received YYYY-MM-DD --by Name`],
      }),
    ]);
    const notice = await stack.mailbox.waitFor((m) => noticesFor(ref).includes(m));
    expect(notice.subject).toContain('info-request:education');
    expect(notice.text).toContain(`What is wrong: the info-request:education reminder of case ${ref} could not be sent: no address for agency:education:contact: agency "education" is not in the directory`);
    expect(notice.text).toContain('How to fix it: add or correct the role or agency in the directory');
    expect(envelopeOf(notice).sort()).toEqual([ADDRESS.businessManager, ADDRESS.businessUnit].sort());
    expect(stack.mailbox.messages.filter((m) => envelopeOf(m).includes(EDUCATION))).toEqual([]);
  });

  it('goes on with everything else: another deadline of the case gets its notice, another case records its step', async () => {
    ok(await kscp(['info-request', ref, '--agency', 'police', '--requested', today, '--due', addDays(today, 10), '--by', by], env));
    const police = await stack.mailbox.waitFor(about(ref, 'info-request:police'));
    expect(envelopeOf(police)).toEqual([POLICE]);
    await toRapidReview(other);
    await stack.mailbox.waitFor(about(other, 'rapid-review'));
    expect((await status(other)).needsAttention).toEqual([]);
  });

  it('waits for its next try instead of retrying in a loop, and the Business Manager is told once per problem', async () => {
    const handle = client.workflow.getHandle(workflowIdFor(ref));
    // The step just recorded made the case try the held email once more (it may be the fix): let it settle.
    await until(
      () => handle.describe(),
      (d) => (d.raw.pendingActivities ?? []).length === 0,
      30_000,
    );
    const before = (await handle.describe()).historyLength;
    await new Promise((r) => setTimeout(r, 6_000));
    const after = (await handle.describe()).historyLength;
    expect(after - before).toBeLessThan(5);
    const s = await status(ref);
    const held = s.record.attention.find((a) => a.id === 'email:info-request:education')!;
    expect(Date.parse(held.retryAt!) - Date.now()).toBeGreaterThan(50 * 60_000);
    expect(held.managerTold).toBe(true);
    expect(noticesFor(ref)).toHaveLength(1);
  });

  it('shows in kscp list, deadlines, status, timeline and doctor, and on the case board (KscpAttention)', async () => {
    expect(await until(flaggedOnBoard, (refs) => refs.includes(ref))).toEqual([ref]);

    const listed = await until(
      () => json<ListedCase[]>(['list']),
      (cases) => cases.find((k) => k.ref === ref)?.needsAttention.length === 1,
    );
    expect(listed.find((k) => k.ref === ref)?.needsAttention).toEqual([expect.objectContaining({ kind: 'flagged', ref, commands: [`kscp status ${ref}`] })]);
    expect(listed.find((k) => k.ref === other)?.needsAttention).toEqual([]);
    const table = ok(await kscp(['list'], env)).stdout;
    expect(table).toMatch(new RegExp(`${ref} +RAPID_REVIEW +.*NEEDS ATTENTION\\n`));
    expect(table).toMatch(new RegExp(`\\nNEEDS ATTENTION: 1 case \\(kscp doctor says how to repair each\\):\\n  ${ref}  the case flags that something needs attention`));

    const deadlines = await json<OpenDeadline[]>(['deadlines']);
    expect(deadlines.filter((d) => d.ref === ref).map((d) => [d.deadline, d.needsAttention, d.emailHeld ?? false])).toEqual(
      expect.arrayContaining([
        ['info-request:education', true, true],
        ['info-request:police', true, false],
      ]),
    );
    expect(deadlines.filter((d) => d.ref === other).every((d) => !d.needsAttention)).toBe(true);
    const text = ok(await kscp(['deadlines'], env)).stdout;
    expect(text).toMatch(new RegExp(`in \\d+ working days, NEEDS ATTENTION +${ref} +info-request:education `));
    expect(text).toContain(`  ${ref}  the info-request:education reminder of case ${ref} could not be sent: no address for agency:education:contact`);

    const shown = ok(await kscp(['status', ref], env)).stdout;
    expect(shown).toContain(`NEEDS ATTENTION:\n  - the info-request:education reminder of case ${ref} could not be sent`);
    expect(shown).toContain(`Fix: Add agency "education" to the directory ${directoryFile} (KSCP_DIRECTORY_FILE), under "agencies"`);
    expect(shown).toContain('The directory entry to add: "education": {');
    expect((await json<TimelineJson>(['timeline', ref])).needsAttention.map((p) => p.kind)).toEqual(['email-not-sent']);

    const doctor = await kscp(['doctor', '--json'], env);
    expect(doctor.code).toBe(7);
    expect(doctor.stderr).toBe('kscp: 1 case needs attention (above, with the repairs)\n');
    const report = JSON.parse(doctor.stdout) as DoctorJson;
    expect(report.worker.polling).toBe(true);
    expect(report.needsAttention.map((p) => [p.ref, p.kind, p.deadline])).toEqual([[ref, 'email-not-sent', 'info-request:education']]);
  });

  it('sends the email and clears the attention once the directory has the agency again', async () => {
    writeDirectory(() => undefined);
    // The case tries again within the hour, or at once when a step is recorded: the police answered.
    ok(await kscp(['info-received', ref, '--agency', 'police', '--received', today, '--by', by], env));
    const education = await stack.mailbox.waitFor(about(ref, 'info-request:education'));
    expect(envelopeOf(education)).toEqual([EDUCATION]);
    const cleared = await until(
      () => status(ref),
      (s) => s.needsAttention.length === 0,
    );
    expect(cleared.needsAttention).toEqual([]);
    expect(cleared.reminders.filter((r) => r.deadline === 'info-request:education')).toHaveLength(1);
    expect(await until(flaggedOnBoard, (refs) => !refs.includes(ref))).toEqual([]);
    const doctor = await kscp(['doctor'], env);
    expect({ code: doctor.code, stderr: doctor.stderr }).toEqual({ code: 0, stderr: '' });
    expect(doctor.stdout).toMatch(/^Nothing needs attention: \d+ open cases checked, and a worker is polling \(namespace kscp-attention, task queue kscp-incidents, checked .*\)\.\n$/);
    expect(noticesFor(ref)).toHaveLength(1);
  });
});

describe('a mail server that refuses one of two recipients (550)', () => {
  let ref: string;

  it('delivers to the other and raises attention for the refused one', async () => {
    stack.mailbox.refuseRecipient(ADDRESS.laLead, { code: 550, message: '5.1.1 <la.serious.incidents@council.example.org>: Recipient address rejected' });
    // Opened a month late: the Panel notification is overdue, so its first email goes at once to the LA lead and the Business Manager.
    ref = await openCase({ incidentDate: addDays(today, -40), laAwareOn: addDays(today, -35), knownAt: new Date(Date.now() - 36 * 86_400_000).toISOString() });
    const overdue = await stack.mailbox.waitFor(about(ref, 'panel-notification'));
    expect(overdue.headers.get('x-kscp-level')).toBe('5');
    expect(envelopeOf(overdue)).toEqual([ADDRESS.businessManager]);

    const raised = await until(
      () => status(ref),
      (s) => s.needsAttention.some((p) => p.kind === 'recipients-refused'),
    );
    expect(raised.reminders.find((r) => r.deadline === 'panel-notification')).toMatchObject({ to: expect.arrayContaining(['la-lead', 'business-manager']), refused: ['la-lead'] });
    expect(raised.needsAttention).toEqual([
      expect.objectContaining({
        kind: 'recipients-refused',
        deadline: 'panel-notification',
        problem: expect.stringContaining(`la-lead <${ADDRESS.laLead}> (550 5.1.1`),
        fix: expect.stringContaining(`Correct ${ADDRESS.laLead} (la-lead: roles["la-lead"].email) in the directory ${directoryFile}`),
      }),
    ]);
    const notice = await stack.mailbox.waitFor((m) => noticesFor(ref).includes(m));
    expect(notice.text).toContain(`the mail server refused la-lead <${ADDRESS.laLead}>`);
    expect((await json<TimelineJson>(['timeline', ref])).entries.find((e) => e.kind === 'reminder')?.what).toContain("the mail server REFUSED the local authority's lead for serious incidents");
    const doctor = await kscp(['doctor', '--json'], env);
    expect(doctor.code).toBe(7);
    expect((JSON.parse(doctor.stdout) as DoctorJson).needsAttention.map((p) => [p.ref, p.kind])).toEqual([[ref, 'recipients-refused']]);
    expect(await until(flaggedOnBoard, (refs) => refs.includes(ref))).toEqual([ref]);
  });

  it('clears when the deadline the refused email was about is met', async () => {
    stack.mailbox.refuseRecipient(ADDRESS.laLead);
    ok(await kscp(['la-decision', ref, '--notifiable', 'yes', '--panel-notified', addDays(today, -1), '--ofsted', 'not-required', '--by', by], env));
    const s = await until(
      () => status(ref),
      (x) => x.needsAttention.length === 0,
    );
    expect(s.needsAttention).toEqual([]);
    expect(await until(flaggedOnBoard, (refs) => !refs.includes(ref))).toEqual([]);
  });
});
