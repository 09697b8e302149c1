/**
 * End to end on real parts: the Temporal dev server (the `temporal` CLI), the
 * worker as its own process, a real SMTP server receiving real email, and
 * the real `kscp` command run as a subprocess. Dates are real: the case is
 * recorded today.
 */
import { startStack, type Stack } from '../helpers/stack';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ParsedMail } from 'mailparser';
import { londonDate } from '../../src/london';
import { addDays } from '../../src/process/dates';
import type { IncidentForm } from '../../src/process/schemas';
import type { StatusJson } from '../../src/cli/commands/status';
import type { ListedCase } from '../../src/cli/commands/list';
import { ADDRESS, nextRef } from '../helpers/fixtures';
import { freePort, kscp, type Run } from '../helpers/processes';
import { type Mailbox } from '../helpers/smtp';

const NAMESPACE = 'kscp-it';
const tmp = mkdtempSync(path.join(os.tmpdir(), 'kscp-it-'));
let stack: Stack;
let mailbox: Mailbox;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  stack = await startStack({ namespace: NAMESPACE, dataDir: tmp });
  ({ mailbox, env } = stack);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

const today = londonDate(new Date());
const CANARY = `fictional-summary-${Date.now()}`;

function form(overrides: Record<string, unknown> = {}): IncidentForm {
  return {
    ref: nextRef(2026),
    notifyingAgency: 'police',
    notifier: { name: 'Test Notifier', email: 'test.notifier@police.example.org', role: 'Detective Sergeant' },
    incidentDate: addDays(today, -1),
    knownAt: new Date(Date.now() - 2 * 3_600_000).toISOString(),
    laAwareOn: today,
    criteria: ['serious-harm'],
    childDied: false,
    policeInvestigation: true,
    agenciesInvolved: ['police', 'social-care'],
    summary: CANARY,
    ...overrides,
  } as IncidentForm;
}

