/**
 * Deadline arithmetic and the reminder schedule (DESIGN.md §2 and §4).
 *
 * Runs in activities and clients, never in workflow code: it reads the
 * working-day calendar, which is data that can change while a case is open.
 */
import type { WorkingDayCalendar } from './calendar';
import { addDays, addMonths, type IsoDate } from './process/dates';
import { endOfLondonDay, londonDate, londonInstant } from './london';
import { timescale, type ReminderLevel, type TimescaleName } from './process/timescales';

/** Every reminder after the notice goes out at this London time, on a working day. */
export const REMINDER_TIME = '09:00:00';

/** The facts a deadline is computed from. Plain JSON: it lives in workflow state. */
export interface DeadlineClock {
  timescale: TimescaleName;
  /** Day 0 (a London date), or for clock-hours the instant the clock started. */
  start: string;
  /** The due date when the Business Unit sets it (information requests, a deferred publication). */
  setDue?: IsoDate;
}

export interface ComputedDue {
  /** The London date the deadline falls on. */
  due: IsoDate;
  /** The instant it expires (end of the London day, or the exact hour for clock-hours). */
  dueAt: string;
}

/** Timescales the partnership may configure (README, "Settings"). */
export interface DeadlineSettings {
  /** How long a published report stays on the website: 6 months in the guide; Working Together asks for at least 12. */
  websiteRetentionMonths: number;
}
export const DEFAULT_DEADLINE_SETTINGS: DeadlineSettings = { websiteRetentionMonths: 6 };

export function computeDue(clock: DeadlineClock, calendar: WorkingDayCalendar, settings = DEFAULT_DEADLINE_SETTINGS): ComputedDue {
  const { length: tableLength } = timescale(clock.timescale);
  const length =
    clock.timescale === 'website-removal' ? { unit: 'calendar-months' as const, n: settings.websiteRetentionMonths } : tableLength;
  const onDay = (due: IsoDate): ComputedDue => ({ due, dueAt: endOfLondonDay(due).toISOString() });
  // A date set by the Business Unit (an information request, or a deferred publication) wins.
  if (clock.setDue !== undefined) return onDay(clock.setDue);
  switch (length.unit) {
    case 'clock-hours': {
      const dueAt = new Date(Date.parse(clock.start) + length.n * 3_600_000);
      return { due: londonDate(dueAt), dueAt: dueAt.toISOString() };
    }
    case 'working-days':
      return onDay(calendar.addWorkingDays(clock.start, length.n));
    case 'working-days-before':
      return onDay(calendar.subtractWorkingDays(clock.start, length.n));
    case 'calendar-months':
      return onDay(addMonths(clock.start, length.n));
    case 'until-done':
      return onDay(calendar.addWorkingDays(clock.start, length.remindEveryWorkingDays));
    case 'set-by-business-unit':
      if (!clock.setDue) throw new RangeError(`${clock.timescale}: the Business Unit sets this due date, and none was given`);
      return onDay(clock.setDue);
  }
}

export interface ReminderSlot {
  level: ReminderLevel;
  occurrence: number;
  /** London date it goes out. */
  on: IsoDate;
  /** Instant it goes out. */
  at: string;
}

const at9 = (level: ReminderLevel, occurrence: number, on: IsoDate): ReminderSlot => ({
  level,
  occurrence,
  on,
  at: londonInstant(on, REMINDER_TIME).toISOString(),
});

/**
 * The scheduled reminders (levels 2-5) of a deadline running from `from` (a
 * London date) to `due`, in time order. Overdue reminders never end, so this
 * is a generator: take what you need.
 */
