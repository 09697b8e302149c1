/**
 * Deadline arithmetic and the reminder schedule (DESIGN.md §2, §4 and §6) for activities and
 * clients: the pure planner (src/process/deadlines.ts) with the working-day calendar they read
 * (src/calendar.ts) and Intl's London time (src/london.ts). Workflow code plans with a calendar
 * snapshot instead (src/process/workingDays.ts).
 */
import type { IsoDate } from './process/dates';
import * as pure from './process/deadlines';
import type { DeadlineClock } from './process/incident';
import type { LondonClock } from './process/londonClock';
import { DEFAULT_DEADLINE_SETTINGS, type DeadlineSettings, type WorkingDays } from './process/workingDays';
import { endOfLondonDay, londonDate, londonInstant, londonOffsetMs } from './london';

export type { DeadlineClock, ReminderProgress } from './process/incident';
export type { ComputedDue, DeadlinePlan, PlanInput, PlanningCalendar, ReminderSlot } from './process/deadlines';
export { REMINDER_TIME, WORKING_DAY_ENDS } from './process/deadlines';
export { DEFAULT_DEADLINE_SETTINGS, type DeadlineSettings } from './process/workingDays';

/** London time from Intl's time-zone data. */
export const INTL_LONDON: LondonClock = { offsetMs: londonOffsetMs, date: londonDate, instant: londonInstant, endOfDay: endOfLondonDay };

const withIntl = (days: WorkingDays): pure.PlanningCalendar => ({ days, london: INTL_LONDON });

export function computeDue(clock: DeadlineClock, calendar: WorkingDays, settings: DeadlineSettings = DEFAULT_DEADLINE_SETTINGS): pure.ComputedDue {
  return pure.computeDue(clock, withIntl(calendar), settings);
}

/**
 * The scheduled reminders (levels 2-5) of a deadline running from `from` (a London date) to `due`
 * (the date being chased), in time order; a generator: take what you need.
 */
export function reminderSlots(clock: DeadlineClock, from: IsoDate, due: IsoDate, calendar: WorkingDays): Generator<pure.ReminderSlot> {
  return pure.reminderSlots(clock, from, due, withIntl(calendar));
}

/** Inside the working day: a working day in London, from 09:00 until 17:30. */
export function inWorkingHours(instant: Date, calendar: WorkingDays): boolean {
  return pure.inWorkingHours(instant, withIntl(calendar));
}

/** The next 09:00 London on a working day after `instant` (today's, if it is still to come). */
export function nextWorkingMorning(instant: Date, calendar: WorkingDays): Date {
  return pure.nextWorkingMorning(instant, withIntl(calendar));
}

/** Recompute a deadline from today's calendar and say what to send now and when to wake next (src/process/deadlines.ts). */
export function planDeadline(input: pure.PlanInput, now: Date, calendar: WorkingDays, settings: DeadlineSettings = DEFAULT_DEADLINE_SETTINGS): pure.DeadlinePlan {
  return pure.planDeadline(input, now, withIntl(calendar), settings);
}
