/**
 * The timeliness report (`kscp report`): for each statutory measure, how many cases met it on time,
 * and by how many working days the late ones missed it; with counts by criterion and by route.
 *
 * A case is in the period when the LA became aware of the incident (`laAwareOn`, day 0 of the
 * statutory clocks) falls within from..to, both included: every measure of a case is reported in
 * that one period, so each case counts once and the counts by criterion and route add up. Later
 * measures (publication, website removal) of a recent period may still be pending.
 *
 * Pure arithmetic over case summaries (src/archive/record.ts): the CLI merges open cases from
 * Temporal with the archive (the live state wins) and hands them in.
 */
import type { CaseSummary, DeadlineOutcome } from './archive/record';
import type { WorkingDayCalendar } from './calendar';
import { CRITERION_IDS } from './process/criteria';
import type { IsoDate } from './process/dates';
import { londonDate } from './london';

export const MEASURES = [
  { deadline: 'ecase-form', measure: 'eCase form within 24 hours of the agency knowing' },
  { deadline: 'panel-notification', measure: 'National Panel notified within 5 working days' },
  { deadline: 'rapid-review', measure: 'Rapid Review to the Panel within 15 working days' },
  { deadline: 'lcspr-publication', measure: 'LCSPR published within 6 months of initiation' },
  { deadline: 'report-to-panel', measure: 'Report to the Panel 7 working days before publication' },
  { deadline: 'website-removal', measure: 'Report taken off the website when due' },
] as const;

export const ROUTES = ['not-notifiable', 'lcspr', 'national-review', 'no-further-review', 'withdrawn', 'undecided'] as const;

export interface MeasureResult {
  deadline: string;
  measure: string;
  /** Deadlines with an outcome: met (on time or late) or overdue and still open. */
  count: number;
  onTime: number;
  /** onTime / count, in percent with one decimal; null when count is 0. */
  percentOnTime: number | null;
  late: number;
  /** Of the late ones, still open and overdue on the report's day (their lateness so far is counted). */
  stillOverdue: number;
  /** The median of the late ones' working days late; null when none was late. */
  medianWorkingDaysLate: number | null;
  /** Open and not yet due: no outcome yet, not in count. */
  pending: number;
}

export interface TimelinessReport {
  from: IsoDate;
  to: IsoDate;
  /** The day lateness of still-overdue deadlines is counted to (London). */
  asOf: IsoDate;
  cases: number;
  openCases: number;
  closedCases: number;
  measures: MeasureResult[];
  /** Cases meeting each criterion (a case may meet several, so these can add up to more than `cases`). */
  byCriterion: Record<string, number>;
  /** Cases by the route they took; `undecided` until the Panel has answered (or the case closed another way). */
  byRoute: Record<string, number>;
}

type Outcome = { kind: 'on-time' } | { kind: 'late'; days: number; open: boolean } | { kind: 'pending' } | { kind: 'none' };

function metDate(d: DeadlineOutcome): IsoDate | undefined {
  return d.metOn ?? (d.metAt ? londonDate(new Date(d.metAt)) : undefined);
}

/** What one deadline counts as, on `now`. */
export function outcomeOf(d: DeadlineOutcome, now: Date, calendar: WorkingDayCalendar): Outcome {
  if (d.status === 'cancelled' || d.due === undefined) return { kind: 'none' };
  if (d.status === 'met') {
    const on = metDate(d);
    const onTime = d.onTime ?? (d.metAt !== undefined && d.dueAt !== undefined ? d.metAt <= d.dueAt : on !== undefined && on <= d.due);
    if (onTime) return { kind: 'on-time' };
    return { kind: 'late', days: on === undefined ? 0 : Math.max(calendar.workingDaysBetween(d.due, on), 0), open: false };
  }
  // Open: overdue once its due instant has passed (an archived record's flag may be older than today).
  const overdue = d.status === 'overdue' || (d.dueAt !== undefined && Date.parse(d.dueAt) < now.valueOf());
  if (!overdue) return { kind: 'pending' };
  return { kind: 'late', days: Math.max(calendar.workingDaysBetween(d.due, londonDate(now)), 0), open: true };
}

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const percent = (part: number, whole: number): number | null => (whole === 0 ? null : Math.round((part / whole) * 1000) / 10);

/** Open cases from Temporal and cases from the archive, one per case: the live state wins. */
export function mergeCases(live: CaseSummary[], archived: CaseSummary[]): CaseSummary[] {
  const byCase = new Map<string, CaseSummary>();
  for (const c of archived) byCase.set(c.caseId, c);
  for (const c of live) byCase.set(c.caseId, c);
  return [...byCase.values()].sort((a, b) => a.laAwareOn.localeCompare(b.laAwareOn) || a.ref.localeCompare(b.ref));
}

export function timelinessReport(cases: CaseSummary[], period: { from: IsoDate; to: IsoDate }, now: Date, calendar: WorkingDayCalendar): TimelinessReport {
  const inPeriod = cases.filter((c) => c.laAwareOn >= period.from && c.laAwareOn <= period.to);
  const measures = MEASURES.map(({ deadline, measure }): MeasureResult => {
    const outcomes = inPeriod.flatMap((c) => c.deadlines.filter((d) => d.name === deadline)).map((d) => outcomeOf(d, now, calendar));
    const late = outcomes.filter((o): o is Extract<Outcome, { kind: 'late' }> => o.kind === 'late');
    const onTime = outcomes.filter((o) => o.kind === 'on-time').length;
    const count = onTime + late.length;
    return {
      deadline,
      measure,
      count,
      onTime,
      percentOnTime: percent(onTime, count),
      late: late.length,
      stillOverdue: late.filter((o) => o.open).length,
      medianWorkingDaysLate: median(late.map((o) => o.days)),
      pending: outcomes.filter((o) => o.kind === 'pending').length,
    };
  });
  const byCriterion = Object.fromEntries(CRITERION_IDS.map((k) => [k, inPeriod.filter((c) => c.criteria.includes(k)).length]));
  const byRoute = Object.fromEntries(ROUTES.map((r) => [r, inPeriod.filter((c) => (c.route ?? 'undecided') === r).length]));
  const closedCases = inPeriod.filter((c) => c.closed).length;
  return {
    from: period.from,
    to: period.to,
    asOf: londonDate(now),
    cases: inPeriod.length,
    openCases: inPeriod.length - closedCases,
    closedCases,
    measures,
    byCriterion,
    byRoute,
  };
}
