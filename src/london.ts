/**
 * Europe/London wall-clock time. Every date a person sees is a London date;
 * every instant stored is UTC. Uses Intl's time-zone data, so it belongs in
 * activities and clients, never in workflow code.
 */
import type { IsoDate } from './process/dates';

export const LONDON = 'Europe/London';

const parts = new Intl.DateTimeFormat('en-GB', {
  timeZone: LONDON,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

function wallClock(instant: Date): { date: IsoDate; ms: number } {
  const p: Record<string, string> = {};
  for (const { type, value } of parts.formatToParts(instant)) p[type] = value;
  const date = `${p.year}-${p.month}-${p.day}`;
  const ms = Date.parse(`${date}T${p.hour}:${p.minute}:${p.second}Z`) + instant.getUTCMilliseconds();
  return { date, ms };
}

/** London's offset from UTC at `instant`, in ms (0 in winter, 3,600,000 in summer). */
export function londonOffsetMs(instant: Date): number {
  return wallClock(instant).ms - instant.getTime();
}

/** The London calendar date at `instant`. */
export function londonDate(instant: Date): IsoDate {
  return wallClock(instant).date;
}

/** The instant at which London clocks show `time` (HH:MM:SS) on `date`. */
export function londonInstant(date: IsoDate, time: string): Date {
  const asUtc = Date.parse(`${date}T${time}Z`);
  if (Number.isNaN(asUtc)) throw new RangeError(`bad London date/time: ${date} ${time}`);
  let guess = asUtc - londonOffsetMs(new Date(asUtc));
  const corrected = asUtc - londonOffsetMs(new Date(guess));
  if (corrected !== guess) guess = corrected;
  return new Date(guess);
}

/** End of a London day (23:59:59): the moment a "within N days" deadline expires. */
export function endOfLondonDay(date: IsoDate): Date {
  return londonInstant(date, '23:59:59');
}

const longDate = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'UTC',
  weekday: 'long',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
});

/** "Thursday 31 December 2026" for a calendar date. */
export function formatLongDate(date: IsoDate): string {
  return longDate.format(new Date(`${date}T12:00:00Z`)).replace(',', '');
}

const dateTime = new Intl.DateTimeFormat('en-GB', {
  timeZone: LONDON,
  hourCycle: 'h23',
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZoneName: 'short',
});

/** "Thu 31 Dec 2026, 09:00 GMT" for an instant. */
export function formatLondonDateTime(instant: Date): string {
  return dateTime.format(instant).replace(/,/g, '').replace(/ (\d\d:\d\d)/, ', $1');
}

const shortDate = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' });

/** "Thu 31 Dec 2026" for a calendar date: the short form tables use beside `formatLondonDateTime`. */
export function formatShortDate(date: IsoDate): string {
  return shortDate.format(new Date(`${date}T12:00:00Z`)).replace(',', '');
}
