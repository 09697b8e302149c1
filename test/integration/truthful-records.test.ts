/**
 * Records tell the truth (DESIGN.md §6, issue 11's findings), through the real `kscp` against the
 * real dev server, the worker process and a real SMTP server. Each case is recorded as the
 * Business Unit would record an old case: every date back-dated, so that the statutory dates
 * have already passed and the record must say what happened.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ParsedMail } from 'mailparser';
import { WorkingDayCalendar } from '../../src/calendar';
import type { StatusJson } from '../../src/cli/commands/status';
import { londonDate } from '../../src/london';
import { addDays, addMonths } from '../../src/process/dates';
import { ADDRESS, fictionalForm, nextRef } from '../helpers/fixtures';
import { kscp, type Run } from '../helpers/processes';
import { startStack, type Stack } from '../helpers/stack';

const NAMESPACE = 'kscp-truth';
const tmp = mkdtempSync(path.join(os.tmpdir(), 'kscp-truth-'));
const today = londonDate(new Date());
const calendar = new WorkingDayCalendar();
const by = ['--by', 'Test Officer'];
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ namespace: NAMESPACE, dataDir: tmp });
}, 120_000);
afterAll(async () => stack?.stop());

async function ok(args: string[]): Promise<Run> {
  const run = await kscp(args, stack.env);
  expect({ args, code: run.code, stderr: run.stderr }).toEqual({ args, code: 0, stderr: '' });
  return run;
}

async function status(ref: string): Promise<StatusJson> {
  return JSON.parse((await ok(['status', ref, '--json'])).stdout) as StatusJson;
}

/** The case's status once `ready` holds (the worker computes verdicts and dates just after a step). */
async function statusWhen(ref: string, ready: (s: StatusJson) => boolean): Promise<StatusJson> {
  const until = Date.now() + 20_000;
  for (;;) {
    const s = await status(ref);
    if (ready(s) || Date.now() > until) return s;
    await new Promise((r) => setTimeout(r, 200));
  }
}

const deadline = (s: StatusJson, name: string) => s.deadlines.find((d) => d.name === name);
const about = (ref: string, name: string) => (m: ParsedMail) => m.subject?.startsWith(`[${ref}]`) === true && m.headers.get('x-kscp-deadline') === name;
const addresses = (m: ParsedMail): string[] => [m.to].flat().flatMap((a) => a?.value.map((v) => v.address ?? '') ?? []).sort();

/** Open a case whose day 0 was `day0`, with the eCase form received when given (else 2 hours after the agency knew). */
async function notify(day0: string, overrides: Record<string, unknown> = {}): Promise<string> {
  const ref = nextRef(2026);
  const form = { ...fictionalForm({ ref, incidentDate: addDays(day0, -1), knownAt: `${day0}T08:00:00Z`, laAwareOn: day0 }), formReceivedAt: `${day0}T10:00:00Z`, ...overrides };
  const file = path.join(tmp, `${ref}.json`);
  writeFileSync(file, JSON.stringify(form));
  await ok(['notify', '--file', file]);
  return ref;
}

/** Record an LCSPR case from day 0 to the Executive's decision, all back-dated. */
async function toSignOff(ref: string, day0: string, initiated: string, signedOff: string, planned: string): Promise<void> {
  await ok(['la-decision', ref, '--notifiable', 'yes', '--ofsted', 'not-required', '--panel-notified', day0, ...by]);
  await ok(['rapid-review', ref, '--meeting', addDays(day0, 3), '--submitted', addDays(day0, 5), '--outcome', 'local-review', '--rationale', 'Fictional.', ...by]);
  await ok(['partners-informed', ref, '--on', addDays(day0, 6), ...by]);
  await ok(['panel-response', ref, '--received', addDays(day0, 10), '--decision', 'local-review', ...by]);
  await ok(['lcspr-start', ref, '--initiated', initiated, '--methodology', 'thematic', ...by]);
  await ok(['subgroup-agreed', ref, '--on', addDays(signedOff, -5), ...by]);
  await ok(['executive-signoff', ref, '--on', signedOff, '--decision', 'publish', '--planned-publication', planned, ...by]);
}

