/**
 * Deadline arithmetic and the reminder schedule (DESIGN.md §2, §4 and §6), pure: the working-day
 * calendar and London's clock are passed in. Activities and clients pass src/calendar.ts and Intl's
 * London time (src/deadlines.ts); workflow code passes a calendar snapshot (./workingDays.ts).
 */
import { addDays, addMonths, type IsoDate } from './dates';
import type { DeadlineClock, ReminderProgress } from './incident';
import type { LondonClock } from './londonClock';
import { timescale, type ReminderLevel } from './timescales';
import { DEFAULT_DEADLINE_SETTINGS, type DeadlineSettings, type WorkingDays } from './workingDays';

/** The working days and the London clock deadlines are planned with. */
export interface PlanningCalendar {
  days: WorkingDays;
  london: LondonClock;
}

/** Every reminder after the notice goes out at this London time, on a working day. */
export const REMINDER_TIME = '09:00:00';
/** A reminder missed while the worker was down goes out at once only before this London time on a working day. */
export const WORKING_DAY_ENDS = '17:30:00';

export interface ComputedDue {
  /** The London date the deadline falls on. */
  due: IsoDate;
  /** The instant it expires (end of the London day, or the exact hour for clock-hours). */
  dueAt: string;
}


const onDay = (due: IsoDate, cal: PlanningCalendar): ComputedDue => ({ due, dueAt: cal.london.endOfDay(due).toISOString() });

