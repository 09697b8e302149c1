import { composeReminder, CDOP_NOTE, POLICE_NOTE } from '../../activities/email';
import type { ReminderRequest } from '../../activities/types';
import { WorkingDayCalendar } from '../../src/calendar';

const calendar = new WorkingDayCalendar();
const request = (overrides: Partial<ReminderRequest> = {}): ReminderRequest => ({
  workflowId: 'incident-KSCP-2025-101',
  ref: 'KSCP-2025-101',
  deadline: { name: 'panel-notification', timescale: 'panel-notification', due: '2025-12-31', dueAt: '2025-12-31T23:59:59.000Z' },
  level: 3,
  occurrence: 1,
  scheduledAt: '2025-12-30T09:00:00.000Z',
  to: ['la-lead', 'business-unit'],
  identity: 'incident-KSCP-2025-101/panel-notification/2025-12-31/L3/1',
  policeInvestigation: false,
  childDied: false,
  ...overrides,
});

describe('reminder email text', () => {
  it('says what is due, by when, for which case, and why these people get it', () => {
    const email = composeReminder(request(), new Date('2025-12-30T09:00:00Z'), calendar);
    expect(email.subject).toBe('[KSCP-2025-101] Warning: LA notification of the serious incident to the National Panel due by Wednesday 31 December 2025');
    expect(email.text).toContain('Case reference: KSCP-2025-101');
    expect(email.text).toContain('Due by the end of Wednesday 31 December 2025: 1 working day from today.');
    expect(email.text).toContain('At this level it also goes to the KSCP Business Unit.');
    expect(email.text).toContain("Sent to: the local authority's lead for serious incidents; the KSCP Business Unit.");
    expect(email.text).toContain('kscp la-decision KSCP-2025-101 --notifiable yes');
    expect(email.messageId).toBe('<incident-KSCP-2025-101.panel-notification.2025-12-31.L3.1@kscp.reminders>');
  });

  it('counts overdue days in working days, skipping the bank holiday', () => {
    const email = composeReminder(request({ level: 5, occurrence: 2 }), new Date('2026-01-05T09:00:00Z'), calendar);
    expect(email.subject).toBe('[KSCP-2025-101] OVERDUE: LA notification of the serious incident to the National Panel was due Wednesday 31 December 2025');
    expect(email.text).toContain('OVERDUE: it was due by the end of Wednesday 31 December 2025, 2 working days ago.');
    expect(email.text).toContain('level 5 overdue (number 2)');
  });

  it('adds the police confidentiality note and the CDOP reminder only when flagged', () => {
    const plain = composeReminder(request(), new Date('2025-12-30T09:00:00Z'), calendar).text;
    expect(plain).not.toContain(POLICE_NOTE);
    expect(plain).not.toContain(CDOP_NOTE);
    const flagged = composeReminder(request({ policeInvestigation: true, childDied: true }), new Date('2025-12-30T09:00:00Z'), calendar).text;
    expect(flagged).toContain(POLICE_NOTE);
    expect(flagged).toContain(CDOP_NOTE);
  });
});

describe('reminders with no statutory date', () => {
  it('chase the Panel with a target, not a deadline', () => {
    const email = composeReminder(
      request({ deadline: { name: 'panel-response', timescale: 'panel-response', due: '2034-02-02', dueAt: '2034-02-02T23:59:59.000Z' }, level: 2, to: ['business-unit'] }),
      new Date('2034-02-02T09:00:00Z'),
      calendar,
    );
    expect(email.subject).toBe("[KSCP-2025-101] Reminder: the National Panel's response to the Rapid Review (target Thursday 2 February 2034)");
    expect(email.text).toContain('No statutory date: a reminder until it is recorded (target Thursday 2 February 2034).');
    expect(email.text).toContain('kscp panel-response KSCP-2025-101 --received YYYY-MM-DD');
  });

  it('name the agency an information request is for, and the command that records its answer', () => {
    const email = composeReminder(
      request({ deadline: { name: 'info-request:police', timescale: 'info-request', due: '2034-01-18', dueAt: '2034-01-18T23:59:59.000Z' }, level: 4, to: ['agency:police:contact'] }),
      new Date('2034-01-18T09:00:00Z'),
      calendar,
    );
    expect(email.subject).toBe('[KSCP-2025-101] Due today: information requested from an agency (police) due by Wednesday 18 January 2034');
    expect(email.text).toContain('kscp info-received KSCP-2025-101 --agency police --received YYYY-MM-DD');
    expect(email.text).toContain('Sent to: the contact for police.');
  });
});
