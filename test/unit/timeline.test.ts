import type { IncidentView } from '../../src/process/incident';
import { describeRole, timelineOf } from '../../src/process/timeline';

type Part = Pick<IncidentView, 'events' | 'reminders' | 'deadlines'>;

const view: Part = {
  deadlines: [
    { name: 'panel-notification', clock: { timescale: 'panel-notification', start: '2026-11-23' }, owner: 'la-lead', status: 'met', overdue: false },
    { name: 'info-request:police', clock: { timescale: 'info-request', start: '2026-11-25', setDue: '2026-12-02' }, owner: 'agency:police:contact', status: 'open', overdue: false },
  ],
  events: [
    { at: '2026-11-23T10:00:00.000Z', what: "eCase form recorded (notifying agency: police; criteria: serious-harm); waiting for the LA's decision on notification" },
    { at: '2026-11-25T14:00:00.000Z', what: 'Information requested from police on 2026-11-25, due 2026-12-02 (info-request:police)', by: 'A. Officer' },
    { at: '2026-11-24T11:30:00.000Z', what: 'LA decision: notifiable; National Panel notified on 2026-11-24', by: 'B. Officer' },
  ],
  reminders: [
    {
      deadline: 'info-request:police', due: '2026-12-02', level: 3, occurrence: 1, scheduledAt: '2026-12-01T09:00:00.000Z', sentAt: '2026-12-01T09:00:02.000Z',
      to: ['agency:police:contact', 'business-unit'], messageId: '<m2>',
    },
    {
      deadline: 'panel-notification', due: '2026-11-30', level: 1, occurrence: 1, scheduledAt: '2026-11-23T10:00:00.000Z', sentAt: '2026-11-23T10:00:00.000Z',
      to: ['la-lead'], messageId: '<m1>',
    },
  ],
};

describe('a case timeline', () => {
  it('puts every recorded step and every reminder in time order, in plain language', () => {
    const t = timelineOf(view);
    expect(t.map((e) => [e.at, e.kind])).toEqual([
      ['2026-11-23T10:00:00.000Z', 'recorded'],
      ['2026-11-23T10:00:00.000Z', 'reminder'],
      ['2026-11-24T11:30:00.000Z', 'recorded'],
      ['2026-11-25T14:00:00.000Z', 'recorded'],
      ['2026-12-01T09:00:02.000Z', 'reminder'],
    ]);
    expect(t[1]!.what).toBe("Level 1 notice sent about LA notification of the serious incident to the National Panel [panel-notification], due 2026-11-30, to the local authority's lead for serious incidents");
    expect(t[4]!.what).toBe('Level 3 warning sent about information requested from an agency (police) [info-request:police], due 2026-12-02, to the contact for police and the KSCP Business Unit');
    expect(t[4]!.reminder).toEqual({ deadline: 'info-request:police', due: '2026-12-02', level: 3, levelName: 'warning', occurrence: 1, to: ['agency:police:contact', 'business-unit'] });
  });

  it('says who recorded each step, when known', () => {
    const t = timelineOf(view);
    expect(t.filter((e) => e.kind === 'recorded').map((e) => e.by)).toEqual([undefined, 'B. Officer', 'A. Officer']);
  });

  it('numbers repeated reminders', () => {
    const again = { ...view.reminders[0]!, level: 5 as const, occurrence: 3, sentAt: '2026-12-07T09:00:00.000Z', to: ['agency:police:safeguarding-lead' as const, 'business-manager' as const, 'la-lead' as const] };
    const last = timelineOf({ ...view, reminders: [...view.reminders, again] }).at(-1)!;
    expect(last.what).toMatch(/^Level 5 overdue \(number 3\) sent about .* to the safeguarding lead for police, the KSCP Business Manager and the local authority's lead for serious incidents$/);
  });

  it('names roles in words', () => {
    expect(describeRole('business-unit')).toBe('the KSCP Business Unit');
    expect(describeRole('agency:health:safeguarding-lead')).toBe('the safeguarding lead for health');
  });
});
