/**
 * The timeliness report (`kscp report`): for each measure (one per timescale of
 * src/process/timescales.ts, statutory ones first, then the partnership's policy targets), how many
 * deadlines were met on time, how many late (and by how many working days), how many are still
 * open and how many do not apply; deferred deadlines shown apart; counts by criterion and route.
 *
 * A case is in the period when the LA became aware of the incident (`laAwareOn`, day 0 of the
 * statutory clocks) falls within from..to, both included: every measure of a case is reported in
 * that one period, so each case counts once and the counts by criterion and route add up.
 *
 * Every deadline of a case in the period lands in exactly one column, so a reader can reconcile:
 *   total = onTime + late + open + notApplicable + notJudged
 * (notJudged is a met deadline whose due date the record does not hold and cannot be computed:
 * it is never counted on time). On time is judged from the facts, never assumed: the met instant
 * against the due instant where the record has both (the eCase form), else the met date against
 * the due date. A deferral does not move the statutory date, so a deferred deadline met after it
 * is late; the deferred columns say in addition whether the revised target was met.
 *
 * Pure arithmetic over case summaries (src/archive/record.ts): the CLI merges open cases from
 * Temporal with the archive (the live state wins) and hands them in.
 */
import { isDeferred, type CaseSummary, type DeadlineOutcome } from './archive/record';
import type { WorkingDayCalendar } from './calendar';
import { computeDue, DEFAULT_DEADLINE_SETTINGS, type ComputedDue, type DeadlineSettings } from './deadlines';
import { endOfLondonDay, londonDate } from './london';
import { CRITERION_IDS } from './process/criteria';
import type { IsoDate } from './process/dates';
import { ROUTES as CASE_ROUTES } from './process/stages';
import { TIMESCALES, type TimescaleName } from './process/timescales';

/** One line per timescale, in the table's order: statutory measures first, then policy targets. */
export const MEASURES = [...TIMESCALES.filter((t) => t.statutory), ...TIMESCALES.filter((t) => !t.statutory)].map((t) => ({
  deadline: t.name as TimescaleName,
  measure: t.measure as string,
  statutory: t.statutory as boolean,
  clockHours: t.length.unit === 'clock-hours',
}));

/** The routes a case can take, and `undecided` for a case that has not taken one yet. */
export const ROUTES = [...CASE_ROUTES, 'undecided'] as const;

/** Deadlines that a deferral gave a revised target: whether it was met, apart from the statutory verdict. */
export interface DeferredResult {
  /** Deadlines with a revised target: revisedTargetMet + revisedTargetMissed + revisedTargetOpen + notApplicable. */
  total: number;
  revisedTargetMet: number;
  /** Met after the revised target, or open past it (so far). */
  revisedTargetMissed: number;
  /** Open, revised target not yet passed. */
  revisedTargetOpen: number;
  /** Cancelled after the deferral (e.g. the Executive decided not to publish). */
  notApplicable: number;
  /** Of the deferred ones, late against the statutory date (also counted in the measure's `late`). */
  lateAgainstStatutoryDate: number;
}

export interface MeasureResult {
  deadline: TimescaleName;
  measure: string;
  /** A statutory duty; false for the partnership's policy targets. */
  statutory: boolean;
  /** Deadlines of this measure in the period's cases (one per case, but information requests): onTime + late + open + notApplicable + notJudged. */
  total: number;
  /** Cases in the period that have this deadline. */
  cases: number;
  /** Met by the (statutory or target) due date. */
  onTime: number;
  /** Met after the due date, or open past it (late so far). */
  late: number;
  /** Of the late ones, still open: their lateness is counted to `asOf`. */
  lateStillOpen: number;
  /** Open and not yet due. */
  open: number;
  /** Cancelled: a route not taken, a case closed or withdrawn. */
  notApplicable: number;
  /** Met, but the record holds no due date and none can be computed: neither on time nor late. */
  notJudged: number;
  /** onTime / (onTime + late), in percent with one decimal; null when neither. */
  percentOnTime: number | null;
  /** The median of the late ones' working days late; null when none was late. */
  medianWorkingDaysLate: number | null;
  /** Clock-hour measures (the eCase form): the median of the late ones' hours late (rounded up); null otherwise. */
  medianHoursLate: number | null;
  deferred: DeferredResult;
}

