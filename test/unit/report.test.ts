/**
 * The timeliness report's arithmetic over fictional case summaries (no Temporal, no archive), shaped
 * as the workflow writes them: deadlines with their clock, due date and instant, verdict, working
 * days late, revised target; and as older archived rows hold them (fields absent).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CaseSummary, DeadlineOutcome } from '../../src/archive';
import { WorkingDayCalendar } from '../../src/calendar';
import { CSV_COLUMNS, reportCsv, reportText, type ReportJson } from '../../src/cli/commands/report';
import { median, mergeCases, outcomeOf, timelinessReport, type MeasureResult } from '../../src/report';
import { TIMESCALES } from '../../src/process/timescales';
import { REPO_ROOT } from '../helpers/fixtures';
import { parseReportCsv } from '../helpers/reportCsv';

const calendar = new WorkingDayCalendar();
const NOW = new Date('2026-11-27T12:00:00Z'); // Friday 27 November 2026
const YEAR = { from: '2026-01-01', to: '2026-12-31' };

const endOf = (date: string): string => `${date}T23:59:59.000Z`;
type Kind = DeadlineOutcome['name'];

/** A deadline met on `metOn`, judged as the workflow judges it (recorded verdict and working days late). */
function met(name: Kind, start: string, due: string, metOn: string, more: Partial<DeadlineOutcome> = {}): DeadlineOutcome {
  const onTime = metOn <= due;
  return {
    name,
    clock: { timescale: name as never, start },
    due,
    dueAt: endOf(due),
    status: 'met',
    metOn,
    onTime,
    ...(!onTime && { workingDaysLate: calendar.workingDaysBetween(due, metOn) }),
    ...more,
  };
}
const open = (name: Kind, start: string, due: string, more: Partial<DeadlineOutcome> = {}): DeadlineOutcome => ({
  name,
  clock: { timescale: name as never, start },
  due,
  dueAt: endOf(due),
  status: endOf(due) < NOW.toISOString() ? 'overdue' : 'open',
  ...more,
});
const cancelled = (name: Kind, start: string, due: string): DeadlineOutcome => ({ name, clock: { timescale: name as never, start }, due, dueAt: endOf(due), status: 'cancelled' });
/** The eCase form: 24 clock hours from `knownAt`, received at `receivedAt` (as written: any offset). */
const ecase = (knownAt: string, receivedAt: string, onTime?: boolean): DeadlineOutcome => {
  const dueAt = new Date(Date.parse(knownAt) + 24 * 3_600_000).toISOString();
  return { name: 'ecase-form', clock: { timescale: 'ecase-form', start: knownAt }, due: dueAt.slice(0, 10), dueAt, status: 'met', metAt: receivedAt, ...(onTime !== undefined && { onTime }) };
};

let run = 0;
function fictionalCase(ref: string, laAwareOn: string, deadlines: DeadlineOutcome[], more: Partial<CaseSummary> = {}): CaseSummary {
  run += 1;
  const firstRunId = `run-${run}`;
  return {
    caseId: `incident-${ref}/${firstRunId}`,
    workflowId: `incident-${ref}`,
    firstRunId,
    ref,
    stage: 'RAPID_REVIEW',
    route: null,
    criteria: ['serious-harm'],
    notifyingAgency: 'police',
    laAwareOn,
    closed: false,
    deadlines,
    ...more,
  };
}

