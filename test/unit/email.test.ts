import { composeReminder, CDOP_NOTE, escapeHtml, POLICE_NOTE } from '../../activities/email';
import { parseCalendar } from '../helpers/icalendar';
import type { ReminderRequest } from '../../activities/types';
import { WorkingDayCalendar } from '../../src/calendar';
import { TIMESCALES } from '../../src/process/timescales';

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
    expect(email.subject).toBe('[KSCP-2025-101] Warning: due soon: LA notification of the serious incident to the National Panel due by Wednesday 31 December 2025');
    expect(email.text).toContain('Case reference: KSCP-2025-101');
    expect(email.text).toContain('Due by the end of Wednesday 31 December 2025: 1 working day from today.');
    expect(email.text).toContain('At this level it also goes to the KSCP Business Unit, because the deadline is close and it has not been recorded as done yet.');
    expect(email.text).toContain("Sent to: the local authority's lead for serious incidents; the KSCP Business Unit.");
    expect(email.text).toContain('kscp la-decision KSCP-2025-101 --notifiable yes|no --panel-notified YYYY-MM-DD --ofsted required|not-required --by "Name"');
    // The rule is quoted from the partnership's guide, never from an internal document.
    expect(email.text).toContain("Why: KSCP guide, 'Summary of timescales': \"The LA must notify the National Panel of serious incidents within 5 working days of the LA becoming aware of the incident\".");
    expect(email.text).not.toMatch(/DESIGN|\.md/);
    expect(email.messageId).toBe('<incident-KSCP-2025-101.panel-notification.2025-12-31.L3.1@kscp.reminders>');
  });

  it('counts overdue days in working days, skipping the bank holiday', () => {
    const email = composeReminder(request({ level: 5, occurrence: 2 }), new Date('2026-01-05T09:00:00Z'), calendar);
    expect(email.subject).toBe('[KSCP-2025-101] OVERDUE: LA notification of the serious incident to the National Panel was due Wednesday 31 December 2025');
    expect(email.text).toContain('OVERDUE by 2 working days: it was due by the end of Wednesday 31 December 2025.');
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
    expect(email.text).toContain("Not a statutory deadline: the partnership's target is Thursday 2 February 2034; a reminder until it is recorded.");
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

describe('the rule each email quotes', () => {
  it.each(TIMESCALES.map((t) => [t.name]))('%s: quotes the guide or Working Together, never an internal document or setting', (name) => {
    const t = TIMESCALES.find((x) => x.name === name)!;
    const email = composeReminder(
      request({ deadline: { name: name === 'info-request' ? 'info-request:police' : name, timescale: name, due: '2034-02-02', dueAt: '2034-02-02T23:59:59.000Z' }, level: 1, to: ['business-unit'] }),
      new Date('2034-01-20T09:00:00Z'),
      calendar,
    );
    const why = email.text.split('\n').find((l) => l.startsWith('Why: '));
    expect(why).toBe(`Why: ${t.source}.`);
    expect(why).toMatch(/^Why: (KSCP guide, '[^']+': "|Working Together to Safeguard Children 2023|The guide sets no timescale)/);
    // No file name, no environment setting, no internal document.
    expect(email.text).not.toMatch(/DESIGN|README|\.md\b|\.ts\b|\b[A-Z]+_[A-Z_]+\b/);
  });
});

describe('a deadline already past', () => {
  it('is worded as overdue with how many working days, whatever the level (never "-3 working days from today")', () => {
    const email = composeReminder(request({ level: 1 }), new Date('2026-01-06T11:00:00Z'), calendar);
    expect(email.subject).toBe('[KSCP-2025-101] OVERDUE: LA notification of the serious incident to the National Panel was due Wednesday 31 December 2025');
    expect(email.text).toContain('OVERDUE by 3 working days: it was due by the end of Wednesday 31 December 2025.');
    expect(email.text).not.toMatch(/-\d+ working day/);
  });
});

describe('the HTML part and the calendar event', () => {
  it('say the same as the text, with every value escaped', () => {
    const email = composeReminder(request({ policeInvestigation: true, childDied: true }), new Date('2025-12-30T09:00:00Z'), calendar);
    expect(email.html).toMatch(/^<!DOCTYPE html>/);
    expect(email.html).toContain('<p style="margin:0 0 4px 0">Case reference: KSCP-2025-101</p>');
    expect(email.html).toContain('<strong>Due by the end of Wednesday 31 December 2025: 1 working day from today.</strong>');
    expect(email.html).toContain('At this level it also goes to the KSCP Business Unit, because the deadline is close and it has not been recorded as done yet.');
    // The text's apostrophes and quotes are escaped in the HTML.
    expect(email.html).toContain('Sent to: the local authority&#39;s lead for serious incidents; the KSCP Business Unit.');
    expect(email.html).toContain('--by &quot;Name&quot;</pre>');
    expect(email.html).not.toMatch(/"Name"/);
    expect(email.html).toContain(escapeHtml(POLICE_NOTE));
    expect(email.html).toContain(escapeHtml(CDOP_NOTE));
    const htmlText = email.html.replace(/<[^>]+>/g, '').replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&');
    for (const line of email.text.split('\n').filter(Boolean)) expect(htmlText).toContain(line);
  });

  it('escapes markup', () => {
    expect(escapeHtml(`<script>alert("x") & 'y'</script>`)).toBe('&lt;script&gt;alert(&quot;x&quot;) &amp; &#39;y&#39;&lt;/script&gt;');
  });

  it('says who it was escalated to and why at each level', () => {
    const at = (level: 3 | 4 | 5) => composeReminder(request({ level }), new Date('2025-12-31T09:00:00Z'), calendar).text;
    expect(at(4)).toContain('it also goes to the KSCP Business Unit and the KSCP Business Manager, because it is due today and has not been recorded as done.');
    expect(at(5)).toContain("it also goes to the KSCP Business Manager and the local authority's lead for serious incidents, because the deadline has passed and it has not been recorded as done.");
    expect(composeReminder(request({ level: 1 }), new Date('2025-12-22T09:00:00Z'), calendar).text).not.toContain('also goes to');
  });

  it('carries an all-day event for the deadline with a UID stable across levels', () => {
    const l3 = composeReminder(request(), new Date('2025-12-30T09:00:00Z'), calendar).calendar;
    const l5 = composeReminder(request({ level: 5 }), new Date('2026-01-02T09:00:00Z'), calendar).calendar;
    expect(l3.filename).toBe('deadline.ics');
    const [a, b] = [parseCalendar(l3.content).events[0]!, parseCalendar(l5.content).events[0]!];
    expect(a).toMatchObject({ uid: 'KSCP-2025-101.panel-notification@kscp.deadlines', start: '2025-12-31', allDay: true });
    expect(b.uid).toBe(a.uid);
    expect(b.sequence).toBeGreaterThan(a.sequence);
  });

  it('carries nothing from the case but its reference, the deadline and flags', () => {
    const email = composeReminder(request({ policeInvestigation: true }), new Date('2025-12-30T09:00:00Z'), calendar);
    // The request has no personal details to leak; what reaches the email is from the timescale table and the reference.
    expect(Object.keys(request())).toEqual(['workflowId', 'ref', 'deadline', 'level', 'occurrence', 'scheduledAt', 'to', 'identity', 'policeInvestigation', 'childDied']);
    expect(email.calendar.content).not.toMatch(/ATTENDEE|ORGANIZER|LOCATION/);
  });
});