export interface TimelinessReport {
  from: IsoDate;
  to: IsoDate;
  /** The day the lateness of deadlines still open is counted to (London). */
  asOf: IsoDate;
  cases: number;
  openCases: number;
  closedCases: number;
  /** Cases with at least one deferral of publication. */
  deferredCases: number;
  measures: MeasureResult[];
  /** Cases meeting each criterion (a case may meet several, so these can add up to more than `cases`). */
  byCriterion: Record<string, number>;
  /** Cases by the route they took (these add up to `cases`); `undecided` until one is known. */
  byRoute: Record<string, number>;
}

/** What one deadline counts as on the report's day. */
export type Outcome =
  | { kind: 'on-time' }
  | { kind: 'late'; workingDays: number; hours?: number; open: boolean }
  | { kind: 'open' }
  | { kind: 'not-applicable' }
  | { kind: 'not-judged' };

/** The revised target's verdict, for a deferred deadline. */
type Revised = 'met' | 'missed' | 'open' | 'not-applicable';

interface Resolved {
  statutory?: ComputedDue;
  revisedTarget?: IsoDate;
  /** The record's own working days late apply (its due date was not recomputed here). */
  recordedDue: boolean;
}

/**
 * The statutory due date and the revised target of a deadline. The record's due date, unless it
 * lacks one (a deadline met in the step that closed the case, before its date was computed) or it
 * comes from a case recorded before truthful records, whose deferral moved the date itself: those
 * are computed from the deadline's clock with today's calendar.
 */
function resolve(d: DeadlineOutcome, calendar: WorkingDayCalendar, settings: DeadlineSettings): Resolved {
  const movedByOldDeferral = d.clock?.setDue !== undefined && d.revisedTarget === undefined && isDeferred(d);
  if (d.due !== undefined && d.dueAt !== undefined && !movedByOldDeferral) return { statutory: { due: d.due, dueAt: d.dueAt }, revisedTarget: d.revisedTarget, recordedDue: true };
  if (d.clock === undefined) return { recordedDue: false };
  try {
    if (movedByOldDeferral) {
      const { setDue, ...clock } = d.clock;
      return { statutory: computeDue(clock, calendar, settings), revisedTarget: setDue, recordedDue: false };
    }
    return { statutory: computeDue(d.clock, calendar, settings), revisedTarget: d.revisedTarget, recordedDue: false };
  } catch {
    return { recordedDue: false };
  }
}

const metDay = (d: DeadlineOutcome): IsoDate | undefined => d.metOn ?? (d.metAt !== undefined ? londonDate(new Date(d.metAt)) : undefined);

/** Met by the due date? Instants compared as instants where both are known, else dates. */
function metOnTime(d: DeadlineOutcome, due: ComputedDue, on: IsoDate): boolean {
  if (d.metAt !== undefined) return Date.parse(d.metAt) <= Date.parse(due.dueAt);
  return on <= due.due;
}

/** What one deadline counts as on `now` (its lateness, if open past due, counted to `now`'s London date). */
export function outcomeOf(d: DeadlineOutcome, now: Date, calendar: WorkingDayCalendar, settings: DeadlineSettings = DEFAULT_DEADLINE_SETTINGS): Outcome {
  if (d.status === 'cancelled') return { kind: 'not-applicable' };
  const { statutory: due, recordedDue } = resolve(d, calendar, settings);
  if (d.status === 'met') {
    const on = metDay(d);
    if (!due || on === undefined) return { kind: 'not-judged' };
    if (metOnTime(d, due, on)) return { kind: 'on-time' };
    const workingDays = recordedDue && d.workingDaysLate !== undefined ? d.workingDaysLate : Math.max(calendar.workingDaysBetween(due.due, on), 0);
    const hours = d.metAt !== undefined ? Math.ceil((Date.parse(d.metAt) - Date.parse(due.dueAt)) / 3_600_000) : undefined;
    return { kind: 'late', workingDays, ...(hours !== undefined && { hours }), open: false };
  }
  // Open: late so far once the statutory due instant has passed, whatever a deferral set as the revised target.
  if (!due || Date.parse(due.dueAt) >= now.valueOf()) return { kind: 'open' };
  return { kind: 'late', workingDays: Math.max(calendar.workingDaysBetween(due.due, londonDate(now)), 0), open: true };
}