export function computeDue(clock: DeadlineClock, cal: PlanningCalendar, settings: DeadlineSettings = DEFAULT_DEADLINE_SETTINGS): ComputedDue {
  const { length: tableLength } = timescale(clock.timescale);
  const length = clock.timescale === 'website-removal' ? { unit: 'calendar-months' as const, n: settings.websiteRetentionMonths } : tableLength;
  // A date set by the Business Unit (an information request) wins.
  if (clock.setDue !== undefined) return onDay(clock.setDue, cal);
  switch (length.unit) {
    case 'clock-hours': {
      const dueAt = new Date(Date.parse(clock.start) + length.n * 3_600_000);
      return { due: cal.london.date(dueAt), dueAt: dueAt.toISOString() };
    }
    case 'working-days':
      return onDay(cal.days.addWorkingDays(clock.start, length.n), cal);
    case 'working-days-before':
      return onDay(cal.days.subtractWorkingDays(clock.start, length.n), cal);
    case 'calendar-months':
      return onDay(addMonths(clock.start, length.n), cal);
    case 'set-by-business-unit':
      throw new RangeError(`${clock.timescale}: the Business Unit sets this due date, and none was given`);
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

const at9 = (cal: PlanningCalendar, level: ReminderLevel, occurrence: number, on: IsoDate): ReminderSlot => ({
  level,
  occurrence,
  on,
  at: cal.london.instant(on, REMINDER_TIME).toISOString(),
});

/**
 * The scheduled reminders (levels 2-5) of a deadline running from `from` (a London date) to `due`
 * (the date being chased), in time order. Reminders after the due date never end, so this is a
 * generator: take what you need.
 */
export function* reminderSlots(clock: DeadlineClock, from: IsoDate, due: IsoDate, cal: PlanningCalendar): Generator<ReminderSlot> {
  const { policy, length } = timescale(clock.timescale);
  if (policy === 'none') return;
  const dueDay = cal.days.workingDayOnOrBefore(due);
  if (policy === 'chase-after') {
    const first = length.unit === 'working-days' ? length.n : 5;
    for (let k = 1; ; k++) yield at9(cal, 2, k, cal.days.addWorkingDays(from, first + 5 * (k - 1)));
  }
  if (policy === 'gentle') {
    // A policy target: a reminder 10 working days before (when there is time), on the day, then every 5 working days.
    let k = 1;
    const before = cal.days.subtractWorkingDays(dueDay, 10);
    if (before > from) yield at9(cal, 2, k++, before);
    yield at9(cal, 2, k++, dueDay);
    for (let n = 1; ; n++) yield at9(cal, 2, k++, cal.days.addWorkingDays(dueDay, 5 * n));
  }
  if (policy === 'monthly') {
    const monthBefore = addMonths(due, -1);
    for (let k = 1; addMonths(from, k) < monthBefore; k++) yield at9(cal, 2, k, cal.days.workingDayOnOrBefore(addMonths(from, k)));
    yield at9(cal, 3, 1, cal.days.workingDayOnOrBefore(monthBefore));
    yield at9(cal, 3, 2, cal.days.workingDayOnOrBefore(addDays(due, -14)));
    yield at9(cal, 4, 1, dueDay);
    for (let k = 1; ; k++) yield at9(cal, 5, k, cal.days.workingDayOnOrAfter(addDays(due, 7 * k)));
  }
  const warnOn = cal.days.subtractWorkingDays(dueDay, 1);
  const span = cal.days.workingDaysBetween(from, dueDay);
  const halfway = cal.days.addWorkingDays(from, Math.ceil(span / 2));
  if (halfway < warnOn) yield at9(cal, 2, 1, halfway);
  yield at9(cal, 3, 1, warnOn);
  yield at9(cal, 4, 1, dueDay);
  for (let k = 1; ; k++) yield at9(cal, 5, k, cal.days.addWorkingDays(due, k));
}

/** Inside the working day: a working day in London, from 09:00 until 17:30. */
export function inWorkingHours(instant: Date, cal: PlanningCalendar): boolean {
  const day = cal.london.date(instant);
  if (!cal.days.isWorkingDay(day)) return false;
  const t = instant.getTime();
  return t >= cal.london.instant(day, REMINDER_TIME).getTime() && t < cal.london.instant(day, WORKING_DAY_ENDS).getTime();
}

/** The next 09:00 London on a working day after `instant` (today's, if it is still to come). */
export function nextWorkingMorning(instant: Date, cal: PlanningCalendar): Date {
  let day = cal.london.date(instant);
  for (let i = 0; i < 30; i++, day = addDays(day, 1)) {
    if (!cal.days.isWorkingDay(day)) continue;
    const nine = cal.london.instant(day, REMINDER_TIME);
    if (nine.getTime() > instant.getTime()) return nine;
  }
  throw new RangeError(`no working day within 30 days of ${instant.toISOString()}`);
}

/** What the workflow asks about one deadline. */
export interface PlanInput {
  clock: DeadlineClock;
  progress: ReminderProgress;
  /** After a deferral: the date chased by reminders (the statutory due date does not move). */
  revisedTarget?: IsoDate;
  /** When it was met, for the verdict: on time or late, and by how much. */
  met?: { on?: IsoDate; at?: string };
}

export interface DeadlinePlan extends ComputedDue {
  /** Open and past the date being chased (a statutory deadline; a policy target is never overdue). */
  overdue: boolean;
  /** Met: whether by the due date (instants compared as instants). */
  onTime?: boolean;
  /** Met late, or open past the due date: working days late (so far). */
  workingDaysLate?: number;
  /** A clock-hour deadline met late: hours late (rounded up). */
  hoursLate?: number;
  /** The reminder to send now: the latest slot that has come and not been handled. Earlier missed ones are superseded. */
  sendNow?: ReminderSlot;
  /** When the workflow should next wake for this deadline (next reminder, the moment it becomes overdue, the next working morning). */
  wakeAt?: string;
}

function verdict(computed: ComputedDue, met: NonNullable<PlanInput['met']>, cal: PlanningCalendar): Pick<DeadlinePlan, 'onTime' | 'workingDaysLate' | 'hoursLate'> {
  if (met.at !== undefined) {
    const lateMs = Date.parse(met.at) - Date.parse(computed.dueAt);
    if (lateMs <= 0) return { onTime: true };
    return { onTime: false, hoursLate: Math.ceil(lateMs / 3_600_000), workingDaysLate: Math.max(cal.days.workingDaysBetween(computed.due, cal.london.date(new Date(met.at))), 0) };
  }
  const on = met.on!;
  if (on <= computed.due) return { onTime: true };
  return { onTime: false, workingDaysLate: cal.days.workingDaysBetween(computed.due, on) };
}

/**
 * Recompute a deadline from today's calendar and say what to send now and when to wake next.
 * `now` is the workflow's clock.
 *
 * - The notice goes at the instant reminders started (it acknowledges a recorded step). If the
 *   deadline had already reached a warning, due-today or overdue level by then, the notice is that
 *   level instead, to that level's recipients (DESIGN.md §6). A notice opened by a clock rather
 *   than a step waits for working hours like any reminder.
 * - A scheduled reminder whose 09:00 slot passed while the worker was down goes out at once if it
 *   is still a working day between 09:00 and 17:30 London, otherwise at the next working 09:00.
 */
export function planDeadline(input: PlanInput, now: Date, cal: PlanningCalendar, settings: DeadlineSettings = DEFAULT_DEADLINE_SETTINGS): DeadlinePlan {
  return plan(input, now, cal, settings);
}

function plan({ clock, progress, revisedTarget, met }: PlanInput, now: Date, cal: PlanningCalendar, settings: DeadlineSettings): DeadlinePlan {
  const computed = computeDue(clock, cal, settings);
  const { statutory } = timescale(clock.timescale);
  const nowMs = now.getTime();
  const chased = revisedTarget !== undefined && revisedTarget > computed.due ? onDay(revisedTarget, cal) : computed;
  const chasedAtMs = Date.parse(chased.dueAt);
  const dueAtMs = Date.parse(computed.dueAt);
  const plan: DeadlinePlan = { ...computed, overdue: false };
  if (met) return { ...plan, ...verdict(computed, met, cal) };
  plan.overdue = statutory && nowMs > chasedAtMs;
  if (nowMs > dueAtMs) plan.workingDaysLate = Math.max(cal.days.workingDaysBetween(computed.due, cal.london.date(now)), 0);
  // Wake the moment a statutory deadline (or its revised target) passes, so the case board shows it at once.
  const wakes: number[] = statutory && nowMs <= chasedAtMs ? [chasedAtMs + 1000] : [];
  if (nowMs <= dueAtMs && dueAtMs !== chasedAtMs) wakes.push(dueAtMs + 1000);

  if (progress.remindersFrom !== undefined) {
    const fromMs = Date.parse(progress.remindersFrom);
    const handledMs = progress.remindedUpTo === undefined ? -Infinity : Date.parse(progress.remindedUpTo);
    const startDay = cal.london.date(new Date(fromMs));
    const from = isDate(clock.start) && clock.start <= startDay ? clock.start : startDay;
    const schedule = reminderSlots(clock, from, chased.due, cal);
    // The level the deadline had reached when reminders started: a warning or worse replaces the notice.
    let reached: ReminderSlot | undefined;
    let next = schedule.next();
    while (!next.done && Date.parse(next.value.at) <= fromMs) {
      reached = next.value;
      next = schedule.next();
    }
    const notice: ReminderSlot =
      reached && reached.level >= 3
        ? { ...reached, on: startDay, at: progress.remindersFrom }
        : { level: 1, occurrence: 1, on: startDay, at: progress.remindersFrom };
    let due: ReminderSlot | undefined;
    let gated = false;
    const consider = (slot: ReminderSlot, atOnce: boolean): boolean => {
      const slotMs = Date.parse(slot.at);
      if (slotMs > nowMs) {
        wakes.push(slotMs);
        return false;
      }
      if (slotMs > handledMs) {
        due = slot;
        gated = !atOnce;
      }
      return true;
    };
    if (consider(notice, !progress.noticeInWorkingHours)) {
      for (; !next.done; next = schedule.next()) if (!consider(next.value, false)) break;
    }
    if (due) {
      // A scheduled reminder goes only in working hours (a punctual 09:00 one is in them).
      if (!gated || inWorkingHours(now, cal)) plan.sendNow = due;
      else wakes.push(nextWorkingMorning(now, cal).getTime());
    }
  }
  if (wakes.length > 0) plan.wakeAt = new Date(Math.min(...wakes)).toISOString();
  return plan;
}

function isDate(s: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(s);
}