export function* reminderSlots(
  clock: DeadlineClock,
  from: IsoDate,
  due: IsoDate,
  calendar: WorkingDayCalendar,
): Generator<ReminderSlot> {
  const { policy, length } = timescale(clock.timescale);
  if (policy === 'none') return;
  if (policy === 'chase-after' || length.unit === 'until-done') {
    const every = length.unit === 'until-done' ? length.remindEveryWorkingDays : 5;
    const first = length.unit === 'working-days' ? length.n : every;
    for (let k = 1; ; k++) yield at9(2, k, calendar.addWorkingDays(from, first + every * (k - 1)));
  }
  const dueDay = calendar.workingDayOnOrBefore(due);
  if (policy === 'monthly') {
    const monthBefore = addMonths(due, -1);
    for (let k = 1; addMonths(from, k) < monthBefore; k++) yield at9(2, k, calendar.workingDayOnOrBefore(addMonths(from, k)));
    yield at9(3, 1, calendar.workingDayOnOrBefore(monthBefore));
    yield at9(3, 2, calendar.workingDayOnOrBefore(addDays(due, -14)));
    yield at9(4, 1, dueDay);
    for (let k = 1; ; k++) yield at9(5, k, calendar.workingDayOnOrAfter(addDays(due, 7 * k)));
  }
  const warnOn = calendar.subtractWorkingDays(dueDay, 1);
  const span = calendar.workingDaysBetween(from, dueDay);
  const halfway = calendar.addWorkingDays(from, Math.ceil(span / 2));
  if (halfway < warnOn) yield at9(2, 1, halfway);
  yield at9(3, 1, warnOn);
  yield at9(4, 1, dueDay);
  for (let k = 1; ; k++) yield at9(5, k, calendar.addWorkingDays(due, k));
}

/** Where a deadline's reminders stand, as the workflow tracks it. */
export interface ReminderProgress {
  /** When reminders started: the notice (level 1) goes at this instant. Absent: nobody is chased yet. */
  remindersFrom?: string;
  /** Every slot at or before this instant has been sent or superseded. */
  remindedUpTo?: string;
}

export interface DeadlinePlan extends ComputedDue {
  overdue: boolean;
  /** The reminder to send now: the latest slot that has come and not been handled. Earlier missed ones are superseded. */
  sendNow?: ReminderSlot;
  /** When the workflow should next wake for this deadline (next reminder, or the moment it becomes overdue). */
  wakeAt?: string;
}

/**
 * Recompute a deadline from today's calendar and say what to send now and
 * when to wake next. `now` is the workflow's clock.
 */
export function planDeadline(
  clock: DeadlineClock,
  progress: ReminderProgress,
  now: Date,
  calendar: WorkingDayCalendar,
  settings = DEFAULT_DEADLINE_SETTINGS,
): DeadlinePlan {
  const computed = computeDue(clock, calendar, settings);
  const { statutory } = timescale(clock.timescale);
  const nowMs = now.getTime();
  const dueAtMs = Date.parse(computed.dueAt);
  const plan: DeadlinePlan = { ...computed, overdue: statutory && nowMs > dueAtMs };
  // Wake the moment a statutory deadline passes, so the case board shows it overdue at once.
  const wakes: number[] = statutory && nowMs <= dueAtMs ? [dueAtMs + 1000] : [];

  if (progress.remindersFrom !== undefined) {
    const fromMs = Date.parse(progress.remindersFrom);
    const handledMs = progress.remindedUpTo === undefined ? -Infinity : Date.parse(progress.remindedUpTo);
    const from = isDate(clock.start) && clock.start <= londonDate(new Date(fromMs)) ? clock.start : londonDate(new Date(fromMs));
    const notice: ReminderSlot = { level: 1, occurrence: 1, on: londonDate(new Date(fromMs)), at: progress.remindersFrom };
    const consider = (slot: ReminderSlot): boolean => {
      const slotMs = Date.parse(slot.at);
      if (slotMs > nowMs) {
        wakes.push(slotMs);
        return false;
      }
      if (slotMs > handledMs) plan.sendNow = slot;
      return true;
    };
    if (consider(notice)) {
      for (const slot of reminderSlots(clock, from, computed.due, calendar)) {
        if (Date.parse(slot.at) <= fromMs) continue;
        if (!consider(slot)) break;
      }
    }
  }
  if (wakes.length > 0) plan.wakeAt = new Date(Math.min(...wakes)).toISOString();
  return plan;
}

function isDate(s: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(s);
}
