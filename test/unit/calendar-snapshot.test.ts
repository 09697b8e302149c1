/**
 * The calendar a workflow plans with (a snapshot: src/process/workingDays.ts, src/process/londonClock.ts)
 * answers exactly as the activities' calendar (src/calendar.ts with date-holidays) and Intl's London
 * time (src/london.ts), over every date of every year the calendar covers.
 */
import { CALENDAR_YEARS, WorkingDayCalendar } from '../../src/calendar';
import { calendarSnapshotOf, snapshotReply } from '../../src/calendarSnapshot';
import { DEFAULT_DEADLINE_SETTINGS, planDeadline } from '../../src/deadlines';
import { londonDate, londonInstant, londonOffsetMs } from '../../src/london';
import { addDays, type IsoDate } from '../../src/process/dates';
import { planDeadline as planInWorkflow } from '../../src/process/deadlines';
import { TIMESCALE_NAMES } from '../../src/process/timescales';
import { snapshotCalendar, type CalendarSnapshot, type SnapshotCalendar } from '../../src/process/workingDays';

const activityCalendar = new WorkingDayCalendar();
const snapshot = calendarSnapshotOf(activityCalendar, DEFAULT_DEADLINE_SETTINGS);
const FIRST: IsoDate = `${CALENDAR_YEARS.first}-01-01`;
const LAST: IsoDate = `${CALENDAR_YEARS.last}-12-31`;

/** A value, or the kind of error thrown (both calendars refuse dates outside the covered years with a RangeError). */
function outcome<T>(f: () => T): T | string {
  try {
    return f();
  } catch (err) {
    return err instanceof RangeError ? 'RangeError' : `unexpected ${String(err)}`;
  }
}

/**
 * The first differences (up to 5) between the snapshot's working days and the activities', over
 * every date of the covered years, as "question: activity vs snapshot".
 */
function workingDayDifferences(inWorkflow: SnapshotCalendar, from: IsoDate = FIRST, to: IsoDate = LAST): string[] {
  const days = inWorkflow.days;
  const differences: string[] = [];
  const compare = (what: string, a: unknown, b: unknown): void => {
    if (a !== b) differences.push(`${what}: ${String(a)} vs ${String(b)}`);
  };
  for (let d = from; d <= to && differences.length < 5; d = addDays(d, 1)) {
    compare(`isWorkingDay ${d}`, activityCalendar.isWorkingDay(d), days.isWorkingDay(d));
    compare(`addWorkingDays ${d} 5`, outcome(() => activityCalendar.addWorkingDays(d, 5)), outcome(() => days.addWorkingDays(d, 5)));
    compare(`subtractWorkingDays ${d} 5`, outcome(() => activityCalendar.subtractWorkingDays(d, 5)), outcome(() => days.subtractWorkingDays(d, 5)));
    compare(`workingDayOnOrBefore ${d}`, outcome(() => activityCalendar.workingDayOnOrBefore(d)), outcome(() => days.workingDayOnOrBefore(d)));
    compare(`workingDayOnOrAfter ${d}`, outcome(() => activityCalendar.workingDayOnOrAfter(d)), outcome(() => days.workingDayOnOrAfter(d)));
    const later = addDays(d, 9);
    compare(`workingDaysBetween ${d} ${later}`, outcome(() => activityCalendar.workingDaysBetween(d, later)), outcome(() => days.workingDaysBetween(d, later)));
  }
  return differences;
}