const cases: CaseSummary[] = [
  // An LCSPR initiated 2026-03-16 (statutory date 2026-09-16), deferred to 2026-12-18 and published
  // 2026-11-16: two months late against the statutory date, on time against the revised target.
  fictionalCase(
    'KSCP-2026-901',
    '2026-01-05',
    [
      ecase('2026-01-05T08:00:00.000Z', '2026-01-06T09:00+01:00', true), // exactly 24 hours, written with an offset
      met('panel-notification', '2026-01-05', '2026-01-12', '2026-01-09'),
      met('rapid-review', '2026-01-05', '2026-01-26', '2026-01-28'), // Mon -> Wed: 2 working days late
      met('partners-informed', '2026-01-21', '2026-01-28', '2026-01-27'),
      met('panel-response', '2026-01-28', '2026-02-11', '2026-02-20'),
      met('lcspr-publication', '2026-03-16', '2026-09-16', '2026-11-16', { revisedTarget: '2026-12-18', deferred: { times: 1, afterStatutoryDate: false } }),
      // Sent 2 working days before the actual publication: 7 working days before it was 2026-11-05.
      met('report-to-panel', '2026-11-16', '2026-11-05', '2026-11-12'),
      met('report-to-secretary-of-state', '2026-11-16', '2026-11-05', '2026-11-12'),
      open('website-removal', '2026-11-16', '2027-05-16'),
      met('learning-dissemination', '2026-11-16', '2026-11-30', '2026-11-20'),
      open('staff-informed', '2026-11-16', '2026-11-30'),
    ],
    { stage: 'PUBLISHED', route: 'lcspr', criteria: ['died-abuse-neglect', 'looked-after-death'] },
  ),
  // Panel notified late across Easter 2026 (Good Friday 3 April, Easter Monday 6 April): 2 working
  // days. The eCase form came at 10:00 New York time: 15:00Z, 3 hours after its 12:00Z deadline
  // (as text, "...T10:00-05:00" sorts before "...T12:00Z").
  fictionalCase('KSCP-2026-902', '2026-03-26', [
    ecase('2026-03-25T12:00:00.000Z', '2026-03-26T10:00-05:00', false),
    met('panel-notification', '2026-03-26', '2026-04-02', '2026-04-08'),
    open('rapid-review', '2026-03-26', '2026-11-16'), // still overdue: Tue 17 .. Fri 27 November = 9 working days so far
  ]),
  // Not notifiable, with Ofsted told 2 working days late in the step that closed the case: the
  // workflow had not computed that deadline's date, so the record holds no due date nor verdict.
  fictionalCase(
    'KSCP-2026-903',
    '2026-06-10',
    [
      ecase('2026-06-10T08:00:00.000Z', '2026-06-11T07:30+01:00'), // 30 minutes early: on time
      cancelled('panel-notification', '2026-06-10', '2026-06-17'),
      cancelled('rapid-review', '2026-06-10', '2026-07-01'),
      { name: 'ofsted-notification', clock: { timescale: 'ofsted-notification', start: '2026-06-10' }, status: 'met', metOn: '2026-06-19' },
    ],
    { stage: 'CLOSED', route: 'not-notifiable', closed: true },
  ),
  // A care leaver's death alone: notified on time, closed.
  fictionalCase('KSCP-2026-904', '2026-10-01', [ecase('2026-10-01T08:00:00.000Z', '2026-10-01T10:00:00.000Z', true), met('care-leaver-notification', '2026-10-01', '2026-10-08', '2026-10-06')], {
    stage: 'CLOSED',
    route: 'care-leaver-only',
    closed: true,
    criteria: ['care-leaver-death'],
  }),
  // Recent: the Panel notification is not yet due.
  fictionalCase('KSCP-2026-905', '2026-11-25', [ecase('2026-11-25T08:00:00.000Z', '2026-11-25T09:00:00.000Z', true), open('panel-notification', '2026-11-25', '2026-12-02'), open('rapid-review', '2026-11-25', '2026-12-16')], {
    stage: 'LA_DECISION',
    criteria: ['regulated-setting-death', 'care-leaver-death'],
  }),
  // Outside the period: the LA became aware in 2025.
  fictionalCase('KSCP-2025-950', '2025-12-22', [ecase('2025-12-22T08:00:00.000Z', '2025-12-22T09:00:00.000Z', true), met('panel-notification', '2025-12-22', '2025-12-31', '2026-01-09')], { route: 'national-review' }),
];

