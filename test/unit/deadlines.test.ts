import { WorkingDayCalendar } from '../../src/calendar';
import { computeDue, planDeadline, reminderSlots, type DeadlineClock, type ReminderSlot } from '../../src/deadlines';

const calendar = new WorkingDayCalendar();
const panel: DeadlineClock = { timescale: 'panel-notification', start: '2025-12-22' };

function take(n: number, slots: Generator<ReminderSlot>): Array<[number, number, string]> {
  const out: Array<[number, number, string]> = [];
  for (const s of slots) {
    out.push([s.level, s.occurrence, s.at]);
    if (out.length === n) break;
  }
  return out;
}

describe('due dates from the timescale table', () => {
  it('puts the Panel notification at the end of the 5th working day after day 0', () => {
    expect(computeDue(panel, calendar)).toEqual({ due: '2025-12-31', dueAt: '2025-12-31T23:59:59.000Z' });
  });

  it('puts the eCase form 24 clock hours after the agency knew', () => {
    expect(computeDue({ timescale: 'ecase-form', start: '2026-03-28T16:40:00Z' }, calendar)).toEqual({
      due: '2026-03-29',
      dueAt: '2026-03-29T16:40:00.000Z',
    });
  });

  it('puts the report to the Panel 7 working days before the planned publication date', () => {
    expect(computeDue({ timescale: 'report-to-panel', start: '2026-01-06' }, calendar).due).toBe('2025-12-23');
  });

  it('puts LCSPR publication 6 calendar months after initiation, clamped, not moved off a weekend', () => {
    expect(computeDue({ timescale: 'lcspr-publication', start: '2026-08-31' }, calendar).due).toBe('2027-02-28');
  });

  it('keeps a report on the website 6 months by default, or as long as the partnership configures', () => {
    const clock: DeadlineClock = { timescale: 'website-removal', start: '2026-08-31' };
    expect(computeDue(clock, calendar).due).toBe('2027-02-28');
    expect(computeDue(clock, calendar, { websiteRetentionMonths: 12 }).due).toBe('2027-08-31');
  });

  it('uses the date the Business Unit set for an information request, and refuses none', () => {
    expect(computeDue({ timescale: 'info-request', start: '2026-03-02', setDue: '2026-03-09' }, calendar).due).toBe('2026-03-09');
    expect(() => computeDue({ timescale: 'info-request', start: '2026-03-02' }, calendar)).toThrow(/sets this due date/);
  });
});

describe('the escalating reminder schedule (DESIGN.md §4)', () => {
  it('reminds half-way, warns the day before, says due today, then overdue each working day, all at 09:00 London', () => {
    expect(take(6, reminderSlots(panel, '2025-12-22', '2025-12-31', calendar))).toEqual([
      [2, 1, '2025-12-29T09:00:00.000Z'],
      [3, 1, '2025-12-30T09:00:00.000Z'],
      [4, 1, '2025-12-31T09:00:00.000Z'],
      [5, 1, '2026-01-02T09:00:00.000Z'],
      [5, 2, '2026-01-05T09:00:00.000Z'],
      [5, 3, '2026-01-06T09:00:00.000Z'],
    ]);
  });

  it('sends summer reminders at 08:00 UTC (09:00 BST)', () => {
    const clock: DeadlineClock = { timescale: 'panel-notification', start: '2026-06-01' };
    expect(take(3, reminderSlots(clock, '2026-06-01', '2026-06-08', calendar))).toEqual([
      [2, 1, '2026-06-04T08:00:00.000Z'],
      [3, 1, '2026-06-05T08:00:00.000Z'],
      [4, 1, '2026-06-08T08:00:00.000Z'],
    ]);
  });

  it('for a 6-month clock: monthly progress, warnings a month and two weeks before, due, then weekly', () => {
    const clock: DeadlineClock = { timescale: 'lcspr-publication', start: '2026-03-16' };
    expect(take(10, reminderSlots(clock, '2026-03-16', '2026-09-16', calendar)).map(([l, o, at]) => [l, o, at.slice(0, 10)])).toEqual([
      [2, 1, '2026-04-16'],
      [2, 2, '2026-05-15'], // 16 May is a Saturday: the Friday before
      [2, 3, '2026-06-16'],
      [2, 4, '2026-07-16'],
      [3, 1, '2026-08-14'], // a month before is Sunday 16 August
      [3, 2, '2026-09-02'],
      [4, 1, '2026-09-16'],
      [5, 1, '2026-09-23'],
      [5, 2, '2026-09-30'],
      [5, 3, '2026-10-07'],
    ]);
  });
});