describe('the calendar snapshot a workflow plans with', () => {
  it('covers the calendar’s years, with the weekday bank holidays and a summer time per year', () => {
    expect(snapshot.years).toEqual({ first: CALENDAR_YEARS.first, last: CALENDAR_YEARS.last });
    expect(snapshot.summerTime).toHaveLength(CALENDAR_YEARS.last - CALENDAR_YEARS.first + 1);
    expect(snapshot.holidays).toEqual(expect.arrayContaining(['2026-12-25', '2026-12-28', '2022-09-19', '2023-05-08']));
    expect(snapshot.summerTime.find(([start]) => start.startsWith('2026'))).toEqual(['2026-03-29T01:00:00.000Z', '2026-10-25T01:00:00.000Z']);
    // 1980 changed at 02:00 GMT, before the EU rule of 01:00 UTC.
    expect(snapshot.summerTime[2]).toEqual(['1980-03-16T02:00:00.000Z', '1980-10-26T02:00:00.000Z']);
  });

  it('answers every working-day question as src/calendar.ts does, on every date of the covered years', () => {
    expect(workingDayDifferences(snapshotCalendar(snapshot))).toEqual([]);
    // Backwards, working days between is the same count negated.
    expect(snapshotCalendar(snapshot).days.workingDaysBetween('2026-12-31', '2026-12-21')).toBe(activityCalendar.workingDaysBetween('2026-12-31', '2026-12-21'));
  });

  it('disagrees when a bank holiday is missing from the snapshot (the comparison above can fail)', () => {
    const missing: CalendarSnapshot = { ...snapshot, holidays: snapshot.holidays.filter((d) => d !== '2034-05-29') };
    expect(workingDayDifferences(snapshotCalendar(missing), '2034-01-01', '2034-12-31')).toEqual(
      expect.arrayContaining(['workingDaysBetween 2034-05-20 2034-05-29: 5 vs 6', 'addWorkingDays 2034-05-22 5: 2034-05-30 vs 2034-05-29']),
    );
  });

  it('keeps London time as Intl does: every day’s 09:00, 17:30 and end of day, and around every change of the clocks', () => {
    const london = snapshotCalendar(snapshot).london;
    const differences: string[] = [];
    const compare = (what: string, a: unknown, b: unknown): void => {
      if (a !== b && differences.length < 10) differences.push(`${what}: ${String(a)} vs ${String(b)}`);
    };
    for (let d = FIRST; d <= LAST; d = addDays(d, 1)) {
      for (const time of ['09:00:00', '17:30:00', '23:59:59']) {
        const intl = londonInstant(d, time);
        compare(`instant ${d} ${time}`, intl.toISOString(), london.instant(d, time).toISOString());
        compare(`date ${intl.toISOString()}`, londonDate(intl), london.date(intl));
      }
    }
    for (const change of snapshot.summerTime.flat()) {
      for (const delta of [-3_600_001, -3_600_000, -1, 0, 1, 3_599_999, 3_600_000]) {
        const t = new Date(Date.parse(change) + delta);
        compare(`offset ${t.toISOString()}`, londonOffsetMs(t), london.offsetMs(t));
        compare(`date ${t.toISOString()}`, londonDate(t), london.date(t));
      }
    }
    expect(differences).toEqual([]);
    expect(() => london.date(new Date(`${CALENDAR_YEARS.last + 1}-01-01T00:00:00Z`))).toThrow(RangeError);
  });

  it('plans every kind of deadline as the planDeadlines activity does', () => {
    const inWorkflow = snapshotCalendar(snapshot);
    const starts = ['2026-03-27', '2026-10-23', '2026-12-21', '2034-05-25'];
    for (const timescale of TIMESCALE_NAMES) {
      for (const start of starts) {
        const clock = timescale === 'ecase-form' ? { timescale, start: `${start}T16:40:00Z` } : { timescale, start, ...(timescale === 'info-request' ? { setDue: addDays(start, 14) } : {}) };
        const remindersFrom = `${start}T10:00:00.000Z`;
        for (const days of [0, 3, 9, 40, 200]) {
          const now = new Date(Date.parse(remindersFrom) + days * 86_400_000 + 3_600_000);
          const input = { clock, progress: { remindersFrom } };
          expect([timescale, start, days, outcome(() => planInWorkflow(input, now, inWorkflow, inWorkflow.settings))]).toEqual([
            timescale,
            start,
            days,
            outcome(() => planDeadline(input, now, activityCalendar)),
          ]);
        }
      }
    }
  });

  it('seen late by a shift (benchmarks and fault tests), shows the London time of that long ago', () => {
    const shift = 5 * 3_600_000 + 7_000;
    const late = snapshotCalendar({ ...snapshot, shiftMs: shift }).london;
    const now = new Date('2034-03-26T00:30:00Z'); // 90 minutes before summer time starts
    expect(late.date(now)).toBe(londonDate(new Date(now.getTime() - shift)));
    expect(late.instant('2034-03-27', '09:00:00').getTime()).toBe(londonInstant('2034-03-27', '09:00:00').getTime() + shift);
  });

  it('has a version that changes with the calendar file’s extra days, and answers only the version to a case that holds it', () => {
    const withExtra = calendarSnapshotOf(new WorkingDayCalendar([{ date: '2034-06-05', name: 'A fictional one-off bank holiday' }]), DEFAULT_DEADLINE_SETTINGS);
    expect(withExtra.version).not.toBe(snapshot.version);
    expect(withExtra.holidays).toContain('2034-06-05');
    expect(calendarSnapshotOf(new WorkingDayCalendar(), DEFAULT_DEADLINE_SETTINGS).version).toBe(snapshot.version);
    expect(calendarSnapshotOf(activityCalendar, { websiteRetentionMonths: 12 }).version).not.toBe(snapshot.version);
    expect(snapshotReply(snapshot, snapshot.version)).toEqual({ version: snapshot.version, unchanged: true });
    expect(snapshotReply(snapshot, withExtra.version)).toBe(snapshot);
    expect(snapshotReply(snapshot, undefined)).toBe(snapshot);
  });
});
