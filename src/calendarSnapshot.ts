/**
 * The calendar snapshot workflow code plans deadlines with (src/process/workingDays.ts): the
 * weekday bank holidays of every year the calendar covers and the instants British Summer Time
 * starts and ends in each, from the same calendar the activities use (src/calendar.ts, with the
 * calendar file's extra days) and Intl's time-zone data, with a version that changes when they do.
 */
import { createHash } from 'node:crypto';
import { CALENDAR_YEARS, type WorkingDayCalendar } from './calendar';
import { londonOffsetMs } from './london';
import type { CalendarSnapshot, CalendarSnapshotReply, DeadlineSettings } from './process/workingDays';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** The first instant in (lo, hi] at which London's offset is `after` (it is not at lo), to the millisecond. */
function changeBetween(lo: number, hi: number, after: number): number {
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (londonOffsetMs(new Date(mid)) === after) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** The instants summer time starts and ends in `year`, from Intl's time-zone data (checked: one hour ahead, once a year). */
export function summerTimeOf(year: number): [string, string] {
  const changes: Array<{ at: number; offset: number }> = [];
  let prev = Date.UTC(year, 0, 1);
  let offset = londonOffsetMs(new Date(prev));
  for (let t = prev + DAY_MS; t <= Date.UTC(year + 1, 0, 1); t += DAY_MS) {
    const now = londonOffsetMs(new Date(t));
    if (now !== offset) {
      changes.push({ at: changeBetween(prev, t, now), offset: now });
      offset = now;
    }
    prev = t;
  }
  const [start, end] = changes;
  if (changes.length !== 2 || start!.offset !== HOUR_MS || end!.offset !== 0)
    throw new Error(`London time in ${year} is not one summer hour a year (${changes.map((c) => `${new Date(c.at).toISOString()} ${c.offset / 60_000} min`).join(', ')}): the workflow's London clock cannot represent it`);
  return [new Date(start!.at).toISOString(), new Date(end!.at).toISOString()];
}

let summerTimes: Array<[string, string]> | undefined;
/** Every covered year's summer time (computed once per process: the time-zone data does not change while it runs). */
function allSummerTimes(): Array<[string, string]> {
  summerTimes ??= Array.from({ length: CALENDAR_YEARS.last - CALENDAR_YEARS.first + 1 }, (_, i) => summerTimeOf(CALENDAR_YEARS.first + i));
  return summerTimes;
}

/**
 * Snapshots already built, by what they are built from (the calendar file's extra days and the
 * settings; date-holidays' rules do not change while the worker runs): the worker asks at every
 * wake of every case, and building one reads 122 years of holidays.
 */
const built = new Map<string, CalendarSnapshot>();
const KEEP = 8;

export function calendarSnapshotOf(calendar: WorkingDayCalendar, settings: DeadlineSettings): CalendarSnapshot {
  const key = JSON.stringify([calendar.extraHolidays, settings]);
  const cached = built.get(key);
  if (cached) return cached;
  const years = { first: CALENDAR_YEARS.first, last: CALENDAR_YEARS.last };
  const holidays: string[] = [];
  for (let y = years.first; y <= years.last; y++) holidays.push(...calendar.bankHolidaysOn(y).map((h) => h.date));
  const content = { years, holidays, summerTime: allSummerTimes(), settings: { websiteRetentionMonths: settings.websiteRetentionMonths } };
  const version = `cal-${createHash('sha256').update(JSON.stringify(content)).digest('hex').slice(0, 16)}`;
  const snapshot: CalendarSnapshot = { version, ...content };
  built.set(key, snapshot);
  if (built.size > KEEP) built.delete(built.keys().next().value!);
  return snapshot;
}

/** The snapshot, or only its version when the caller already holds that version (so a case's history records it once). */
export function snapshotReply(snapshot: CalendarSnapshot, have: string | undefined): CalendarSnapshotReply {
  return have === snapshot.version ? { version: snapshot.version, unchanged: true } : snapshot;
}
