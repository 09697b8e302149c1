/** The calendar file is read at every call (a changed file applies at once), and a calendar is rebuilt only when it changed. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadCalendar } from '../../src/calendar';

const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'kscp-calendar-')), 'calendar.json');

it('applies a bank holiday added to the file at the next call, and reuses the calendar while the file is unchanged', async () => {
  writeFileSync(file, JSON.stringify({ extraHolidays: [] }));
  const first = await loadCalendar(file);
  expect(first.isWorkingDay('2031-06-03')).toBe(true);
  expect(await loadCalendar(file)).toBe(first);

  writeFileSync(file, JSON.stringify({ extraHolidays: [{ date: '2031-06-03', name: 'Fictional one-off bank holiday' }] }));
  const changed = await loadCalendar(file);
  expect(changed.whyNotWorkingDay('2031-06-03')).toBe('bank holiday: Fictional one-off bank holiday');
  expect(changed.addWorkingDays('2031-06-02', 1)).toBe('2031-06-04');

  writeFileSync(file, JSON.stringify({ extraHolidays: [{ date: 'not a date', name: 'x' }] }));
  await expect(loadCalendar(file)).rejects.toThrow(/calendar file .*extraHolidays\.0\.date/);
});