describe('planning a deadline when the workflow wakes', () => {
  const from = '2025-12-22T10:00:00.000Z';

  it('sends the notice at once and sleeps until the half-way reminder', () => {
    const plan = planDeadline({ clock: panel, progress: { remindersFrom: from } }, new Date(from), calendar);
    expect(plan.sendNow).toMatchObject({ level: 1, at: from });
    expect(plan.wakeAt).toBe('2025-12-29T09:00:00.000Z');
    expect(plan.overdue).toBe(false);
  });

  it('after an outage sends only the latest reminder that came due, not every missed one', () => {
    const plan = planDeadline({ clock: panel, progress: { remindersFrom: from, remindedUpTo: from } }, new Date('2025-12-30T12:00:00Z'), calendar);
    expect(plan.sendNow).toMatchObject({ level: 3, occurrence: 1 });
    expect(plan.wakeAt).toBe('2025-12-31T09:00:00.000Z');
  });

  it('sends nothing twice: a handled slot is not due again', () => {
    const plan = planDeadline({ clock: panel, progress: { remindersFrom: from, remindedUpTo: '2025-12-29T09:00:01.000Z' } }, new Date('2025-12-29T09:00:01Z'), calendar);
    expect(plan.sendNow).toBeUndefined();
    expect(plan.wakeAt).toBe('2025-12-30T09:00:00.000Z');
  });

  it('wakes the moment the deadline passes, to show it overdue, and waits over the bank holiday', () => {
    const before = planDeadline({ clock: panel, progress: { remindersFrom: from, remindedUpTo: '2025-12-31T09:00:00.000Z' } }, new Date('2025-12-31T12:00:00Z'), calendar);
    expect(before.wakeAt).toBe('2026-01-01T00:00:00.000Z');
    const after = planDeadline({ clock: panel, progress: { remindersFrom: from, remindedUpTo: '2025-12-31T12:00:00.000Z' } }, new Date('2026-01-01T00:00:00Z'), calendar);
    expect(after.overdue).toBe(true);
    expect(after.sendNow).toBeUndefined();
    expect(after.wakeAt).toBe('2026-01-02T09:00:00.000Z');
  });

  it('skips reminders scheduled before the case was recorded: a late-recorded case starts with its notice', () => {
    const late = '2025-12-29T10:00:00.000Z';
    const plan = planDeadline({ clock: panel, progress: { remindersFrom: late } }, new Date(late), calendar);
    expect(plan.sendNow).toMatchObject({ level: 1 });
    expect(plan.wakeAt).toBe('2025-12-30T09:00:00.000Z');
  });

  it('chases nobody before reminders start, but still wakes when the deadline passes', () => {
    const plan = planDeadline({ clock: { timescale: 'rapid-review', start: '2025-12-22' }, progress: {} }, new Date(from), calendar);
    expect(plan.sendNow).toBeUndefined();
    expect(plan.due).toBe('2026-01-15');
    expect(plan.wakeAt).toBe('2026-01-16T00:00:00.000Z');
  });
});