describe('timelinessReport', () => {
  const report = timelinessReport(cases, YEAR, NOW, calendar);
  const measure = (deadline: string): MeasureResult => report.measures.find((m) => m.deadline === deadline)!;

  it('counts the cases whose LA became aware within the period, open and closed, and those deferred', () => {
    expect(report).toMatchObject({ from: '2026-01-01', to: '2026-12-31', asOf: '2026-11-27', cases: 5, openCases: 3, closedCases: 2, deferredCases: 1 });
  });

  it('has one line per timescale of the table: statutory measures first, then policy targets, each in the table order', () => {
    const names: string[] = report.measures.map((m) => m.deadline);
    expect([...names].sort()).toEqual(TIMESCALES.map((t) => t.name).sort());
    const firstPolicy = report.measures.findIndex((m) => !m.statutory);
    expect(report.measures.slice(firstPolicy).every((m) => !m.statutory)).toBe(true);
    const order = (list: string[]) => list.filter((n) => names.includes(n));
    expect(names.slice(0, firstPolicy)).toEqual(order(TIMESCALES.filter((t) => t.statutory).map((t) => t.name)));
    expect(names.slice(firstPolicy)).toEqual(order(TIMESCALES.filter((t) => !t.statutory).map((t) => t.name)));
    expect(names[0]).toBe('ecase-form');
    expect(report.measures.map((m) => m.measure)).toContain(TIMESCALES.find((t) => t.name === 'care-leaver-notification')!.measure);
    expect(measure('partners-informed').statutory).toBe(false);
    expect(measure('website-removal').statutory).toBe(false);
  });

  it('puts every deadline in exactly one column: total = on time + late + open + not applicable + not judged', () => {
    for (const m of report.measures) {
      expect({ deadline: m.deadline, sum: m.onTime + m.late + m.open + m.notApplicable + m.notJudged }).toEqual({ deadline: m.deadline, sum: m.total });
    }
    expect(measure('panel-notification')).toMatchObject({ cases: 4, total: 4, onTime: 1, late: 1, open: 1, notApplicable: 1 });
  });

  it('compares the eCase form instants as instants, whatever offset they are written in; exactly 24 hours is on time', () => {
    expect(measure('ecase-form')).toMatchObject({ total: 5, onTime: 4, late: 1, medianWorkingDaysLate: 0, medianHoursLate: 3, percentOnTime: 80 });
  });

  it('judges from the facts: a form late by the instants is late even where an old record said on time', () => {
    const old = fictionalCase('KSCP-2026-906', '2026-03-26', [ecase('2026-03-25T12:00:00.000Z', '2026-03-26T10:00-05:00', true)]);
    expect(timelinessReport([old], YEAR, NOW, calendar).measures[0]).toMatchObject({ onTime: 0, late: 1, medianHoursLate: 3 });
  });

  it('skips bank holidays when counting working days late', () => {
    expect(outcomeOf(cases[1]!.deadlines[1]!, NOW, calendar)).toEqual({ kind: 'late', workingDays: 2, open: false });
  });

  it('counts a deadline open past its due date as late so far, counted to today, and one not yet due as open', () => {
    expect(measure('rapid-review')).toMatchObject({ total: 4, onTime: 0, late: 2, lateStillOpen: 1, open: 1, notApplicable: 1, medianWorkingDaysLate: 5.5 });
  });

  it('computes the due date a record lacks from its clock: Ofsted told 2 working days late is late, not on time', () => {
    expect(measure('ofsted-notification')).toMatchObject({ total: 1, onTime: 0, late: 1, medianWorkingDaysLate: 2, notJudged: 0 });
  });

  it('counts a deferred LCSPR published after its statutory date as late, and shows apart that the revised target was met', () => {
    expect(measure('lcspr-publication')).toMatchObject({
      total: 1,
      onTime: 0,
      late: 1,
      medianWorkingDaysLate: calendar.workingDaysBetween('2026-09-16', '2026-11-16'),
      deferred: { total: 1, revisedTargetMet: 1, revisedTargetMissed: 0, revisedTargetOpen: 0, notApplicable: 0, lateAgainstStatutoryDate: 1 },
    });
  });

  it('counts the report sent 2 working days before the actual publication as 5 working days late, to the Panel and to the Secretary of State', () => {
    expect(measure('report-to-panel')).toMatchObject({ total: 1, onTime: 0, late: 1, medianWorkingDaysLate: 5 });
    expect(measure('report-to-secretary-of-state')).toMatchObject({ total: 1, onTime: 0, late: 1, medianWorkingDaysLate: 5 });
  });

  it('reports the policy targets too: met late, open past their date (late so far), not yet due', () => {
    expect(measure('panel-response')).toMatchObject({ total: 1, late: 1, medianWorkingDaysLate: 7 });
    expect(measure('partners-informed')).toMatchObject({ total: 1, onTime: 1 });
    expect(measure('learning-dissemination')).toMatchObject({ total: 1, onTime: 1 });
    expect(measure('staff-informed')).toMatchObject({ total: 1, onTime: 0, late: 0, open: 1 });
    expect(measure('website-removal')).toMatchObject({ total: 1, open: 1, percentOnTime: null });
    const later = timelinessReport(cases, YEAR, new Date('2026-12-03T12:00:00Z'), calendar);
    expect(later.measures.find((m) => m.deadline === 'staff-informed')).toMatchObject({ late: 1, lateStillOpen: 1, medianWorkingDaysLate: 3 });
  });

  it('counts cases by criterion (a case may meet several, care-leaver-death included) and by route (care-leaver-only included)', () => {
    expect(report.byCriterion).toEqual({ 'died-abuse-neglect': 1, 'serious-harm': 2, 'looked-after-death': 1, 'regulated-setting-death': 1, 'care-leaver-death': 2 });
    expect(report.byRoute).toEqual({ 'not-notifiable': 1, 'care-leaver-only': 1, lcspr: 1, 'national-review': 0, 'no-further-review': 0, withdrawn: 0, undecided: 2 });
    expect(Object.values(report.byRoute).reduce((a, b) => a + b)).toBe(report.cases);
  });

  it('includes both ends of the period', () => {
    expect(timelinessReport(cases, { from: '2026-01-05', to: '2026-03-26' }, NOW, calendar).cases).toBe(2);
    expect(timelinessReport(cases, { from: '2026-01-06', to: '2026-03-25' }, NOW, calendar).cases).toBe(0);
  });
});

