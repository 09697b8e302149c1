import path from 'node:path';
import snapshot from '../fixtures/bank-holidays-england-and-wales-2020-2027.json';
import { loadCalendar, WorkingDayCalendar } from '../../src/calendar';
import { addMonths } from '../../src/process/dates';
import { endOfLondonDay, londonDate, londonInstant } from '../../src/london';

const shipped = path.join(__dirname, '..', '..', 'config', 'calendar.json');

describe('England and Wales bank holidays, against the GOV.UK snapshot 2020-2027', () => {
  let calendar: WorkingDayCalendar;
  beforeAll(async () => {
    calendar = await loadCalendar(shipped);
  });

  it.each([2020, 2021, 2022, 2023, 2024, 2025, 2026, 2027])('%i has exactly the snapshot days off', (year) => {
    const expected = snapshot.events.filter((e) => e.date.startsWith(`${year}-`)).map((e) => e.date);
    expect(calendar.bankHolidaysOn(year).map((h) => h.date)).toEqual(expected);
  });

  it('treats every snapshot day as a non-working day, naming the holiday', () => {
    for (const e of snapshot.events) expect(calendar.whyNotWorkingDay(e.date)).toMatch(/^bank holiday: /);
  });

  it.each([
    ['2020-12-28', 'Boxing Day on a Saturday'],
    ['2021-12-27', 'Christmas Day on a Saturday'],
    ['2021-12-28', 'Boxing Day on a Sunday'],
    ['2022-01-03', "New Year's Day on a Saturday"],
    ['2022-12-27', 'Christmas Day on a Sunday'],
    ['2023-01-02', "New Year's Day on a Sunday"],
    ['2026-12-28', 'Boxing Day on a Saturday'],
  ])('keeps the substitute day %s (%s)', (date) => {
    expect(calendar.isWorkingDay(date)).toBe(false);
  });

  it('keeps the one-off days of 2022 and 2023 and the moved days of 2020 and 2022', () => {
    for (const d of ['2022-06-03', '2022-09-19', '2023-05-08', '2020-05-08', '2022-06-02']) expect(calendar.isWorkingDay(d)).toBe(false);
    // The usual first Monday of May 2020 and last Monday of May 2022 were working days that year.
    expect(calendar.isWorkingDay('2020-05-04')).toBe(true);
    expect(calendar.isWorkingDay('2022-05-30')).toBe(true);
  });

  it('says a weekend is a weekend', () => {
    expect(calendar.whyNotWorkingDay('2026-11-28')).toBe('weekend');
    expect(calendar.whyNotWorkingDay('2026-11-27')).toBeUndefined();
  });
});

describe('counting working days (DESIGN.md §2)', () => {
  const calendar = new WorkingDayCalendar();

  it('counts day 0 as the day of awareness: Mon 22 Dec 2025 + 5 working days is Wed 31 Dec 2025', () => {
    expect(calendar.addWorkingDays('2025-12-22', 5)).toBe('2025-12-31');
  });

  it('gives the 15-working-day Rapid Review date from the same day 0, past New Year', () => {
    expect(calendar.addWorkingDays('2025-12-22', 15)).toBe('2026-01-15');
  });

  it('starts from a Saturday or Sunday day 0 without counting it', () => {
    expect(calendar.addWorkingDays('2026-03-14', 5)).toBe('2026-03-20');
    expect(calendar.addWorkingDays('2026-03-15', 1)).toBe('2026-03-16');
  });

  it('crosses the Christmas 2026 substitute day', () => {
    // Tue 22 Dec 2026: 23, 24, (25 Fri, 26-27 weekend, 28 Mon substitute), 29, 30, 31.
    expect(calendar.addWorkingDays('2026-12-22', 5)).toBe('2026-12-31');
  });

  it('steps back N working days before a date, the date not counted', () => {
    expect(calendar.subtractWorkingDays('2026-01-06', 7)).toBe('2025-12-23');
    expect(calendar.subtractWorkingDays('2026-03-16', 1)).toBe('2026-03-13');
  });

  it('counts working days between two dates', () => {
    expect(calendar.workingDaysBetween('2025-12-22', '2025-12-31')).toBe(5);
    expect(calendar.workingDaysBetween('2025-12-31', '2026-01-05')).toBe(2);
    expect(calendar.workingDaysBetween('2025-12-31', '2025-12-22')).toBe(-5);
  });

  it('moves deadlines when a bank holiday is added to the config', () => {
    const withExtra = new WorkingDayCalendar([{ date: '2026-12-29', name: 'A one-off bank holiday' }]);
    expect(withExtra.addWorkingDays('2026-12-22', 5)).toBe('2027-01-04');
    expect(withExtra.whyNotWorkingDay('2026-12-29')).toBe('bank holiday: A one-off bank holiday');
  });
});

describe('calendar months', () => {
  it.each([
    ['2026-08-31', 6, '2027-02-28'],
    ['2027-08-31', 6, '2028-02-29'],
    ['2026-01-31', 1, '2026-02-28'],
    ['2026-03-15', 6, '2026-09-15'],
    ['2026-12-31', -1, '2026-11-30'],
  ])('%s + %i months is %s', (from, n, to) => {
    expect(addMonths(from, n)).toBe(to);
  });
});

describe('London time across the GMT/BST change', () => {
  it('puts the end of a GMT day at 23:59:59Z and of a BST day at 22:59:59Z', () => {
    expect(endOfLondonDay('2026-03-28').toISOString()).toBe('2026-03-28T23:59:59.000Z');
    expect(endOfLondonDay('2026-03-29').toISOString()).toBe('2026-03-29T22:59:59.000Z');
    expect(endOfLondonDay('2026-10-25').toISOString()).toBe('2026-10-25T23:59:59.000Z');
  });

  it('sends 09:00 reminders at 08:00Z in summer and 09:00Z in winter', () => {
    expect(londonInstant('2026-03-27', '09:00:00').toISOString()).toBe('2026-03-27T09:00:00.000Z');
    expect(londonInstant('2026-03-30', '09:00:00').toISOString()).toBe('2026-03-30T08:00:00.000Z');
    expect(londonInstant('2026-10-23', '09:00:00').toISOString()).toBe('2026-10-23T08:00:00.000Z');
    expect(londonInstant('2026-10-26', '09:00:00').toISOString()).toBe('2026-10-26T09:00:00.000Z');
  });

  it('reads the London date of an instant near midnight', () => {
    expect(londonDate(new Date('2026-06-30T23:30:00Z'))).toBe('2026-07-01');
    expect(londonDate(new Date('2026-12-31T23:30:00Z'))).toBe('2026-12-31');
  });

  it('gives a deadline across the clock change its London end of day', () => {
    const calendar = new WorkingDayCalendar();
    const due = calendar.addWorkingDays('2026-03-25', 5);
    expect(due).toBe('2026-04-01');
    expect(endOfLondonDay(due).toISOString()).toBe('2026-04-01T22:59:59.000Z');
  });
});