describe('the full report 7 working days before publication is measured against the actual date', () => {
  it('a report sent 2 working days before the actual publication is LATE by 5, though 7 before the planned date', async () => {
    const day0 = addDays(today, -220);
    const actual = addDays(today, -60);
    const planned = addDays(actual, 30);
    const sent = calendar.subtractWorkingDays(actual, 2);
    expect(sent <= calendar.subtractWorkingDays(planned, 7)).toBe(true); // on time against the plan, which is what used to be checked
    const ref = await notify(day0);
    await toSignOff(ref, day0, addDays(day0, 12), addDays(today, -100), planned);
    await ok(['report-sent', ref, '--sent', sent, '--to', 'both', ...by]);
    const run = await ok(['published', ref, '--on', actual, '--url', 'https://kscp.example.org/reviews/fictional', ...by]);
    const s = await statusWhen(ref, (x) => deadline(x, 'report-to-panel')?.workingDaysLate !== undefined);
    for (const name of ['report-to-panel', 'report-to-secretary-of-state']) {
      expect(deadline(s, name)).toMatchObject({ status: 'met', metOn: sent, due: calendar.subtractWorkingDays(actual, 7), onTime: false, workingDaysLate: 5 });
    }
    expect(run.stdout).not.toMatch(/report-to-panel.*on time/);
    const text = (await ok(['status', ref])).stdout;
    expect(text).toMatch(/report-to-panel .*LATE by 5 working days/);
  });

  it('a report sent after the publication is recorded, and LATE', async () => {
    const day0 = addDays(today, -220);
    const published = addDays(today, -50);
    const ref = await notify(day0);
    await toSignOff(ref, day0, addDays(day0, 12), addDays(today, -100), addDays(today, -40));
    await ok(['published', ref, '--on', published, '--url', 'https://kscp.example.org/reviews/fictional', ...by]);
    await ok(['report-sent', ref, '--sent', addDays(published, 1), '--to', 'panel', ...by]);
    const s = await statusWhen(ref, (x) => deadline(x, 'report-to-panel')?.workingDaysLate !== undefined);
    expect(deadline(s, 'report-to-panel')).toMatchObject({ status: 'met', onTime: false });
    expect(deadline(s, 'report-to-panel')!.workingDaysLate).toBe(calendar.workingDaysBetween(calendar.subtractWorkingDays(published, 7), addDays(published, 1)));
    // The Secretary of State has not had it yet: still owed, and overdue.
    expect(deadline(s, 'report-to-secretary-of-state')).toMatchObject({ status: 'overdue' });
  });
});

describe('a deferral sets a revised target; the statutory 6-month date does not move', () => {
  it('a review published 4 months after its 6-month date is LATE, deferred or not, and a deferral after the date is recorded as such', async () => {
    const day0 = addDays(today, -330);
    const initiated = addDays(day0, 12);
    const statutory = addMonths(initiated, 6);
    const published = addMonths(statutory, 4);
    expect(published < today).toBe(true);
    const ref = await notify(day0);
    await toSignOff(ref, day0, initiated, addDays(statutory, 20), addDays(statutory, 60));
    const deferred = await ok(['defer', ref, '--reason', 'Fictional: criminal trial.', '--new-date', addDays(published, 10), '--panel-told', addDays(statutory, 25), ...by]);
    expect(deferred.stdout).toContain(`The statutory date stays ${statutory} (already passed when deferred)`);
    await ok(['report-sent', ref, '--sent', calendar.subtractWorkingDays(published, 8), '--to', 'both', ...by]);
    await ok(['published', ref, '--on', published, '--url', 'https://kscp.example.org/reviews/fictional', ...by]);
    const s = await statusWhen(ref, (x) => deadline(x, 'lcspr-publication')?.workingDaysLate !== undefined);
    expect(deadline(s, 'lcspr-publication')).toMatchObject({ due: statutory, revisedTarget: addDays(published, 10), status: 'met', metOn: published, onTime: false });
    expect(deadline(s, 'lcspr-publication')!.workingDaysLate).toBe(calendar.workingDaysBetween(statutory, published));
    expect(s.record.deferrals).toEqual([expect.objectContaining({ afterStatutoryDate: true, panelToldOn: addDays(statutory, 25) })]);
  });
});

