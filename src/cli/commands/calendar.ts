/** `kscp calendar ...`: the statutory day-counting rules, for checking a date by hand. */
import { addDays, addMonths, type IsoDate } from '../../process/dates';
import { formatLongDate } from '../../london';
import { IsoDateSchema } from '../../process/schemas';
import type { WorkingDayCalendar } from '../../calendar';
import { calendar as loadCal, settings } from '../context';
import { badInput } from '../errors';

export function parseDate(arg: string, value: string): IsoDate {
  const parsed = IsoDateSchema.safeParse(value);
  if (!parsed.success) throw badInput(`${arg}: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

export function parseCount(arg: string, value: string, max = 5000): number {
  if (!/^\d+$/.test(value) || Number(value) > max) throw badInput(`${arg}: must be a whole number from 0 to ${max}, not ${JSON.stringify(value)}`);
  return Number(value);
}

/** The days skipped between two dates, as a person would check them. */
function skipped(cal: WorkingDayCalendar, from: IsoDate, to: IsoDate): string[] {
  const [a, b] = from < to ? [from, to] : [to, from];
  const out: string[] = [];
  for (let d = addDays(a, 1); d < b; d = addDays(d, 1)) {
    const why = cal.whyNotWorkingDay(d);
    if (why) out.push(`  ${formatLongDate(d)}: ${why}`);
  }
  return out;
}

const print = (lines: string[]): void => void process.stdout.write(lines.join('\n') + '\n');

export async function addWorkingDays(date: string, n: string): Promise<void> {
  const [d, k] = [parseDate('DATE', date), parseCount('N', n)];
  const cal = await loadCal(settings());
  const result = cal.addWorkingDays(d, k);
  const skips = skipped(cal, d, result);
  print([
    `Day 0 is ${formatLongDate(d)}; ${k} working day${k === 1 ? '' : 's'} later is ${formatLongDate(result)} (the deadline is the end of that day).`,
    ...(skips.length ? ['Not counted:', ...skips] : []),
    result,
  ]);
}

export async function subtractWorkingDays(date: string, n: string): Promise<void> {
  const [d, k] = [parseDate('DATE', date), parseCount('N', n)];
  const cal = await loadCal(settings());
  const result = cal.subtractWorkingDays(d, k);
  const skips = skipped(cal, result, d);
  print([
    `${k} working day${k === 1 ? '' : 's'} before ${formatLongDate(d)} (not counted) is ${formatLongDate(result)}.`,
    ...(skips.length ? ['Not counted:', ...skips] : []),
    result,
  ]);
}

export function addMonthsCommand(date: string, n: string): void {
  const [d, k] = [parseDate('DATE', date), parseCount('N', n, 1200)];
  const result = addMonths(d, k);
  const clamped = result.slice(8) !== d.slice(8);
  print([
    `${k} calendar month${k === 1 ? '' : 's'} after ${formatLongDate(d)} is ${formatLongDate(result)}` +
      (clamped ? ' (that month is shorter, so its last day).' : '.') +
      ' No working-day adjustment.',
    result,
  ]);
}

export async function isWorkingDay(date: string): Promise<void> {
  const d = parseDate('DATE', date);
  const cal = await loadCal(settings());
  const why = cal.whyNotWorkingDay(d);
  print([why ? `${d} (${formatLongDate(d)}) is not a working day: ${why}.` : `${d} (${formatLongDate(d)}) is a working day.`]);
}

export async function bankHolidays(year: string): Promise<void> {
  if (!/^\d{4}$/.test(year)) throw badInput(`YEAR: must be a year such as 2026, not ${JSON.stringify(year)}`);
  const cal = await loadCal(settings());
  print(cal.bankHolidaysOn(Number(year)).map((h) => `${h.date}  ${formatLongDate(h.date)}  ${h.name}`));
}