describe('deferrals', () => {
  const initiated = '2026-01-15';
  const statutory = '2026-07-15';
  const deferredTo = (revisedTarget: string, d: Partial<DeadlineOutcome>): DeadlineOutcome => ({
    ...open('lcspr-publication', initiated, statutory),
    revisedTarget,
    deferred: { times: 1, afterStatutoryDate: false },
    ...d,
  });
  const lcspr = (ds: DeadlineOutcome[]) => timelinessReport([fictionalCase('KSCP-2026-910', '2026-01-05', ds)], YEAR, NOW, calendar).measures.find((m) => m.deadline === 'lcspr-publication')!;

  it('an open deferred LCSPR past its statutory date is late so far; its revised target is still open, or missed once passed', () => {
    expect(lcspr([deferredTo('2027-01-29', {})])).toMatchObject({ late: 1, lateStillOpen: 1, deferred: { total: 1, revisedTargetOpen: 1, lateAgainstStatutoryDate: 1 } });
    expect(lcspr([deferredTo('2026-10-30', {})])).toMatchObject({ late: 1, lateStillOpen: 1, deferred: { total: 1, revisedTargetMissed: 1 } });
  });

  it('a deferred LCSPR published after its revised target missed both', () => {
    expect(lcspr([deferredTo('2026-09-30', { status: 'met', metOn: '2026-10-14', onTime: false })])).toMatchObject({ late: 1, deferred: { revisedTargetMissed: 1, lateAgainstStatutoryDate: 1 } });
  });

  it('a deferred LCSPR published by its statutory date after all is on time', () => {
    expect(lcspr([deferredTo('2026-09-30', { status: 'met', metOn: '2026-07-10', onTime: true })])).toMatchObject({ onTime: 1, late: 0, deferred: { revisedTargetMet: 1, lateAgainstStatutoryDate: 0 } });
  });

  it('a case recorded before truthful records, whose deferral moved the date itself, is measured against the statutory date from its clock', () => {
    // The old deferral set the clock's date to 2026-10-30 and the record's verdict followed it.
    const old: DeadlineOutcome = { ...met('lcspr-publication', initiated, '2026-10-30', '2026-10-20'), clock: { timescale: 'lcspr-publication', start: initiated, setDue: '2026-10-30' }, deferred: { times: 1, afterStatutoryDate: false } };
    expect(old.onTime).toBe(true);
    expect(lcspr([old])).toMatchObject({ onTime: 0, late: 1, medianWorkingDaysLate: calendar.workingDaysBetween(statutory, '2026-10-20'), deferred: { total: 1, revisedTargetMet: 1 } });
  });
});