describe('truthful plans (DESIGN.md §6)', () => {
  it('announces a deadline already past when its clock starts at the level it has reached, not as a notice', () => {
    // Day 0 three weeks ago: the Panel notification is 10 working days overdue when the case is recorded.
    const recorded = '2026-01-16T11:00:00.000Z';
    const plan = planDeadline({ clock: { timescale: 'panel-notification', start: '2025-12-22' }, progress: { remindersFrom: recorded } }, new Date(recorded), calendar);
    expect(plan.overdue).toBe(true);
    expect(plan.sendNow).toMatchObject({ level: 5, at: recorded });
    expect(plan.sendNow!.occurrence).toBe(calendar.workingDaysBetween('2025-12-31', '2026-01-16'));
    expect(plan.workingDaysLate).toBe(calendar.workingDaysBetween('2025-12-31', '2026-01-16'));
  });

  it('sends a reminder missed overnight at 09:00 on the next working day, not when the worker wakes at night', () => {
    const from = '2025-12-22T10:00:00.000Z';
    // The warning was due Tuesday 30 Dec 09:00; the worker comes back at 22:00 that night.
    const night = planDeadline({ clock: panel, progress: { remindersFrom: from, remindedUpTo: from } }, new Date('2025-12-30T22:00:00Z'), calendar);
    expect(night.sendNow).toBeUndefined();
    expect(night.wakeAt).toBe('2025-12-31T09:00:00.000Z');
    // Back at 11:00 on a working day: at once.
    const morning = planDeadline({ clock: panel, progress: { remindersFrom: from, remindedUpTo: from } }, new Date('2025-12-30T11:00:00Z'), calendar);
    expect(morning.sendNow).toMatchObject({ level: 3 });
    // Back on Saturday 3 January (after the bank holiday): Monday 09:00, with the latest slot reached.
    const weekend = planDeadline({ clock: panel, progress: { remindersFrom: from, remindedUpTo: from } }, new Date('2026-01-03T12:00:00Z'), calendar);
    expect(weekend.sendNow).toBeUndefined();
    expect(weekend.wakeAt).toBe('2026-01-05T09:00:00.000Z');
    const monday = planDeadline({ clock: panel, progress: { remindersFrom: from, remindedUpTo: from } }, new Date('2026-01-05T09:00:00Z'), calendar);
    expect(monday.sendNow).toMatchObject({ level: 5, occurrence: 2 });
  });

  it('holds a notice opened by a clock (not a step) for working hours', () => {
    const midnight = '2026-09-17T00:00:01.000Z';
    const plan = planDeadline({ clock: { timescale: 'delay-reasons', start: '2026-09-16' }, progress: { remindersFrom: midnight, noticeInWorkingHours: true } }, new Date(midnight), calendar);
    expect(plan.sendNow).toBeUndefined();
    expect(plan.wakeAt).toBe('2026-09-17T08:00:00.000Z');
  });

  it('chases a deferral’s revised target while the statutory date and its lateness stay', () => {
    const clock: DeadlineClock = { timescale: 'lcspr-publication', start: '2026-03-16' };
    const progress = { remindersFrom: '2026-03-16T10:00:00.000Z', remindedUpTo: '2026-10-01T08:00:00.000Z' };
    const plan = planDeadline({ clock, progress, revisedTarget: '2026-12-31' }, new Date('2026-10-01T12:00:00Z'), calendar);
    expect(plan.due).toBe('2026-09-16');
    expect(plan.overdue).toBe(false);
    expect(plan.workingDaysLate).toBe(calendar.workingDaysBetween('2026-09-16', '2026-10-01'));
    const undeferred = planDeadline({ clock, progress }, new Date('2026-10-01T12:00:00Z'), calendar);
    expect(undeferred.overdue).toBe(true);
  });

  it('compares the eCase form’s 24 hours as instants, whatever the offset; exactly 24 hours is on time', () => {
    const clock: DeadlineClock = { timescale: 'ecase-form', start: '2026-06-01T12:00:00.000Z' };
    const verdict = (at: string) => planDeadline({ clock, progress: {}, met: { at } }, new Date('2026-06-03T00:00:00Z'), calendar);
    expect(verdict('2026-06-02T12:00:00.000Z')).toMatchObject({ onTime: true });
    expect(verdict(new Date('2026-06-02T12:30:00+01:00').toISOString())).toMatchObject({ onTime: true });
    expect(verdict(new Date('2026-06-02T07:30:00-05:00').toISOString())).toMatchObject({ onTime: false, hoursLate: 1 });
  });

  it('says how many working days late a met deadline was, and that an on-time one was on time', () => {
    const met = (on: string) => planDeadline({ clock: panel, progress: {}, met: { on } }, new Date('2026-01-10T00:00:00Z'), calendar);
    expect(met('2025-12-31')).toMatchObject({ onTime: true });
    expect(met('2026-01-05')).toMatchObject({ onTime: false, workingDaysLate: 2 });
  });

  it('never calls a policy target overdue, and reminds its owner on the day and every 5 working days after', () => {
    const clock: DeadlineClock = { timescale: 'website-removal', start: '2026-01-15' };
    const plan = planDeadline({ clock, progress: { remindersFrom: '2026-01-15T10:00:00.000Z', remindedUpTo: '2026-07-16T09:00:00.000Z' } }, new Date('2026-07-20T10:00:00Z'), calendar);
    expect(plan.due).toBe('2026-07-15');
    expect(plan.overdue).toBe(false);
    expect(take(3, reminderSlots(clock, '2026-01-15', '2026-07-15', calendar)).map(([l, , at]) => [l, at.slice(0, 10)])).toEqual([
      [2, '2026-07-01'],
      [2, '2026-07-15'],
      [2, '2026-07-22'],
    ]);
  });
});
