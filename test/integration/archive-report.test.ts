/**
 * The case archive and the timeliness report on real parts: the Temporal dev server, the worker
 * as its own process writing to the SQLite archive in its data folder, a real SMTP server, and the
 * real `kscp` run as a subprocess, with dates in the past so the records are the ones the workflow
 * produces for late and on-time steps. Fictional cases:
 *   A: Panel notified 2 working days late, Rapid Review on time, then withdrawn (closed);
 *   B: not notifiable (closed at once), then deleted from Temporal, as its retention would;
 *   C: Panel notified on time, Rapid Review not submitted: overdue by 5 working days on the last working day;
 *   E: eCase form 3 hours late, written at a -05:00 offset; not notifiable, Ofsted told 2 working
 *      days late in the step that closed the case;
 *   L: a care leaver's death alone, notified on time (closed, no Rapid Review);
 *   P: a whole LCSPR: eCase form at exactly 24 hours written at +02:00, an information request
 *      answered 2 working days late, publication deferred, published 4 months after the statutory
 *      date (before the revised target), the report sent to the Panel and the Secretary of State
 *      2 working days before the actual publication, staff not yet told (a policy target, late).
 */
import { startStack, type Stack } from '../helpers/stack';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { postgresArchive, sealerFor, sqliteArchive, type ArchivedCase, type CaseArchive } from '../../src/archive';
import { loadCalendar } from '../../src/calendar';
import type { ReportJson } from '../../src/cli/commands/report';
import type { StatusJson } from '../../src/cli/commands/status';
import { loadKeys } from '../../src/codec';
import { londonDate } from '../../src/london';
import { addDays, addMonths } from '../../src/process/dates';
import type { IncidentForm } from '../../src/process/schemas';
import { type DevServer } from '../../src/toolchain/devServer';
import { nextRef, SHIPPED_CALENDAR, TEST_KEYS } from '../helpers/fixtures';
import { startPostgres, type TestPostgres } from '../helpers/postgres';
import { kscp, startNode, type Child } from '../helpers/processes';
import { parseReportCsv } from '../helpers/reportCsv';
import { temporalCliPath } from '../helpers/toolchain';

const NAMESPACE = 'kscp-archive-it';
const tmp = mkdtempSync(path.join(os.tmpdir(), 'kscp-archive-it-'));
let stack: Stack;
let server: DevServer;
let worker: Child;
let env: NodeJS.ProcessEnv;
let archive: CaseArchive;

const today = londonDate(new Date());
const by = ['--by', 'Test Officer'];
let aware: string;
let panelLate: string;
let panelOnTime: string;
let rapidReviewDue: string;
let cal: Awaited<ReturnType<typeof loadCalendar>>;
/** Dates are counted back from the last working day, so "5 working days late so far" holds on a weekend too. */
let lastWorkingDay: string;

beforeAll(async () => {
  cal = await loadCalendar(SHIPPED_CALENDAR);
  lastWorkingDay = cal.workingDayOnOrBefore(today);
  aware = cal.subtractWorkingDays(lastWorkingDay, 20);
  panelLate = cal.addWorkingDays(aware, 7);
  panelOnTime = cal.addWorkingDays(aware, 3);
  rapidReviewDue = cal.addWorkingDays(aware, 15);
  stack = await startStack({ namespace: NAMESPACE, dataDir: tmp });
  ({ server, worker, env } = stack);
  archive = sqliteArchive(path.join(tmp, 'archive.db'), sealerFor(loadKeys('', { KSCP_ENCRYPTION_KEYS: TEST_KEYS })));
}, 180_000);

afterAll(async () => {
  await archive?.close();
  await stack?.stop();
});