describe('archived rows written before the report carried clocks and verdicts', () => {
  const old = (d: Partial<DeadlineOutcome> & Pick<DeadlineOutcome, 'name' | 'status'>): CaseSummary => fictionalCase('KSCP-2026-920', '2026-03-02', [d as DeadlineOutcome]);
  const first = (c: CaseSummary) => timelinessReport([c], YEAR, NOW, calendar).measures.find((m) => m.deadline === c.deadlines[0]!.name)!;

  it('are read: a late one without working days late is counted with the calendar', () => {
    expect(first(old({ name: 'panel-notification', status: 'met', due: '2026-03-09', dueAt: endOf('2026-03-09'), metOn: '2026-03-11', onTime: false }))).toMatchObject({ late: 1, medianWorkingDaysLate: 2 });
  });

  it('a met deadline with no due date and no clock is not judged: never on time', () => {
    expect(first(old({ name: 'panel-notification', status: 'met', metOn: '2026-03-11' }))).toMatchObject({ total: 1, onTime: 0, late: 0, notJudged: 1 });
  });

  it('an open one past its due instant is late so far, whatever its status flag said when it was archived', () => {
    expect(first(old({ name: 'panel-notification', status: 'open', due: '2026-11-24', dueAt: endOf('2026-11-24') }))).toMatchObject({ late: 1, lateStillOpen: 1, medianWorkingDaysLate: 3 });
  });

  it('information requests are counted by their name when there is no clock (several per case)', () => {
    const c = fictionalCase('KSCP-2026-921', '2026-03-02', [
      { name: 'info-request:police', status: 'met', due: '2026-03-20', dueAt: endOf('2026-03-20'), metOn: '2026-03-19', onTime: true },
      { name: 'info-request:police:2', status: 'met', due: '2026-04-20', dueAt: endOf('2026-04-20'), metOn: '2026-04-22', onTime: false },
    ]);
    expect(timelinessReport([c], YEAR, NOW, calendar).measures.find((m) => m.deadline === 'info-request')).toMatchObject({ cases: 1, total: 2, onTime: 1, late: 1 });
  });
});

describe('the report as text, CSV and JSON', () => {
  const json: ReportJson = { ...timelinessReport(cases, YEAR, NOW, calendar), sources: { temporal: 3, archive: 2 }, unread: [] };

  it('CSV carries the same figures as JSON, a row per measure, criterion and route', () => {
    const text = reportCsv(json);
    expect(text.split('\n')[0]).toBe(CSV_COLUMNS.join(','));
    const rows = parseReportCsv(text);
    const num = (v: number | null) => (v === null ? '' : String(v));
    for (const m of json.measures) {
      const row = rows.find((r) => r.section === 'measure' && r.name === m.deadline)!;
      expect(row).toEqual({
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
    const cell = (section: string, name: string) => rows.find((r) => r.section === section && r.name === name)?.cases;
    expect([cell('cases', 'all'), cell('cases', 'open'), cell('cases', 'closed'), cell('cases', 'deferred')]).toEqual(['5', '3', '2', '1']);
    for (const [k, n] of Object.entries(json.byCriterion)) expect(cell('criterion', k)).toBe(String(n));
    for (const [k, n] of Object.entries(json.byRoute)) expect(cell('route', k)).toBe(String(n));
  });

  it('the README explains every CSV column', () => {
    const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### The timeliness report'), readme.indexOf('## How statutory days are counted'));
    for (const column of CSV_COLUMNS) expect({ column, explained: section.includes(`| \`${column}\``) }).toEqual({ column, explained: true });
  });

  it('the table shows statutory measures, then policy targets under their own heading, then the deferred apart', () => {
    const text = reportText(json);
    const statutoryAt = text.indexOf('Statutory measures:');
    const policyAt = text.indexOf("Policy targets (the partnership's own targets, not statutory duties):");
    expect(statutoryAt).toBeGreaterThan(-1);
    expect(policyAt).toBeGreaterThan(statutoryAt);
    expect(text.indexOf('LCSPR published within 6 months of initiation')).toBeLessThan(policyAt);
    expect(text.indexOf('Report taken off the website')).toBeGreaterThan(policyAt);
    expect(text).toMatch(/eCase form within 24 hours of the agency knowing\s+5\s+4\s+1\s+0\s+0 \(3 h\)\s+0\s+0\s+80%/);
    expect(text).toMatch(/Deferred \(1 case with a deferral;[^\n]*\n[^\n]*\n[^\n]*\n\s+LCSPR published within 6 months of initiation\s+1\s+1\s+0\s+0\s+0\s+1/);
  });
});

describe('mergeCases', () => {
  it('keeps one entry per case, the live state winning over the archive', () => {
    const archived = { ...cases[0]!, stage: 'LCSPR' as const };
    const live = cases[0]!;
    expect(mergeCases([live], [archived, cases[2]!])).toEqual([live, cases[2]!]);
  });

  it('keeps two cases that reuse a reference (different first runs) apart', () => {
    const reused = { ...cases[2]!, caseId: `${cases[2]!.workflowId}/another-run`, firstRunId: 'another-run' };
    expect(mergeCases([], [cases[2]!, reused])).toHaveLength(2);
  });
});

describe('median', () => {
  it.each([
    [[], null],
    [[4], 4],
    [[9, 2], 5.5],
    [[3, 1, 2], 2],
  ])('of %j is %j', (values, expected) => expect(median(values)).toBe(expected));
});
