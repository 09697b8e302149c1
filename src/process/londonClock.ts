/**
 * Europe/London wall-clock time without Intl, for workflow code: London is UTC in winter and one
 * hour ahead in British Summer Time, and the instants summer time starts and ends are data (a
 * calendar snapshot's `summerTime`, computed by an activity from the time-zone database).
 */
import type { IsoDate } from './dates';

/** London dates and times, from Intl (src/london.ts, activities and clients) or from a snapshot (workflows). */
export interface LondonClock {
  /** London's offset from UTC at `instant`, in ms. */
  offsetMs(instant: Date): number;
  /** The London calendar date at `instant`. */
  date(instant: Date): IsoDate;
  /** The instant at which London clocks show `time` (HH:MM:SS) on `date`. */
  instant(date: IsoDate, time: string): Date;
  /** End of a London day (23:59:59): the moment a "within N days" deadline expires. */
  endOfDay(date: IsoDate): Date;
}

const HOUR_MS = 3_600_000;

/** The London clock given only its offset function: the same arithmetic as src/london.ts. */
export function londonClockFrom(offsetMs: (instant: Date) => number): LondonClock {
  const date = (instant: Date): IsoDate => new Date(instant.getTime() + offsetMs(instant)).toISOString().slice(0, 10);
  const instant = (day: IsoDate, time: string): Date => {
    const asUtc = Date.parse(`${day}T${time}Z`);
    if (Number.isNaN(asUtc)) throw new RangeError(`bad London date/time: ${day} ${time}`);
    const guess = asUtc - offsetMs(new Date(asUtc));
    return new Date(asUtc - offsetMs(new Date(guess)));
  };
  return { offsetMs, date, instant, endOfDay: (day) => instant(day, '23:59:59') };
}

/**
 * The London clock of the years `first` to `last`, from the instants British Summer Time starts and
 * ends in each (ISO instants, in time order). An instant outside those years is refused
 * (RangeError), as the working-day calendar refuses dates outside them.
 */
export function londonClockOf(years: { first: number; last: number }, summerTime: ReadonlyArray<readonly [string, string]>): LondonClock {
  const changes = summerTime.flatMap(([start, end]) => [Date.parse(start), Date.parse(end)]);
  for (let i = 0; i < changes.length; i++) {
    if (Number.isNaN(changes[i]) || (i > 0 && changes[i]! <= changes[i - 1]!)) throw new RangeError('calendar snapshot: summer time instants are not ISO instants in time order');
  }
  // London is on UTC at the turn of every year, so the years' bounds are UTC midnights.
  const from = Date.UTC(years.first, 0, 1);
  const until = Date.UTC(years.last + 1, 0, 1);
  return londonClockFrom((instant) => {
    const t = instant.getTime();
    if (!(t >= from && t < until)) throw new RangeError(`London time is known here for ${years.first} to ${years.last}, and ${Number.isNaN(t) ? 'an invalid instant' : instant.toISOString()} is outside them`);
    // How many changes have happened by `t`: an odd count is summer time.
    let lo = 0;
    let hi = changes.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (changes[mid]! <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo % 2 === 1 ? HOUR_MS : 0;
  });
}