describe("the eCase form's 24 hours are compared as instants", () => {
  const day0 = addDays(today, -30);
  const next = addDays(day0, 1);
  it.each([
    ['received at exactly 24 hours, written in British Summer Time style (+01:00)', `${day0}T11:30:00Z`, `${next}T12:30:00+01:00`, true],
    ['received at exactly 24 hours, written without seconds or milliseconds', `${day0}T12:00Z`, `${next}T12:00Z`, true],
    ['received an hour late, written with a negative offset', `${day0}T12:00:00Z`, `${next}T08:00:00-05:00`, false],
  ])('%s', async (_what, knownAt, formReceivedAt, onTime) => {
    const ref = await notify(day0, { knownAt, formReceivedAt });
    const s = await statusWhen(ref, (x) => deadline(x, 'ecase-form')?.onTime !== undefined);
    expect(deadline(s, 'ecase-form')).toMatchObject({ status: 'met', onTime, ...(onTime ? {} : { hoursLate: 1 }) });
    if (!onTime) expect((await ok(['status', ref])).stdout).toMatch(/ecase-form .*LATE by 1 hour/);
  });
});

describe('the reasons for a late LCSPR are owed from the working day after its 6-month date', () => {
  it('opens the delay-reasons task as soon as the date has passed, whether or not any email went', async () => {
    const day0 = addDays(today, -260);
    const initiated = addDays(day0, 12);
    const statutory = addMonths(initiated, 6);
    expect(statutory < today).toBe(true);
    const ref = await notify(day0);
    await ok(['la-decision', ref, '--notifiable', 'yes', '--ofsted', 'not-required', '--panel-notified', day0, ...by]);
    await ok(['rapid-review', ref, '--meeting', addDays(day0, 3), '--submitted', addDays(day0, 5), '--outcome', 'local-review', '--rationale', 'Fictional.', ...by]);
    await ok(['panel-response', ref, '--received', addDays(day0, 10), '--decision', 'local-review', ...by]);
    await ok(['lcspr-start', ref, '--initiated', initiated, '--methodology', 'thematic', ...by]);
    const s = await statusWhen(ref, (x) => deadline(x, 'delay-reasons') !== undefined);
    expect(deadline(s, 'delay-reasons')).toMatchObject({ clock: { start: statutory }, due: calendar.addWorkingDays(statutory, 5) });
    expect(deadline(s, 'lcspr-publication')).toMatchObject({ status: 'overdue', due: statutory });
    // Recorded, it is met; a late one says by how much.
    await ok(['delay', ref, '--sent', today, '--reason', 'Fictional reasons.', ...by]);
    const after = await statusWhen(ref, (x) => deadline(x, 'delay-reasons')?.workingDaysLate !== undefined || deadline(x, 'delay-reasons')?.onTime === true);
    expect(deadline(after, 'delay-reasons')).toMatchObject({ status: 'met', onTime: today <= calendar.addWorkingDays(statutory, 5) });
  });
});

describe('a deadline already past when the case is opened', () => {
  it('is shown and emailed as overdue at once, to the recipients of the level it reached (not a notice to the owner alone)', async () => {
    // Counted back from the last working day: on a weekend, "10 working days overdue" holds all the same.
    const day0 = calendar.subtractWorkingDays(calendar.workingDayOnOrBefore(today), 15);
    const ref = await notify(day0);
    const email = await stack.mailbox.waitFor(about(ref, 'panel-notification'));
    expect(email.subject).toMatch(new RegExp(`^\\[${ref}\\] OVERDUE: LA notification of the serious incident to the National Panel was due `));
    expect(email.headers.get('x-kscp-level')).toBe('5');
    expect(addresses(email)).toEqual([ADDRESS.businessManager, ADDRESS.laLead].sort());
    expect(email.text).toMatch(/OVERDUE by 10 working days: it was due by the end of [A-Z][a-z]+day \d+ [A-Z][a-z]+ \d{4}\./);
    expect(email.text).not.toMatch(/-\d+ working days? from today/);
    const s = await status(ref);
    expect(deadline(s, 'panel-notification')).toMatchObject({ status: 'overdue', workingDaysLate: 10 });
  });
});

