/**
 * How far off an open deadline is, in working days, in the words of src/process/stateWords.ts:
 * `kscp deadlines` and the case board say it the same way ("OVERDUE by 3 working days", "due
 * today", "in 4 working days"). Counted with the working-day calendar, as the workflows count.
 */
import type { WorkingDayCalendar } from '../calendar';
import { daysBetween, type IsoDate } from '../process/dates';
import { overdueWords } from '../process/stateWords';

export interface DueFacts {
  /** The London date it falls due (the date being chased). */
  due: IsoDate;
  overdue: boolean;
  /** False for a partnership's target with no statutory date: never overdue. */
  statutory: boolean;
  /** After a deferral: the date now chased. */
  revisedTarget?: IsoDate;
}

const plural = (n: number, unit: string): string => `${n} ${unit}${n === 1 ? '' : 's'}`;

/** Working days from today to the due date (negative once it has passed), as the workflows count late days. */
export function workingDaysLeft(due: IsoDate, today: IsoDate, calendar: WorkingDayCalendar): number {
  return due >= today ? calendar.workingDaysBetween(today, due) : -calendar.workingDaysBetween(due, today);
}

/**
 * "OVERDUE by 3 working days", "due today", "in 4 working days", "(target)" for a policy target;
 * a deferred deadline by its revised target: "deferred: revised target in 30 working days".
 */
export function dueWords(d: DueFacts, today: IsoDate, calendar: WorkingDayCalendar): string {
  const left = workingDaysLeft(d.due, today, calendar);
  // Late is counted from the statutory date, deferred or not (as kscp status and the report count it).
  if (d.overdue) return overdueWords(-left);
  if (d.revisedTarget !== undefined && d.revisedTarget > d.due) return `deferred: revised target ${dueWords({ ...d, due: d.revisedTarget, revisedTarget: undefined }, today, calendar)}`;
  const target = d.statutory ? '' : ' (target)';
  if (d.due === today) return `due today${target}`;
  // Past its date and not overdue: a statutory deadline deferred to a revised target (only the case knows which), or a policy target.
  if (d.due < today) return d.statutory ? `deferred: ${plural(-left, 'working day')} past the statutory date` : `${plural(-left, 'working day')} past its target`;
  // Due on a weekend or bank holiday with no working day before it.
  if (left === 0) return `in ${plural(daysBetween(today, d.due), 'day')}${target}`;
  return `in ${plural(left, 'working day')}${target}`;
}
