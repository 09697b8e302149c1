/**
 * The England and Wales working-day calendar (DESIGN.md §2).
 *
 * A working day is Monday to Friday and not a bank holiday. Bank holidays come
 * from date-holidays (types "public" and "bank", region GB-ENG, which England
 * and Wales share), plus the extra days in the calendar config file. The
 * calendar is data that changes (a one-off bank holiday can be announced at
 * any time), so this module is used by activities and clients only; workflow
 * code asks an activity.
 */
import Holidays from 'date-holidays';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { addDays, CALENDAR_YEARS, isWeekend, type IsoDate } from './process/dates';
import { IsoDateSchema } from './process/schemas';

export interface BankHoliday {
  date: IsoDate;
  name: string;
}

export const CalendarConfigSchema = z.strictObject({
  extraHolidays: z.array(z.strictObject({ date: IsoDateSchema, name: z.string().min(1) })).default([]),
});
export type CalendarConfig = z.infer<typeof CalendarConfigSchema>;

/**
 * The years this calendar answers truthfully: England and Wales bank holidays as the Banking and
 * Financial Dealings Act 1971 keeps them (the May Day holiday from 1978), with the one-off days
 * date-holidays knows, until the end of the century. Outside them every answer is refused.
 */
export { CALENDAR_YEARS } from './process/dates';

export class CalendarRangeError extends RangeError {}

function checkYear(year: number, what: string): void {
  if (year < CALENDAR_YEARS.first || year > CALENDAR_YEARS.last)
    throw new CalendarRangeError(
      `the working-day calendar covers ${CALENDAR_YEARS.first} to ${CALENDAR_YEARS.last} (bank holidays of England and Wales as the law keeps them now), and ${what} falls in ${year}`,
    );
}

export class WorkingDayCalendar {
  private readonly byYear = new Map<number, Map<IsoDate, string>>();
  private readonly source = new Holidays('GB', 'ENG');

  /** `extraHolidays`: the calendar file's extra days, on top of date-holidays' (the calendar snapshot is keyed on them). */
  constructor(readonly extraHolidays: readonly BankHoliday[] = []) {}

  /** The name of the bank holiday on `date`, if it is one (weekend dates included). */
  bankHoliday(date: IsoDate): string | undefined {
    return this.holidaysOf(Number(date.slice(0, 4))).get(date);
  }

  /** Why `date` is not a working day ("weekend", "bank holiday: Christmas Day"), or undefined if it is one. */
  whyNotWorkingDay(date: IsoDate): string | undefined {
    const holiday = this.bankHoliday(date);
    if (isWeekend(date)) return 'weekend';
    return holiday === undefined ? undefined : `bank holiday: ${holiday}`;
  }

  isWorkingDay(date: IsoDate): boolean {
    return this.whyNotWorkingDay(date) === undefined;
  }

  /** The N-th working day after `date`; `date` itself is day 0 whatever day it is. */
  addWorkingDays(date: IsoDate, n: number): IsoDate {
    if (n < 0) return this.subtractWorkingDays(date, -n);
    return this.step(date, n, 1);
  }

  /** Step back N working days from `date`, `date` not counted. */
  subtractWorkingDays(date: IsoDate, n: number): IsoDate {
    if (n < 0) return this.addWorkingDays(date, -n);
    return this.step(date, n, -1);
  }

  /** `date` if it is a working day, else the nearest working day before it. */
  workingDayOnOrBefore(date: IsoDate): IsoDate {
    return this.isWorkingDay(date) ? date : this.step(date, 1, -1);
  }

  /** `date` if it is a working day, else the next working day after it. */
  workingDayOnOrAfter(date: IsoDate): IsoDate {
    return this.isWorkingDay(date) ? date : this.step(date, 1, 1);
  }

  /** Working days in (from, to]: how many working days late `to` is after `from`. */
  workingDaysBetween(from: IsoDate, to: IsoDate): number {
    if (to <= from) return -this.countForward(to, from);
    return this.countForward(from, to);
  }

  /** Bank holidays of `year` that fall on weekdays, in date order. */
  bankHolidaysOn(year: number): BankHoliday[] {
    return [...this.holidaysOf(year)]
      .filter(([date]) => !isWeekend(date))
      .map(([date, name]) => ({ date, name }))
      .sort((a, b) => (a.date < b.date ? -1 : 1));
  }

  private countForward(from: IsoDate, to: IsoDate): number {
    let count = 0;
    for (let d = addDays(from, 1); d <= to; d = addDays(d, 1)) if (this.isWorkingDay(d)) count++;
    return count;
  }

  private step(date: IsoDate, n: number, direction: 1 | -1): IsoDate {
    let d = date;
    for (let found = 0; found < n; ) {
      d = addDays(d, direction);
      if (this.isWorkingDay(d)) found++;
    }
    return d;
  }

  private holidaysOf(year: number): Map<IsoDate, string> {
    checkYear(year, 'the answer');
    let days = this.byYear.get(year);
    if (!days) {
      days = new Map();
      for (const h of this.source.getHolidays(year)) {
        if (h.type === 'public' || h.type === 'bank') days.set(h.date.slice(0, 10), h.name);
      }
      for (const h of this.extraHolidays) if (h.date.startsWith(`${year}-`)) days.set(h.date, h.name);
      this.byYear.set(year, days);
    }
    return days;
  }
}

/**
 * The calendar built from the last file content read, reused while the file does not change:
 * building one (date-holidays' rules, each year's holidays) costs tens of milliseconds, and the
 * worker asks for the calendar at every deadline plan and every email.
 */
let lastBuilt: { file: string | undefined; content: string; calendar: WorkingDayCalendar } | undefined;

/** Read the calendar config file (extra bank holidays) and build a calendar from it (or reuse the one built from the same content). */
export async function loadCalendar(file: string | undefined): Promise<WorkingDayCalendar> {
  // The file is read at every call, so a changed file applies at once.
  let content = '';
  try {
    if (file) content = await readFile(file, 'utf8');
  } catch (err) {
    throw new Error(`calendar file ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  if (lastBuilt && lastBuilt.file === file && lastBuilt.content === content) return lastBuilt.calendar;
  let calendar: WorkingDayCalendar;
  if (!file) calendar = new WorkingDayCalendar();
  else {
    let raw: unknown;
    try {
      raw = JSON.parse(content);
    } catch (err) {
      throw new Error(`calendar file ${file}: not valid JSON (${(err as Error).message})`);
    }
    const parsed = CalendarConfigSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`calendar file ${file}: ${issue?.path.join('.') || '(top level)'}: ${issue?.message}`);
    }
    calendar = new WorkingDayCalendar(parsed.data.extraHolidays);
  }
  lastBuilt = { file, content, calendar };
  return calendar;
}