function fileWith(content: unknown, name = `form-${Math.random().toString(36).slice(2)}.json`): string {
  const file = path.join(tmp, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return file;
}

async function status(ref: string): Promise<StatusJson> {
  const run = await kscp(['status', ref, '--json'], env);
  expect(run).toMatchObject({ code: 0 });
  return JSON.parse(run.stdout) as StatusJson;
}

const about = (ref: string, deadline: string) => (m: ParsedMail) => m.subject?.startsWith(`[${ref}]`) === true && m.headers.get('x-kscp-deadline') === deadline;
const addresses = (m: ParsedMail): string[] => [m.to].flat().flatMap((a) => a?.value.map((v) => v.address ?? '') ?? []).sort();

const firstIncident = form();
const firstRef = firstIncident.ref;

describe('a case from the eCase form to the Rapid Review, through kscp', () => {
  const incident = firstIncident;
  const ref = incident.ref;
  const file = fileWith(incident);

  it('notify opens the case, prints its workflow id, and the notice email reaches the LA lead', async () => {
    const run = await kscp(['notify', '--file', file], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout.trim().split('\n').at(-1)).toBe(`incident-${ref}`);
    const notice = await mailbox.waitFor(about(ref, 'panel-notification'));
    expect(notice.subject).toMatch(new RegExp(`^\\[${ref}\\] Notice: LA notification of the serious incident to the National Panel due by \\w+day \\d+ \\w+ \\d{4}$`));
    expect(addresses(notice)).toEqual([ADDRESS.laLead]);
    expect(notice.from?.value[0]?.address).toBe(ADDRESS.businessUnit);
    expect(notice.messageId).toMatch(new RegExp(`^<incident-${ref}\\.[0-9a-f-]{36}\\.panel-notification\\.\\d{4}-\\d{2}-\\d{2}\\.L1\\.1@kscp\\.reminders>$`));
    expect(notice.text).toContain('police investigation');
    expect(notice.text).not.toContain(CANARY);
  });

  it('status --json shows the stage and each deadline by name', async () => {
    const s = await status(ref);
    expect(s.stage).toBe('LA_DECISION');
    expect(s.deadlines.map((d) => d.name)).toEqual(['ecase-form', 'panel-notification', 'rapid-review']);
    for (const d of s.deadlines) {
      expect(d.due).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(new Date(d.dueAt!).toISOString()).toBe(d.dueAt);
    }
    expect(s.deadlines.map((d) => d.status)).toEqual(['met', 'open', 'open']);
    expect(s.deadlines[0]!.onTime).toBe(true);
  });

  it.each([
    [['--notifiable', 'maybe', '--by', 'Test Officer'], /--notifiable: must be yes or no/],
    [['--notifiable', 'yes', '--by', 'Test Officer'], /--panel-notified: is required when the incident is notifiable/],
    [['--notifiable', 'no', '--by', 'Test Officer'], /--rationale: is required when the incident is not notifiable/],
    [['--notifiable', 'yes', '--panel-notified', '2026-02-30', '--by', 'Test Officer'], /--panel-notified: "2026-02-30" is not a real date/],
    [['--notifiable', 'yes', '--panel-notified', addDays(today, 3), '--by', 'Test Officer'], /--panel-notified: .* is in the future/],
    [['--notifiable', 'yes', '--panel-notified', addDays(today, -3), '--by', 'Test Officer'], /refused: --panel-notified: the Panel cannot have been notified .* before the LA became aware/],
  ])('refuses la-decision %j with a clear line and changes nothing', async (args, message) => {
    const before = await status(ref);
    const run = await kscp(['la-decision', ref, ...args], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(await status(ref)).toEqual(before);
  });

  it('la-decision moves the case to RAPID_REVIEW and the Rapid Review notice reaches the Business Unit', async () => {
    const run = await kscp(['la-decision', ref, '--notifiable', 'yes', '--panel-notified', today, '--by', 'Test Officer'], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Stage: RAPID_REVIEW/);
    const s = await status(ref);
    expect(s.stage).toBe('RAPID_REVIEW');
    expect(s.deadlines[1]).toMatchObject({ name: 'panel-notification', status: 'met', metOn: today, onTime: true });
    expect(s.deadlines[2]).toMatchObject({ name: 'rapid-review', status: 'open' });
    const notice = await mailbox.waitFor(about(ref, 'rapid-review'));
    expect(addresses(notice)).toEqual([ADDRESS.businessUnit]);
    expect(notice.subject).toMatch(`[${ref}] Notice: Rapid Review template to the National Panel due by`);
  });

  it('refuses a second decision because of the stage, with exit code 3 and nothing changed', async () => {
    const before = await status(ref);
    const run = await kscp(['la-decision', ref, '--notifiable', 'no', '--by', 'Test Officer', '--rationale', 'second thoughts'], env);
    expect(run.code).toBe(3);
    expect(run.stderr.trim()).toBe(`kscp: refused: case ${ref} is at stage RAPID_REVIEW: the LA decision was already recorded (notifiable, by Test Officer)`);
    expect(await status(ref)).toEqual(before);
  });

  it('refuses the same reference twice', async () => {
    const run = await kscp(['notify', '--file', file], env);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(`ref: case ${ref} already exists`);
  });

  it('lists the open case with its stage and next deadline', async () => {
    let cases: ListedCase[] = [];
    for (let i = 0; i < 50 && !cases.some((c) => c.ref === ref && c.stage === 'RAPID_REVIEW'); i++) {
      const run: Run = await kscp(['list', '--json'], env);
      expect(run.code).toBe(0);
      cases = JSON.parse(run.stdout) as ListedCase[];
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(cases.find((c) => c.ref === ref)).toMatchObject({ stage: 'RAPID_REVIEW', nextDeadline: { name: 'rapid-review' }, overdue: false });
    const table = await kscp(['list'], env);
    expect(table.stdout).toMatch(new RegExp(`${ref}\\s+RAPID_REVIEW\\s+rapid-review`));
  });
});

describe('the same case through the Rapid Review to an LCSPR, then withdrawn, with one kscp command per step', () => {
  const ref = firstRef;
  const by = ['--by', 'Test Officer'];
  const inAWeek = addDays(today, 7);
  const refused = async (args: string[], code: number, message: string | RegExp) => {
    const before = await status(ref);
    const run = await kscp([...args, ...by], env);
    expect(run.stderr).toMatch(message);
    expect(run.code).toBe(code);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(await status(ref)).toEqual(before);
  };

  it('records an information request, chases the agency, and refuses a duplicate or a response nobody asked for', async () => {
    const run = await kscp(['info-request', ref, '--agency', 'police', '--requested', today, '--due', inAWeek, ...by], env);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(`Recorded for ${ref}: Information requested from police on ${today}, due ${inAWeek} (info-request:police)`);
    const notice = await mailbox.waitFor(about(ref, 'info-request:police'));
    expect(addresses(notice)).toEqual(['safeguarding.unit@police.example.org']);
    await refused(['info-request', ref, '--agency', 'police', '--requested', today, '--due', inAWeek], 3, /refused: case .* an information request to police is already open/);
    await refused(['info-received', ref, '--agency', 'health', '--received', today], 3, `refused: case ${ref}: there is no open information request to health (open: info-request:police)`);
    await refused(['info-request', ref, '--agency', 'fire-service', '--requested', today, '--due', inAWeek], 2, /--agency: "fire-service" is not an agency in the directory \(allowed: social-care, police, health, education, public-health\)/);
    expect(await kscp(['info-received', ref, '--agency', 'police', '--received', today, ...by], env)).toMatchObject({ code: 0 });
  });

  it('refuses a Rapid Review that does not fit, naming the flag, then records it and the Panel\'s answer', async () => {
    const rr = ['rapid-review', ref, '--meeting', today, '--rationale', 'Fictional rationale.'];
    await refused([...rr, '--submitted', addDays(today, -1), '--outcome', 'local-review'], 2, `refused: --submitted: ${addDays(today, -1)} is before the Rapid Review meeting (${today})`);
    await refused([...rr, '--submitted', today, '--outcome', 'maybe'], 2, '--outcome: "maybe" is not allowed (allowed: local-review, recommend-national-review, no-further-review)');
    await refused([...rr, '--submitted', inAWeek, '--outcome', 'local-review'], 2, `--submitted: ${inAWeek} is in the future (today is ${today})`);
    await refused(['published', ref, '--on', today, '--url', 'https://kscp.example.org/r'], 3, `refused: case ${ref} is at stage RAPID_REVIEW: published is recorded at stage SIGN_OFF`);
    let run = await kscp([...rr, '--submitted', today, '--outcome', 'local-review', ...by], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Stage: PANEL_RESPONSE\. Open: panel-response/);
    run = await kscp(['panel-response', ref, '--received', today, '--decision', 'local-review', ...by], env);
    expect(run.stdout).toMatch(/Stage: LCSPR\./);
    run = await kscp(['lcspr-start', ref, '--initiated', today, '--methodology', 'multi-agency-audit', ...by], env);
    expect(run.code).toBe(0);
    await mailbox.waitFor(about(ref, 'lcspr-publication'));
    const s = await status(ref);
    expect(s.deadlines.map((d) => [d.name, d.status])).toEqual([
      ['ecase-form', 'met'],
      ['panel-notification', 'met'],
      ['rapid-review', 'met'],
      ['info-request:police', 'met'],
      ['panel-response', 'met'],
      ['lcspr-publication', 'open'],
    ]);
  });

  it('explains a correction it cannot make, and withdraws the case keeping its record', async () => {
    await refused(['amend', ref, '--field', 'childName', '--value', 'x', '--reason', 'test'], 2, /refused: --field: "childName" cannot be corrected \(allowed: laAwareOn, /);
    const run = await kscp(['withdraw', ref, '--reason', 'recorded-in-error', '--detail', 'Fictional test case.', ...by], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(`Recorded for ${ref}: Case withdrawn (recorded-in-error); open reminders stopped, the record is kept`);
    const s = await status(ref);
    expect(s.stage).toBe('CLOSED');
    expect(s.deadlines.find((d) => d.name === 'lcspr-publication')).toMatchObject({ status: 'cancelled', cancelledBecause: 'the case closed: withdrawn (recorded-in-error)' });
    const again = await kscp(['views', ref, '--from', 'family', '--on', today, ...by], env);
    expect(again.code).toBe(3);
    expect(again.stderr.trim()).toBe(`kscp: case ${ref} is closed (its workflow is completed): nothing can be recorded against it`);
  });
});

describe('a case the LA decides is not notifiable', () => {
  const incident = form({ notifyingAgency: 'social-care', policeInvestigation: false, formReceivedAt: new Date(Date.now() - 60_000).toISOString() });
  const ref = incident.ref;

  it('closes with the rationale; the case is then refused further decisions, and leaves the open list', async () => {
    expect(await kscp(['notify', '--file', fileWith(incident)], env)).toMatchObject({ code: 0 });
    const run = await kscp(['la-decision', ref, '--notifiable', 'no', '--by', 'Test Officer', '--rationale', 'Criteria not met (fictional)'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(`Recorded for ${ref}: not notifiable. The case is closed`);
    const s = await status(ref);
    expect(s.stage).toBe('CLOSED');
    expect(s.workflowStatus).toBe('COMPLETED');
    expect(s.deadlines.slice(1).map((d) => [d.name, d.status, d.cancelledBecause])).toEqual([
      ['panel-notification', 'cancelled', 'the incident is not notifiable'],
      ['rapid-review', 'cancelled', 'the incident is not notifiable'],
    ]);
    const again = await kscp(['la-decision', ref, '--notifiable', 'yes', '--panel-notified', today, '--by', 'Test Officer'], env);
    expect(again.code).toBe(3);
    expect(again.stderr.trim()).toBe(`kscp: case ${ref} is closed (its workflow is completed): nothing can be recorded against it`);

    let open: ListedCase[] = [];
    let all: ListedCase[] = [];
    for (let i = 0; i < 50; i++) {
      open = JSON.parse((await kscp(['list', '--json'], env)).stdout) as ListedCase[];
      all = JSON.parse((await kscp(['list', '--all', '--json'], env)).stdout) as ListedCase[];
      if (all.some((c) => c.ref === ref && c.stage === 'CLOSED')) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(open.map((c) => c.ref)).not.toContain(ref);
    expect(all.find((c) => c.ref === ref)).toMatchObject({ stage: 'CLOSED', workflowStatus: 'COMPLETED', nextDeadline: null });
  });
});

describe('bad input to kscp notify starts nothing', () => {
  const cases: Array<[string, (f: Record<string, unknown>) => unknown, RegExp]> = [
    ['an unknown field', (f) => ({ ...f, childName: 'x' }), /: \(the form\): unknown field\(s\) "childName"/],
    ['a bad date', (f) => ({ ...f, incidentDate: '2026-13-01' }), /incidentDate: "2026-13-01" is not a real date/],
    ['awareness before the incident', (f) => ({ ...f, laAwareOn: addDays(today, -5), incidentDate: addDays(today, -1) }), /laAwareOn: the LA cannot have become aware .* before the incident/],
    ['a date in the future', (f) => ({ ...f, laAwareOn: addDays(today, 2) }), /laAwareOn: the date the LA became aware .* is in the future/],
    ['an unknown criterion', (f) => ({ ...f, criteria: ['serious-injury'] }), /criteria\.0: "serious-injury" is not a notifiable criterion \(allowed: died-abuse-neglect, serious-harm, looked-after-death, regulated-setting-death\)/],
    ['an unknown agency', (f) => ({ ...f, notifyingAgency: 'fire-service' }), /notifyingAgency: "fire-service" is not an agency in the directory \(allowed: social-care, police, health, education, public-health\)/],
    ['a bad email', (f) => ({ ...f, notifier: { name: 'A', email: 'not-an-email', role: 'B' } }), /notifier\.email: "not-an-email" is not an email address/],
    ['a bad reference', (f) => ({ ...f, ref: 'KSCP-26-1' }), /ref: "KSCP-26-1" is not a case reference: use KSCP-YYYY-NNN/],
    ['a death criterion without a death', (f) => ({ ...f, criteria: ['looked-after-death'] }), /criteria: looked-after-death needs childDied: true/],
    ['JSON that does not parse', () => '{"ref": ', /not valid JSON/],
  ];

  it.each(cases)('refuses %s with the field and the rule, exit 2', async (_what, change, message) => {
    const f = form();
    const run = await kscp(['notify', '--file', fileWith(change(f as unknown as Record<string, unknown>))], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe('');
    const lookup = await kscp(['status', f.ref], env);
    expect(lookup.code).toBe(4);
  });

  it('refuses a missing file', async () => {
    const run = await kscp(['notify', '--file', path.join(tmp, 'nope.json')], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/cannot read it \(ENOENT\)/);
  });
});

describe('kscp when things are missing', () => {
  it('says there is no such case (exit 4)', async () => {
    const run = await kscp(['status', 'KSCP-2026-999'], env);
    expect(run.code).toBe(4);
    expect(run.stderr.trim()).toBe('kscp: no case KSCP-2026-999: there is no workflow incident-KSCP-2026-999 and nothing in the case archive (check the reference, or `kscp list`)');
  });

  it('says Temporal cannot be reached, quickly (exit 5)', async () => {
    const run = await kscp(['status', 'KSCP-2026-999'], { ...env, TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}` });
    expect(run.code).toBe(5);
    expect(run.stderr).toMatch(/^kscp: cannot reach Temporal at 127\.0\.0\.1:\d+ .*is `npm start` running, or is TEMPORAL_ADDRESS right\?\n$/);
  });
});