function revisedOutcome(d: DeadlineOutcome, now: Date, calendar: WorkingDayCalendar, settings: DeadlineSettings): Revised {
  if (d.status === 'cancelled') return 'not-applicable';
  const target = resolve(d, calendar, settings).revisedTarget;
  if (target === undefined) return d.status === 'met' ? 'met' : 'open';
  if (d.status === 'met') {
    const on = metDay(d);
    return on !== undefined && on <= target ? 'met' : 'missed';
  }
  return endOfLondonDay(target).valueOf() < now.valueOf() ? 'missed' : 'open';
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

/** The timescale a deadline belongs to: its clock's, or from its name (`info-request:police:2`) in rows without one. */
const kindOf = (d: DeadlineOutcome): string => d.clock?.timescale ?? (d.name.startsWith('info-request:') ? 'info-request' : d.name);

function measureResult(m: (typeof MEASURES)[number], inPeriod: CaseSummary[], now: Date, calendar: WorkingDayCalendar, settings: DeadlineSettings): MeasureResult {
  const withDeadline = inPeriod.map((c) => c.deadlines.filter((d) => kindOf(d) === m.deadline)).filter((ds) => ds.length > 0);
  const deadlines = withDeadline.flat();
  const outcomes = deadlines.map((d) => outcomeOf(d, now, calendar, settings));
  const count = (kind: Outcome['kind']): number => outcomes.filter((o) => o.kind === kind).length;
  const late = outcomes.filter((o): o is Extract<Outcome, { kind: 'late' }> => o.kind === 'late');
  const onTime = count('on-time');
  const deferredIdx = deadlines.map((d, i) => (d.deferred !== undefined || d.revisedTarget !== undefined ? i : -1)).filter((i) => i >= 0);
  const revised = deferredIdx.map((i) => revisedOutcome(deadlines[i]!, now, calendar, settings));
  return {
    deadline: m.deadline,
    measure: m.measure,
    statutory: m.statutory,
    total: deadlines.length,
    cases: withDeadline.length,
    onTime,
    late: late.length,
    lateStillOpen: late.filter((o) => o.open).length,
    open: count('open'),
    notApplicable: count('not-applicable'),
    notJudged: count('not-judged'),
    percentOnTime: percent(onTime, onTime + late.length),
    medianWorkingDaysLate: median(late.map((o) => o.workingDays)),
    medianHoursLate: m.clockHours ? median(late.flatMap((o) => (o.hours === undefined ? [] : [o.hours]))) : null,
    deferred: {
      total: deferredIdx.length,
      revisedTargetMet: revised.filter((r) => r === 'met').length,
      revisedTargetMissed: revised.filter((r) => r === 'missed').length,
      revisedTargetOpen: revised.filter((r) => r === 'open').length,
      notApplicable: revised.filter((r) => r === 'not-applicable').length,
      lateAgainstStatutoryDate: deferredIdx.filter((i) => outcomes[i]!.kind === 'late').length,
    },
  };
}

export function timelinessReport(
  cases: CaseSummary[],
  period: { from: IsoDate; to: IsoDate },
  now: Date,
  calendar: WorkingDayCalendar,
  settings: DeadlineSettings = DEFAULT_DEADLINE_SETTINGS,
): TimelinessReport {
  const inPeriod = cases.filter((c) => c.laAwareOn >= period.from && c.laAwareOn <= period.to);
  const closedCases = inPeriod.filter((c) => c.closed).length;
  return {
    from: period.from,
    to: period.to,
    asOf: londonDate(now),
    cases: inPeriod.length,
    openCases: inPeriod.length - closedCases,
    closedCases,
    deferredCases: inPeriod.filter((c) => c.deadlines.some((d) => d.deferred !== undefined || d.revisedTarget !== undefined)).length,
    measures: MEASURES.map((m) => measureResult(m, inPeriod, now, calendar, settings)),
    byCriterion: Object.fromEntries(CRITERION_IDS.map((k) => [k, inPeriod.filter((c) => c.criteria.includes(k)).length])),
    byRoute: Object.fromEntries(ROUTES.map((r) => [r, inPeriod.filter((c) => (c.route ?? 'undecided') === r).length])),
  };
}
