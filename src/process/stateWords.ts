/**
 * The words for where a deadline stands, the same in `kscp status`, `list`, `deadlines`,
 * `timeline`, a step's output, the emails and the case board (README, "The words"):
 *
 *   open                          not met, not past its date
 *   OVERDUE by N working days     a statutory deadline open past its date (or its revised target)
 *   met on time                   met by its due date
 *   LATE by N working days        met after its due date (the eCase form: LATE by N hours)
 *   deferred                      a revised target set after a deferral (the statutory date stays)
 *   NEEDS ATTENTION               something a person must put right (an email that cannot go)
 *   cancelled                     no longer due (a route not taken, a case withdrawn or closed)
 *
 * Pure and without time-zone data: the workflow's case details use it too. Dates are passed in
 * already formatted by the caller.
 */
import type { IncidentView } from './incident';

type Deadline = Pick<IncidentView['deadlines'][number], 'status' | 'onTime' | 'workingDaysLate' | 'hoursLate' | 'revisedTarget' | 'overdue'> & { clock: { timescale: string } };

export const WORDS = {
  open: 'open',
  overdue: 'OVERDUE',
  metOnTime: 'met on time',
  late: 'LATE',
  deferred: 'deferred',
  needsAttention: 'NEEDS ATTENTION',
  cancelled: 'cancelled',
} as const;

const plural = (n: number, unit: string): string => `${n} ${unit}${n === 1 ? '' : 's'}`;

/** "by 3 working days", or nothing when the count is 0 or not known yet (past its date at a weekend, or being computed). */
export function byWorkingDays(n: number | undefined): string {
  return n === undefined || n <= 0 ? '' : ` by ${plural(n, 'working day')}`;
}

/** "OVERDUE by 3 working days" (or "OVERDUE" when none has passed yet: the date passed at a weekend). */
export function overdueWords(workingDaysLate: number | undefined): string {
  return `${WORDS.overdue}${byWorkingDays(workingDaysLate)}`;
}

/** "LATE by 3 working days"; the eCase form (24 clock hours) "LATE by 5 hours"; "LATE" while the count is being computed. */
export function lateWords(d: Pick<Deadline, 'workingDaysLate' | 'hoursLate'> & { clock: { timescale: string } }): string {
  if (d.clock.timescale === 'ecase-form' && d.hoursLate !== undefined) return `${WORDS.late} by ${plural(d.hoursLate, 'hour')}`;
  return `${WORDS.late}${byWorkingDays(d.workingDaysLate)}`;
}

/** A met deadline: "met on time", "LATE by ...", or "met" while the verdict is being computed. */
export function metWords(d: Deadline): string {
  if (d.onTime === true) return WORDS.metOnTime;
  if (d.onTime === false) return lateWords(d);
  return 'met';
}

/**
 * Where a deadline stands, in the words above, with its revised target when deferred:
 * "open", "OVERDUE by 2 working days", "met on time", "LATE by 4 working days", "cancelled",
 * "open; deferred: revised target Fri 29 Oct 2032". `date` formats the revised target.
 */
export function deadlineWords(d: Deadline, date: (isoDate: string) => string = (x) => x): string {
  let words: string;
  if (d.status === 'met') words = metWords(d);
  else if (d.status === 'cancelled') words = WORDS.cancelled;
  else if (d.status === 'overdue' || d.overdue) words = overdueWords(d.workingDaysLate);
  else {
    words = WORDS.open;
    // A policy target (never overdue) open past its date.
    if (!d.revisedTarget && (d.workingDaysLate ?? 0) > 0) words += `, ${plural(d.workingDaysLate!, 'working day')} past its target`;
  }
  if (d.revisedTarget && d.status !== 'cancelled') {
    words += `; ${WORDS.deferred}: revised target ${date(d.revisedTarget)}`;
    // Deferred, open, past the statutory date but not the revised target: late against the statutory date, not overdue.
    if (d.status === 'open' && !d.overdue && (d.workingDaysLate ?? 0) > 0) words += `, ${plural(d.workingDaysLate!, 'working day')} past the statutory date`;
  }
  return words;
}
