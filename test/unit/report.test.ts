/** The timeliness report's arithmetic over fake case summaries (no Temporal, no archive). */
import type { CaseSummary, DeadlineOutcome } from '../../src/archive';
import { WorkingDayCalendar } from '../../src/calendar';
import { median, mergeCases, timelinessReport } from '../../src/report';

const calendar = new WorkingDayCalendar();
const NOW = new Date('2026-11-27T12:00:00Z'); // Friday 27 November 2026
const YEAR = { from: '2026-01-01', to: '2026-12-31' };

const endOf = (date: string): string => `${date}T23:59:59.999Z`;
const met = (name: string, due: string, metOn: string, onTime = metOn <= due): DeadlineOutcome => ({ name, due, dueAt: endOf(due), status: 'met', metOn, onTime });
const open = (name: string, due: string, overdue = false): DeadlineOutcome => ({ name, due, dueAt: endOf(due), status: overdue ? 'overdue' : 'open' });
const cancelled = (name: string, due: string): DeadlineOutcome => ({ name, due, dueAt: endOf(due), status: 'cancelled' });

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

const ecaseOnTime = (day: string): DeadlineOutcome => ({ name: 'ecase-form', due: day, dueAt: `${day}T10:00:00.000Z`, status: 'met', metAt: `${day}T09:00:00.000Z`, onTime: true });

const cases: CaseSummary[] = [
  // On time throughout; an LCSPR published on time, its report sent 7 working days ahead.
  fictionalCase('KSCP-2026-901', '2026-03-02', [
    ecaseOnTime('2026-03-02'),
    met('panel-notification', '2026-03-09', '2026-03-06'),
    met('rapid-review', '2026-03-23', '2026-03-25'), // Mon -> Wed: 2 working days late
    met('lcspr-publication', '2026-10-15', '2026-10-14'),
    met('report-to-panel', '2026-10-05', '2026-10-01'),
    open('website-removal', '2027-04-14'),
  ], { stage: 'PUBLISHED', route: 'lcspr', criteria: ['died-abuse-neglect', 'looked-after-death'] }),
  // Panel notified late across Easter 2026 (Good Friday 3 April, Easter Monday 6 April): 2 working days.
  fictionalCase('KSCP-2026-902', '2026-03-26', [
    { name: 'ecase-form', due: '2026-03-26', dueAt: '2026-03-26T10:00:00.000Z', status: 'met', metAt: '2026-03-26T15:00:00.000Z', onTime: false },
    met('panel-notification', '2026-04-02', '2026-04-08'),
    open('rapid-review', '2026-11-16', true), // still overdue: Tue 17 .. Fri 27 November = 9 working days so far
  ]),
  // Not notifiable: its Panel notification and Rapid Review were cancelled, so not counted.
  fictionalCase('KSCP-2026-903', '2026-06-10', [ecaseOnTime('2026-06-10'), cancelled('panel-notification', '2026-06-17'), cancelled('rapid-review', '2026-07-01')], {
    stage: 'CLOSED',
    route: 'not-notifiable',
    closed: true,
    criteria: ['serious-harm'],
  }),
  // Recent: the Rapid Review is not yet due.
  fictionalCase('KSCP-2026-904', '2026-11-20', [ecaseOnTime('2026-11-20'), met('panel-notification', '2026-11-27', '2026-11-24'), open('rapid-review', '2026-12-11')], {
    criteria: ['regulated-setting-death'],
  }),
  // Outside the period: the LA became aware in 2025.
  fictionalCase('KSCP-2025-950', '2025-12-22', [ecaseOnTime('2025-12-22'), met('panel-notification', '2025-12-31', '2026-01-09')], { route: 'national-review' }),
];

describe('timelinessReport', () => {
  const report = timelinessReport(cases, YEAR, NOW, calendar);
  const measure = (deadline: string) => report.measures.find((m) => m.deadline === deadline)!;

  it('counts the cases whose LA became aware within the period, open and closed', () => {
    expect(report).toMatchObject({ from: '2026-01-01', to: '2026-12-31', asOf: '2026-11-27', cases: 4, openCases: 3, closedCases: 1 });
  });

  it('lists the six statutory measures in order', () => {
    expect(report.measures.map((m) => m.deadline)).toEqual(['ecase-form', 'panel-notification', 'rapid-review', 'lcspr-publication', 'report-to-panel', 'website-removal']);
  });

  it('counts a form late by hours as late, by less than a working day', () => {
    expect(measure('ecase-form')).toMatchObject({ count: 4, onTime: 3, percentOnTime: 75, late: 1, medianWorkingDaysLate: 0, stillOverdue: 0, pending: 0 });
  });

  it('skips bank holidays when counting working days late, and leaves out cancelled deadlines', () => {
    expect(measure('panel-notification')).toMatchObject({ count: 3, onTime: 2, percentOnTime: 66.7, late: 1, medianWorkingDaysLate: 2, pending: 0 });
  });

  it('counts a deadline still overdue as late so far, and one not yet due as pending', () => {
    expect(measure('rapid-review')).toMatchObject({ count: 2, onTime: 0, percentOnTime: 0, late: 2, stillOverdue: 1, medianWorkingDaysLate: 5.5, pending: 1 });
  });

  it('reports the later measures of the LCSPR and the website', () => {
    expect(measure('lcspr-publication')).toMatchObject({ count: 1, onTime: 1, percentOnTime: 100, late: 0, medianWorkingDaysLate: null });
    expect(measure('report-to-panel')).toMatchObject({ count: 1, onTime: 1, percentOnTime: 100 });
    expect(measure('website-removal')).toMatchObject({ count: 0, onTime: 0, percentOnTime: null, pending: 1 });
  });

  it('treats an archived open deadline past its due instant as overdue', () => {
    const stale = fictionalCase('KSCP-2026-905', '2026-10-01', [open('panel-notification', '2026-11-24')]);
    const r = timelinessReport([stale], YEAR, NOW, calendar);
    expect(r.measures[1]).toMatchObject({ count: 1, late: 1, stillOverdue: 1, medianWorkingDaysLate: 3 });
  });

  it('counts cases by criterion (a case may meet several) and by route', () => {
    expect(report.byCriterion).toEqual({ 'died-abuse-neglect': 1, 'serious-harm': 2, 'looked-after-death': 1, 'regulated-setting-death': 1, 'care-leaver-death': 0 });
    expect(report.byRoute).toEqual({ 'not-notifiable': 1, lcspr: 1, 'national-review': 0, 'no-further-review': 0, withdrawn: 0, undecided: 2 });
  });

  it('includes both ends of the period', () => {
    expect(timelinessReport(cases, { from: '2026-03-02', to: '2026-03-26' }, NOW, calendar).cases).toBe(2);
    expect(timelinessReport(cases, { from: '2026-03-03', to: '2026-03-25' }, NOW, calendar).cases).toBe(0);
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
