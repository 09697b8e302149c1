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
    const plan = planDeadline(panel, { remindersFrom: from }, new Date(from), calendar);
    expect(plan.sendNow).toMatchObject({ level: 1, at: from });
    expect(plan.wakeAt).toBe('2025-12-29T09:00:00.000Z');
    expect(plan.overdue).toBe(false);
  });

  it('after an outage sends only the latest reminder that came due, not every missed one', () => {
    const plan = planDeadline(panel, { remindersFrom: from, remindedUpTo: from }, new Date('2025-12-30T12:00:00Z'), calendar);
    expect(plan.sendNow).toMatchObject({ level: 3, occurrence: 1 });
    expect(plan.wakeAt).toBe('2025-12-31T09:00:00.000Z');
  });

  it('sends nothing twice: a handled slot is not due again', () => {
    const plan = planDeadline(panel, { remindersFrom: from, remindedUpTo: '2025-12-29T09:00:01.000Z' }, new Date('2025-12-29T09:00:01Z'), calendar);
    expect(plan.sendNow).toBeUndefined();
    expect(plan.wakeAt).toBe('2025-12-30T09:00:00.000Z');
  });

  it('wakes the moment the deadline passes, to show it overdue, and waits over the bank holiday', () => {
    const before = planDeadline(panel, { remindersFrom: from, remindedUpTo: '2025-12-31T09:00:00.000Z' }, new Date('2025-12-31T12:00:00Z'), calendar);
    expect(before.wakeAt).toBe('2026-01-01T00:00:00.000Z');
    const after = planDeadline(panel, { remindersFrom: from, remindedUpTo: '2025-12-31T12:00:00.000Z' }, new Date('2026-01-01T00:00:00Z'), calendar);
    expect(after.overdue).toBe(true);
    expect(after.sendNow).toBeUndefined();
    expect(after.wakeAt).toBe('2026-01-02T09:00:00.000Z');
  });

  it('skips reminders scheduled before the case was recorded: a late-recorded case starts with its notice', () => {
    const late = '2025-12-29T10:00:00.000Z';
    const plan = planDeadline(panel, { remindersFrom: late }, new Date(late), calendar);
    expect(plan.sendNow).toMatchObject({ level: 1 });
    expect(plan.wakeAt).toBe('2025-12-30T09:00:00.000Z');
  });

  it('chases nobody before reminders start, but still wakes when the deadline passes', () => {
    const plan = planDeadline({ timescale: 'rapid-review', start: '2025-12-22' }, {}, new Date(from), calendar);
    expect(plan.sendNow).toBeUndefined();
    expect(plan.due).toBe('2026-01-15');
    expect(plan.wakeAt).toBe('2026-01-16T00:00:00.000Z');
  });
});