describe('the website period is the partnership’s policy, not a statutory deadline', () => {
  it('past its date it is not "overdue", and its reminder goes to the Business Unit only', async () => {
    const day0 = addDays(today, -400);
    const published = addMonths(addDays(today, -20), -6);
    const ref = await notify(day0);
    await toSignOff(ref, day0, addDays(day0, 12), addDays(published, -20), addDays(published, -1));
    await ok(['report-sent', ref, '--sent', calendar.subtractWorkingDays(published, 9), '--to', 'both', ...by]);
    await ok(['published', ref, '--on', published, '--url', 'https://kscp.example.org/reviews/fictional', ...by]);
    const email = await stack.mailbox.waitFor(about(ref, 'website-removal'));
    expect(addresses(email)).toEqual([ADDRESS.businessUnit]);
    expect(email.subject).not.toMatch(/OVERDUE/);
    expect(email.text).toContain("Not a statutory deadline: the partnership's target is");
    const s = await status(ref);
    expect(deadline(s, 'website-removal')).toMatchObject({ status: 'open', due: addMonths(published, 6) });
  });
});

describe('duties the guide and Working Together 2023 name', () => {
  it("the LA's decision on notifying Ofsted: chased until recorded", async () => {
    const ref = await notify(addDays(today, -2));
    const decided = await ok(['la-decision', ref, '--notifiable', 'yes', '--ofsted', 'required', '--panel-notified', addDays(today, -1), ...by]);
    expect(decided.stdout).toMatch(/Due: LA notification of the serious incident to Ofsted: by the end of /);
    await stack.mailbox.waitFor(about(ref, 'ofsted-notification'));
    await ok(['ofsted-notified', ref, '--on', today, ...by]);
    expect(deadline(await status(ref), 'ofsted-notification')).toMatchObject({ status: 'met', metOn: today, onTime: true });
  });

  it('the review decision communicated to the wider partners, and the report to the Secretary of State, each with its deadline', async () => {
    const day0 = addDays(today, -220);
    const ref = await notify(day0);
    await toSignOff(ref, day0, addDays(day0, 12), addDays(today, -100), addDays(today, -50));
    const s = await status(ref);
    expect(deadline(s, 'partners-informed')).toMatchObject({ status: 'met', metOn: addDays(day0, 6) });
    expect(deadline(s, 'report-to-secretary-of-state')).toMatchObject({ status: 'overdue', clock: { start: addDays(today, -50) } });
  });

  it("a care leaver's death: notified to the Secretary of State and Ofsted in 5 working days, no Rapid Review", async () => {
    const ref = await notify(addDays(today, -1), { criteria: ['care-leaver-death'], childDied: false });
    let s = await status(ref);
    expect(s.deadlines.map((d) => d.name)).toEqual(['ecase-form', 'care-leaver-notification']);
    const refused = await kscp(['la-decision', ref, '--notifiable', 'yes', '--ofsted', 'not-required', '--panel-notified', today, ...by], stack.env);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/a care leaver's death alone is notified to the Secretary of State and Ofsted, not the National Panel: record it with care-leaver-notified/);
    await stack.mailbox.waitFor(about(ref, 'care-leaver-notification'));
    const run = await ok(['care-leaver-notified', ref, '--on', today, ...by]);
    expect(run.stdout).toMatch(/no Rapid Review is needed/);
    s = await status(ref);
    expect([s.stage, s.record.route]).toEqual(['CLOSED', 'care-leaver-only']);
  });
});

describe('calendar edges', () => {
  it('answers every count the CLI accepts, and refuses with the reason what the calendar cannot answer', async () => {
    const far = await kscp(['calendar', 'add-working-days', '2026-01-01', '5000'], stack.env);
    expect(far.code).toBe(0);
    expect(far.stdout.trim().split('\n').at(-1)).toMatch(/^20\d\d-\d\d-\d\d$/);
    for (const args of [
      ['add-months', '9999-12-31', '1'],
      ['add-working-days', '2095-01-01', '3000'],
      ['bank-holidays', '2100'],
    ]) {
      const run = await kscp(['calendar', ...args], stack.env);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/working-day calendar covers \(?1978 to 2099/);
      expect(run.stderr).not.toMatch(/\n\s+at /);
      expect(run.stdout).toBe('');
    }
  });
});
