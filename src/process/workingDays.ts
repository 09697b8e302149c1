/**
 * The England and Wales working-day calendar as workflow code holds it: a snapshot (plain JSON) of
 * the bank holidays and London's summer time over the years the calendar covers, taken by the
 * `calendarSnapshot` local activity from the same calendar file the activities read (src/calendar.ts,
 * src/calendarSnapshot.ts). The arithmetic here is pure; the data can change (a one-off bank holiday),
 * so a case asks for the snapshot's version at every wake and takes a new one when it changed.
 */
import { addDays, isWeekend, type IsoDate } from './dates';
import { londonClockOf, type LondonClock } from './londonClock';

/** The working-day questions deadline planning asks (answered by src/calendar.ts in activities, by a snapshot in workflows). */
export interface WorkingDays {
  isWorkingDay(date: IsoDate): boolean;
  /** The N-th working day after `date`; `date` itself is day 0 whatever day it is. */
  addWorkingDays(date: IsoDate, n: number): IsoDate;
  /** Step back N working days from `date`, `date` not counted. */
  subtractWorkingDays(date: IsoDate, n: number): IsoDate;
  /** `date` if it is a working day, else the nearest working day before it. */
  workingDayOnOrBefore(date: IsoDate): IsoDate;
  /** `date` if it is a working day, else the next working day after it. */
  workingDayOnOrAfter(date: IsoDate): IsoDate;
  /** Working days in (from, to]: how many working days late `to` is after `from`. */
  workingDaysBetween(from: IsoDate, to: IsoDate): number;
}

/** Timescales the partnership may configure (README, "Settings"). */
export interface DeadlineSettings {
  /** How long a published report stays on the website: 6 months in the guide; Working Together asks for at least 12. */
  websiteRetentionMonths: number;
}
export const DEFAULT_DEADLINE_SETTINGS: DeadlineSettings = { websiteRetentionMonths: 6 };

/** Everything deadline planning reads that can change while a case is open, as plain JSON. */
export interface CalendarSnapshot {
  /** A hash of the rest: the same version, the same answers. */
  version: string;
  /** The years the calendar answers (CALENDAR_YEARS); a date outside them is refused. */
  years: { first: number; last: number };
  /** Bank holidays that fall on weekdays (England and Wales, with the calendar file's extra days), in date order. */
  holidays: IsoDate[];
  /** For each year, the instants British Summer Time starts and ends (ISO, UTC). */
  summerTime: Array<[string, string]>;
  /** The configured timescales (website retention). */
  settings: DeadlineSettings;
  /**
   * Benchmarks and fault tests only (test/helpers/shiftedClock.ts): London's clock is seen this many
   * ms late, so a 09:00 reminder falls due seconds from now on a real server.
   */
  shiftMs?: number;
}

/** What the `calendarSnapshot` local activity answers: the snapshot, or only its version when the caller holds it already. */
export type CalendarSnapshotReply = CalendarSnapshot | { version: string; unchanged: true };

/** The calendar of a snapshot: working days and London time, pure. */
export interface SnapshotCalendar {
  version: string;
  days: WorkingDays;
  london: LondonClock;
  settings: DeadlineSettings;
}

export function snapshotCalendar(snapshot: CalendarSnapshot): SnapshotCalendar {
  const { first, last } = snapshot.years;
  const holidays = snapshot.holidays;
  const isHoliday = (date: IsoDate): boolean => {
    // Sorted: a binary search, no copy of the list per case.
    let lo = 0;
    let hi = holidays.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const h = holidays[mid]!;
      if (h === date) return true;
      if (h < date) lo = mid + 1;
      else hi = mid;
    }
    return false;
  };
  const isWorkingDay = (date: IsoDate): boolean => {
    const year = Number(date.slice(0, 4));
    if (!(year >= first && year <= last))
      throw new RangeError(
        `the working-day calendar covers ${first} to ${last} (bank holidays of England and Wales as the law keeps them now), and the answer falls in ${Number.isNaN(year) ? date : year}`,
      );
    return !isWeekend(date) && !isHoliday(date);
  };
  const step = (date: IsoDate, n: number, direction: 1 | -1): IsoDate => {
    let d = date;
    for (let found = 0; found < n; ) {
      d = addDays(d, direction);
      if (isWorkingDay(d)) found++;
    }
    return d;
  };
  const countForward = (from: IsoDate, to: IsoDate): number => {
    let count = 0;
    for (let d = addDays(from, 1); d <= to; d = addDays(d, 1)) if (isWorkingDay(d)) count++;
    return count;
  };
  const days: WorkingDays = {
    isWorkingDay,
    addWorkingDays: (date, n) => (n < 0 ? step(date, -n, -1) : step(date, n, 1)),
    subtractWorkingDays: (date, n) => (n < 0 ? step(date, -n, 1) : step(date, n, -1)),
    workingDayOnOrBefore: (date) => (isWorkingDay(date) ? date : step(date, 1, -1)),
    workingDayOnOrAfter: (date) => (isWorkingDay(date) ? date : step(date, 1, 1)),
    workingDaysBetween: (from, to) => (to <= from ? -countForward(to, from) : countForward(from, to)),
  };
  const london = londonClockOf(snapshot.years, snapshot.summerTime);
  return { version: snapshot.version, days, london: snapshot.shiftMs ? shifted(london, snapshot.shiftMs) : london, settings: snapshot.settings };
}

/** `london` seen `shiftMs` late: the date and time it showed `shiftMs` ago. */
function shifted(london: LondonClock, shiftMs: number): LondonClock {
  const earlier = (instant: Date): Date => new Date(instant.getTime() - shiftMs);
  return {
    offsetMs: (instant) => london.offsetMs(earlier(instant)) - shiftMs,
    date: (instant) => london.date(earlier(instant)),
    instant: (date, time) => new Date(london.instant(date, time).getTime() + shiftMs),
    endOfDay: (date) => new Date(london.endOfDay(date).getTime() + shiftMs),
  };
}