function form(ref: string, overrides: Partial<IncidentForm> = {}): string {
  const knownAt = new Date(`${aware}T08:00:00Z`);
  const content: IncidentForm & { formReceivedAt: string } = {
    ref,
    notifyingAgency: 'health',
    notifier: { name: 'Test Notifier', email: 'test.notifier@health.example.org', role: 'Named Nurse' },
    incidentDate: aware,
    knownAt: knownAt.toISOString(),
    laAwareOn: aware,
    formReceivedAt: new Date(knownAt.valueOf() + 3_600_000).toISOString(),
    criteria: ['serious-harm'],
    childDied: false,
    policeInvestigation: false,
    agenciesInvolved: ['health'],
    summary: 'Fictional test incident.',
    ...overrides,
  };
  const file = path.join(tmp, `${ref}.json`);
  writeFileSync(file, JSON.stringify(content));
  return file;
}

async function ok(args: string[]): Promise<string> {
  const run = await kscp(args, env);
  expect({ args, stderr: run.stderr, code: run.code }).toEqual({ args, stderr: '', code: 0 });
  return run.stdout;
}

/** The archived record of `ref` once it reaches `stage` (the worker writes it beside the case). */
async function archivedAt(ref: string, stage: string, store = archive): Promise<ArchivedCase> {
  for (let i = 0; i < 150; i++) {
    const found = await store.latest(ref);
    if (found?.view.stage === stage) return found;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${ref} was not archived at stage ${stage}; last: ${(await store.latest(ref))?.view.stage}`);
}

async function deleteFromTemporal(ref: string): Promise<void> {
  await promisify(execFile)(temporalCliPath(), ['workflow', 'delete', '--workflow-id', `incident-${ref}`, '--namespace', NAMESPACE, '--address', server.address]);
  // Deletion is asynchronous: wait until Temporal no longer knows the workflow.
  for (let i = 0; i < 150; i++) {
    const run = await kscp(['status', ref], env);
    if (run.stdout.includes('from the archive')) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}

const A = nextRef(2026);
const B = nextRef(2026);
const C = nextRef(2026);

describe('the archive is written at every stage change and at closing', () => {
  it('keeps case A as it opens, reaches the Rapid Review, waits for the Panel and closes', async () => {
    await ok(['notify', '--file', form(A)]);
    expect((await archivedAt(A, 'LA_DECISION')).summary).toMatchObject({ ref: A, laAwareOn: aware, closed: false });
    await ok(['la-decision', A, '--notifiable', 'yes', '--ofsted', 'not-required', '--panel-notified', panelLate, ...by]);
    const rapid = await archivedAt(A, 'RAPID_REVIEW');
    expect(rapid.summary.deadlines.find((d) => d.name === 'panel-notification')).toMatchObject({ status: 'met', metOn: panelLate, onTime: false });
    await ok(['rapid-review', A, '--meeting', rapidReviewDue, '--submitted', rapidReviewDue, '--outcome', 'local-review', '--rationale', 'Fictional rationale.', ...by]);
    await archivedAt(A, 'PANEL_RESPONSE');
    await ok(['withdraw', A, '--reason', 'other', '--detail', 'Fictional test: closing the case.', ...by]);
    const closed = await archivedAt(A, 'CLOSED');
    expect(closed.summary).toMatchObject({ route: 'withdrawn', closed: true });
    // The archived record is the case as Temporal holds it, decrypted with the keys.
    const live = JSON.parse(await ok(['status', A, '--json'])) as StatusJson;
    expect(live.source).toBe('temporal');
    expect(closed.view.events).toEqual(live.events);
    expect(closed.view.deadlines.map((d) => [d.name, d.status, d.onTime])).toEqual(live.deadlines.map((d) => [d.name, d.status, d.onTime]));
    expect(closed.view.events.map((e) => e.by)).toContain('Test Officer');
  });

  it('keeps case B, not notifiable, closed at once', async () => {
    await ok(['notify', '--file', form(B, { criteria: ['died-abuse-neglect'], childDied: true })]);
    await ok(['la-decision', B, '--notifiable', 'no', '--ofsted', 'not-required', '--rationale', 'Fictional: criteria not met.', ...by]);
    expect((await archivedAt(B, 'CLOSED')).summary).toMatchObject({ route: 'not-notifiable', closed: true });
  });

  it('keeps case C, open at the Rapid Review', async () => {
    await ok(['notify', '--file', form(C)]);
    await ok(['la-decision', C, '--notifiable', 'yes', '--ofsted', 'not-required', '--panel-notified', panelOnTime, ...by]);
    await archivedAt(C, 'RAPID_REVIEW');
  });
});

describe('the timeliness report', () => {
  let report: ReportJson;
  const measure = (name: string) => report.measures.find((m) => m.deadline === name)!;

  beforeAll(async () => {
    report = JSON.parse(await ok(['report', '--from', aware, '--to', aware, '--json'])) as ReportJson;
  });

  it('counts the three cases of the period, open and closed', () => {
    expect(report).toMatchObject({ cases: 3, openCases: 1, closedCases: 2 });
    expect(report.byRoute).toMatchObject({ withdrawn: 1, 'not-notifiable': 1, undecided: 1 });
    expect(report.byCriterion).toMatchObject({ 'serious-harm': 2, 'died-abuse-neglect': 1 });
  });

  it('shows the Panel notification late by 2 working days in one case, on time in another, not applicable in the third (B was not notifiable)', () => {
    expect(measure('panel-notification')).toMatchObject({ total: 3, onTime: 1, late: 1, notApplicable: 1, percentOnTime: 50, medianWorkingDaysLate: 2 });
  });

  it('shows the Rapid Review on time for A and still open, 5 working days late so far, for C', () => {
    expect(measure('rapid-review')).toMatchObject({ total: 3, onTime: 1, late: 1, lateStillOpen: 1, notApplicable: 1, medianWorkingDaysLate: 5 });
  });

  it('shows every eCase form on time', () => {
    expect(measure('ecase-form')).toMatchObject({ total: 3, onTime: 3, percentOnTime: 100 });
  });

  it('prints the same as a table and as CSV', async () => {
    const text = await ok(['report', '--from', aware, '--to', aware]);
    expect(text).toMatch(/^Cases: 3 \(1 open, 2 closed; 2 from the archive\)/m);
    expect(text).toMatch(/National Panel notified within 5 working days\s+3\s+1\s+1\s+0\s+2\s+0\s+1\s+50%/);
    const csv = parseReportCsv(await ok(['report', '--from', aware, '--to', aware, '--csv']));
    expect(csv.find((r) => r.section === 'measure' && r.name === 'rapid-review')).toMatchObject({ total: '3', on_time: '1', late: '1', late_still_open: '1', not_applicable: '1', median_working_days_late: '5' });
  });

  it('leaves out cases outside the period', async () => {
    const dayBefore = londonDate(new Date(Date.parse(`${aware}T12:00:00Z`) - 86_400_000));
    const before = JSON.parse(await ok(['report', '--from', addDays(aware, -5), '--to', dayBefore, '--json'])) as ReportJson;
    expect(before.cases).toBe(0);
  });
});

const E = nextRef(2026);
const L = nextRef(2026);
const P = nextRef(2026);

/** The dates of case P, whose LCSPR ran over a year: back-dated from today with the shipped calendar. */
function lcsprDates() {
  const published = cal.subtractWorkingDays(lastWorkingDay, 15);
  const initiated = addMonths(published, -10);
  const pAware = cal.subtractWorkingDays(initiated, 40);
  const w = (from: string, n: number) => cal.addWorkingDays(from, n);
  return {
    aware: pAware,
    initiated,
    statutory: addMonths(initiated, 6),
    published,
    panelNotified: w(pAware, 2),
    ofstedNotified: w(pAware, 3),
    meeting: w(pAware, 8),
    submitted: w(pAware, 10),
    partnersInformed: w(pAware, 11),
    panelResponse: w(pAware, 18),
    infoRequested: w(initiated, 5),
    infoDue: w(initiated, 15),
    infoReceived: w(initiated, 17),
    panelTold: addMonths(initiated, 5),
    revisedTarget: addDays(published, 7),
    subgroup: cal.subtractWorkingDays(published, 30),
    executive: cal.subtractWorkingDays(published, 25),
    planned: w(published, 10),
    reportSent: cal.subtractWorkingDays(published, 2),
    learningShared: w(published, 3),
  };
}
let p: ReturnType<typeof lcsprDates>;
let awareE: string;

describe('cases recorded late and on time through kscp, with dates in the past', () => {
  beforeAll(() => {
    p = lcsprDates();
    awareE = cal.subtractWorkingDays(lastWorkingDay, 25);
  });

  it('E: an eCase form 3 hours late written at -05:00; not notifiable, Ofsted told 2 working days late as the case closed', async () => {
    const knownAt = `${awareE}T08:00:00.000Z`;
    await ok(['notify', '--file', form(E, { incidentDate: awareE, laAwareOn: awareE, knownAt, formReceivedAt: `${addDays(awareE, 1)}T06:00:00-05:00` } as Partial<IncidentForm>)]);
    await ok(['la-decision', E, '--notifiable', 'no', '--ofsted', 'required', '--ofsted-notified', cal.addWorkingDays(awareE, 7), '--rationale', 'Fictional: criteria not met.', ...by]);
    const closed = await archivedAt(E, 'CLOSED');
    // The step that closed the case also opened and met the Ofsted deadline: its due date was never computed.
    expect(closed.summary.deadlines.find((d) => d.name === 'ofsted-notification')).toMatchObject({ status: 'met', metOn: cal.addWorkingDays(awareE, 7) });
  });

  it("L: a care leaver's death alone, notified on time: closed with no Rapid Review", async () => {
    await ok(['notify', '--file', form(L, { incidentDate: awareE, laAwareOn: awareE, knownAt: `${awareE}T08:00:00.000Z`, formReceivedAt: `${awareE}T09:00:00.000Z`, criteria: ['care-leaver-death'] } as Partial<IncidentForm>)]);
    await ok(['care-leaver-notified', L, '--on', cal.addWorkingDays(awareE, 3), ...by]);
    expect((await archivedAt(L, 'CLOSED')).summary).toMatchObject({ route: 'care-leaver-only', criteria: ['care-leaver-death'] });
  });

  it('P: a whole LCSPR, deferred and published late, its report sent 2 working days before the actual publication', async () => {
    await ok([
      'notify',
      '--file',
      form(P, {
        incidentDate: p.aware,
        laAwareOn: p.aware,
        knownAt: `${p.aware}T08:00:00.000Z`,
        formReceivedAt: `${addDays(p.aware, 1)}T10:00:00+02:00`, // exactly 24 hours, written at another offset
        criteria: ['died-abuse-neglect'],
        childDied: true,
      } as Partial<IncidentForm>),
    ]);
    await ok(['la-decision', P, '--notifiable', 'yes', '--panel-notified', p.panelNotified, '--ofsted', 'required', '--ofsted-notified', p.ofstedNotified, ...by]);
    await ok(['rapid-review', P, '--meeting', p.meeting, '--submitted', p.submitted, '--outcome', 'local-review', '--rationale', 'Fictional rationale.', ...by]);
    await ok(['partners-informed', P, '--on', p.partnersInformed, ...by]);
    await ok(['panel-response', P, '--received', p.panelResponse, '--decision', 'local-review', ...by]);
    await ok(['lcspr-start', P, '--initiated', p.initiated, '--methodology', 'case-authored', ...by]);
    await ok(['info-request', P, '--agency', 'police', '--requested', p.infoRequested, '--due', p.infoDue, ...by]);
    await ok(['info-received', P, '--agency', 'police', '--received', p.infoReceived, ...by]);
    await ok(['defer', P, '--reason', 'Fictional: criminal trial.', '--new-date', p.revisedTarget, '--panel-told', p.panelTold, ...by]);
    await ok(['subgroup-agreed', P, '--on', p.subgroup, ...by]);
    await ok(['executive-signoff', P, '--on', p.executive, '--decision', 'publish', '--planned-publication', p.planned, ...by]);
    await ok(['report-sent', P, '--sent', p.reportSent, '--to', 'both', ...by]);
    await ok(['published', P, '--on', p.published, '--url', 'https://example.org/fictional-review', ...by]);
    await ok(['learning-shared', P, '--on', p.learningShared, ...by]);
    // What the workflow recorded (the archive's clear summary, written as the case was published), and what the report reads.
    const { summary } = await archivedAt(P, 'PUBLISHED');
    expect(summary.deadlines.find((d) => d.name === 'lcspr-publication')).toMatchObject({
      due: p.statutory,
      revisedTarget: p.revisedTarget,
      status: 'met',
      metOn: p.published,
      onTime: false,
      deferred: { times: 1, afterStatutoryDate: false },
    });
    expect(summary.deadlines.find((d) => d.name === 'report-to-panel')).toMatchObject({ due: cal.subtractWorkingDays(p.published, 7), metOn: p.reportSent, onTime: false, workingDaysLate: 5 });
  });
});

describe('the timeliness report over the records the workflow produced', () => {
  const refs = () => [A, B, C, E, L, P];
  let report: ReportJson;
  let csv: Array<Record<string, string>>;
  const measure = (name: string) => report.measures.find((m) => m.deadline === name)!;

  beforeAll(async () => {
    report = JSON.parse(await ok(['report', '--from', p.aware, '--to', aware, '--json'])) as ReportJson;
    csv = parseReportCsv(await ok(['report', '--from', p.aware, '--to', aware, '--csv']));
  });

  it('counts the six cases, open and closed, by criterion (care-leaver-death included) and by route (care-leaver-only included)', () => {
    expect(report).toMatchObject({ cases: 6, openCases: 2, closedCases: 4, deferredCases: 1 });
    expect(report.byRoute).toEqual({ 'not-notifiable': 2, 'care-leaver-only': 1, lcspr: 1, 'national-review': 0, 'no-further-review': 0, withdrawn: 1, undecided: 1 });
    expect(report.byCriterion).toEqual({ 'died-abuse-neglect': 2, 'serious-harm': 3, 'looked-after-death': 0, 'regulated-setting-death': 0, 'care-leaver-death': 1 });
  });

  it("reconciles with the cases' own records: each measure's total is the deadlines of that kind in them, cancelled ones not applicable", async () => {
    const deadlines = (await Promise.all(refs().map(async (ref) => (JSON.parse(await ok(['status', ref, '--json'])) as StatusJson).deadlines))).flat();
    const kind = (name: string) => (name.startsWith('info-request:') ? 'info-request' : name);
    for (const m of report.measures) {
      const mine = deadlines.filter((d) => kind(d.name) === m.deadline);
      expect({ measure: m.deadline, total: m.total, notApplicable: m.notApplicable }).toEqual({ measure: m.deadline, total: mine.length, notApplicable: mine.filter((d) => d.status === 'cancelled').length });
      expect({ measure: m.deadline, sum: m.onTime + m.late + m.open + m.notApplicable + m.notJudged }).toEqual({ measure: m.deadline, sum: m.total });
    }
  });

  it('compares the eCase forms as instants: exactly 24 hours at +02:00 is on time, 3 hours late at -05:00 is late', () => {
    expect(measure('ecase-form')).toMatchObject({ total: 6, onTime: 5, late: 1, medianWorkingDaysLate: 0, medianHoursLate: 3 });
  });

  it('counts Ofsted told 2 working days late as late, though the record closed before its due date was computed', () => {
    expect(measure('ofsted-notification')).toMatchObject({ total: 2, onTime: 1, late: 1, medianWorkingDaysLate: 2, notJudged: 0 });
  });

  it('counts the LCSPR published 4 months after its statutory date as late, though deferred, and shows apart that its revised target was met', () => {
    expect(measure('lcspr-publication')).toMatchObject({
      total: 1,
      onTime: 0,
      late: 1,
      medianWorkingDaysLate: cal.workingDaysBetween(p.statutory, p.published),
      deferred: { total: 1, revisedTargetMet: 1, revisedTargetMissed: 0, revisedTargetOpen: 0, notApplicable: 0, lateAgainstStatutoryDate: 1 },
    });
  });

  it('counts the report sent 2 working days before the actual publication as 5 working days late, to the Panel and to the Secretary of State', () => {
    expect(measure('report-to-panel')).toMatchObject({ total: 1, onTime: 0, late: 1, medianWorkingDaysLate: 5 });
    expect(measure('report-to-secretary-of-state')).toMatchObject({ total: 1, onTime: 0, late: 1, medianWorkingDaysLate: 5 });
  });

  it('reports the other statutory measures as recorded', () => {
    expect(measure('panel-notification')).toMatchObject({ total: 5, onTime: 2, late: 1, notApplicable: 2, medianWorkingDaysLate: 2 });
    expect(measure('care-leaver-notification')).toMatchObject({ total: 1, onTime: 1 });
    expect(measure('rapid-review')).toMatchObject({ total: 5, onTime: 2, late: 1, lateStillOpen: 1, notApplicable: 2 });
    expect(measure('info-request')).toMatchObject({ total: 1, late: 1, medianWorkingDaysLate: 2 });
    expect(measure('delay-reasons')).toMatchObject({ total: 1, onTime: 1 });
  });

  it('reports the policy targets after the statutory measures: staff not told 5 working days after their date is late so far', () => {
    const firstPolicy = report.measures.findIndex((m) => !m.statutory);
    expect(report.measures.slice(firstPolicy).map((m) => m.deadline)).toEqual(expect.arrayContaining(['partners-informed', 'panel-response', 'website-removal', 'learning-dissemination', 'staff-informed']));
    expect(report.measures.slice(firstPolicy).every((m) => !m.statutory)).toBe(true);
    expect(measure('partners-informed')).toMatchObject({ total: 2, onTime: 1, notApplicable: 1 });
    expect(measure('panel-response')).toMatchObject({ total: 2, onTime: 1, notApplicable: 1 });
    expect(measure('learning-dissemination')).toMatchObject({ total: 1, onTime: 1 });
    expect(measure('staff-informed')).toMatchObject({ total: 1, late: 1, lateStillOpen: 1, medianWorkingDaysLate: 5 });
    expect(measure('website-removal')).toMatchObject({ total: 1, open: 1 });
  });

  it('--csv carries the same figures as --json', () => {
    const num = (v: number | null) => (v === null ? '' : String(v));
    for (const m of report.measures) {
      expect(csv.find((r) => r.section === 'measure' && r.name === m.deadline)).toEqual({
        section: 'measure',
        name: m.deadline,
        text: m.measure,
        statutory: String(m.statutory),
        cases: num(m.cases),
        total: num(m.total),
        on_time: num(m.onTime),
        late: num(m.late),
        late_still_open: num(m.lateStillOpen),
        open_not_yet_due: num(m.open),
        not_applicable: num(m.notApplicable),
        not_judged: num(m.notJudged),
        percent_on_time: num(m.percentOnTime),
        median_working_days_late: num(m.medianWorkingDaysLate),
        median_hours_late: num(m.medianHoursLate),
        deferred: num(m.deferred.total),
        deferred_revised_target_met: num(m.deferred.revisedTargetMet),
        deferred_revised_target_missed: num(m.deferred.revisedTargetMissed),
        deferred_revised_target_open: num(m.deferred.revisedTargetOpen),
        deferred_not_applicable: num(m.deferred.notApplicable),
        deferred_late_against_statutory_date: num(m.deferred.lateAgainstStatutoryDate),
      });
    }
    const cases = (name: string) => csv.find((r) => r.section === 'cases' && r.name === name)?.cases;
    expect([cases('all'), cases('open'), cases('closed'), cases('deferred')]).toEqual([6, 2, 4, 1].map(String));
    for (const [k, n] of Object.entries(report.byRoute)) expect(csv.find((r) => r.section === 'route' && r.name === k)?.cases).toBe(String(n));
    for (const [k, n] of Object.entries(report.byCriterion)) expect(csv.find((r) => r.section === 'criterion' && r.name === k)?.cases).toBe(String(n));
  });
});

describe('after Temporal has deleted a closed case', () => {
  beforeAll(() => deleteFromTemporal(B), 60_000);

  it('status reads it from the archive and says so', async () => {
    const text = await ok(['status', B]);
    expect(text).toMatch(new RegExp(`^Case ${B}: stage CLOSED \\(from the archive: workflow incident-${B} is no longer in Temporal`));
    expect(text).toContain('LA decided the incident is not notifiable');
    const json = JSON.parse(await ok(['status', B, '--json'])) as StatusJson;
    expect(json).toMatchObject({ source: 'archive', workflowStatus: 'ARCHIVED', stage: 'CLOSED', record: { route: 'not-notifiable' } });
  });

  it('timeline reads it from the archive too: who recorded what, and the reminders sent', async () => {
    const text = await ok(['timeline', B]);
    expect(text).toMatch(new RegExp(`^Case ${B}: stage CLOSED \\(from the archive: workflow incident-${B} is no longer in Temporal\\)`));
    expect(text).toContain('LA decided the incident is not notifiable');
    const json = JSON.parse(await ok(['timeline', B, '--json'])) as { source: string; entries: Array<{ kind: string }> };
    expect(json.source).toBe('archive');
    expect(json.entries.filter((e) => e.kind === 'recorded').length).toBeGreaterThanOrEqual(2);
  });

  it('the report still counts it', async () => {
    const report = JSON.parse(await ok(['report', '--from', aware, '--to', aware, '--json'])) as ReportJson;
    expect(report).toMatchObject({ cases: 3, closedCases: 2, byRoute: { 'not-notifiable': 1 } });
  });

  it('a reference neither Temporal nor the archive knows is exit 4', async () => {
    const run = await kscp(['status', 'KSCP-2026-999'], env);
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/no case KSCP-2026-999: there is no workflow incident-KSCP-2026-999 and nothing in the case archive/);
  });
});

describe('with the archive in PostgreSQL (KSCP_ARCHIVE_URL)', () => {
  let pg: TestPostgres;
  let pgArchive: CaseArchive;
  const D = nextRef(2026);

  beforeAll(async () => {
    pg = await startPostgres();
    await worker.stop();
    env = { ...env, KSCP_ARCHIVE_URL: pg.url };
    worker = startNode('dist/workers/main.js', env);
    await worker.waitForOutput(/kscp worker: task queue .*; case archive postgres:\/\/postgres@127\.0\.0\.1/);
    pgArchive = postgresArchive(pg.url, sealerFor(loadKeys('', { KSCP_ENCRYPTION_KEYS: TEST_KEYS })));
  }, 120_000);

  afterAll(async () => {
    await worker?.stop();
    await pgArchive?.close();
    await pg?.stop();
  });

  it('the worker writes each stage there, status reads a deleted case from it, and the report counts it', async () => {
    await ok(['notify', '--file', form(D, { laAwareOn: today, incidentDate: today, knownAt: new Date(Date.now() - 3_600_000).toISOString(), formReceivedAt: new Date().toISOString() } as Partial<IncidentForm>)]);
    await archivedAt(D, 'LA_DECISION', pgArchive);
    await ok(['la-decision', D, '--notifiable', 'no', '--ofsted', 'not-required', '--rationale', 'Fictional: criteria not met.', ...by]);
    await archivedAt(D, 'CLOSED', pgArchive);
    await deleteFromTemporal(D);
    expect(await ok(['status', D])).toMatch(new RegExp(`^Case ${D}: stage CLOSED \\(from the archive`));
    const report = JSON.parse(await ok(['report', '--from', today, '--to', today, '--json'])) as ReportJson;
    expect(report).toMatchObject({ cases: 1, closedCases: 1, sources: { temporal: 0, archive: 1 }, byRoute: { 'not-notifiable': 1 } });
    expect(report.measures[0]).toMatchObject({ deadline: 'ecase-form', total: 1, onTime: 1 });
  });
});
