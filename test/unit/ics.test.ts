import { deadlineCalendar, deadlineEventFor, deadlineUid, escapeText, foldLine } from '../../src/ics';
import { parseCalendar } from '../helpers/icalendar';

const at = new Date('2026-11-27T09:00:00Z');

describe('iCalendar events for deadlines', () => {
  it('are all-day events on the due date that a calendar parser reads back', () => {
    const ics = deadlineCalendar([deadlineEventFor({ ref: 'KSCP-2026-014', deadline: 'panel-notification', timescale: 'panel-notification', due: '2026-12-31' })], at);
    const { method, events } = parseCalendar(ics);
    expect(method).toBe('PUBLISH');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      uid: 'KSCP-2026-014.panel-notification@kscp.deadlines',
      summary: '[KSCP-2026-014] Due: LA notification of the serious incident to the National Panel',
      start: '2026-12-31',
      end: '2027-01-01',
      allDay: true,
    });
    expect(ics).toContain('\r\nDTSTART;VALUE=DATE:20261231\r\n');
    expect(events[0]!.description).toContain('Case KSCP-2026-014: LA notification of the serious incident to the National Panel.\nDue by the end of this day');
  });

  it('keep one UID per case and deadline, and a later version has a higher SEQUENCE', () => {
    const event = deadlineEventFor({ ref: 'KSCP-2026-014', deadline: 'info-request:police:2', timescale: 'info-request', due: '2027-01-04' });
    const first = parseCalendar(deadlineCalendar([event], at)).events[0]!;
    const later = parseCalendar(deadlineCalendar([{ ...event, due: '2027-01-05' }], new Date(at.getTime() + 3_600_000))).events[0]!;
    expect(later.uid).toBe(first.uid);
    expect(first.uid).toBe(deadlineUid('KSCP-2026-014', 'info-request:police:2'));
    expect(later.sequence).toBeGreaterThan(first.sequence);
    expect(first.summary).toBe('[KSCP-2026-014] Due: information requested from an agency (police)');
  });

  it('call a deadline with no statutory date a target', () => {
    const e = deadlineEventFor({ ref: 'KSCP-2026-014', deadline: 'panel-response', timescale: 'panel-response', due: '2027-01-04' });
    expect(e.summary).toBe("[KSCP-2026-014] Target: the National Panel's response to the Rapid Review");
  });

  it('escape text values and fold long lines at 75 octets without splitting a character', () => {
    expect(escapeText('a\\b;c,d\ne')).toBe('a\\\\b\\;c\\,d\\ne');
    const long = `SUMMARY:${'é'.repeat(60)}`;
    const folded = foldLine(long);
    for (const line of folded.split('\r\n')) expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
    expect(folded.split('\r\n').map((l, i) => (i === 0 ? l : l.slice(1))).join('')).toBe(long);
    const ics = deadlineCalendar([{ ref: 'KSCP-2026-014', deadline: 'x', due: '2026-12-31', summary: 'Comma, semicolon; back\\slash', description: `Line one\nline two ${'ü'.repeat(80)}` }], at);
    const { events } = parseCalendar(ics);
    expect(events[0]!.summary).toBe('Comma, semicolon; back\\slash');
    expect(events[0]!.description).toBe(`Line one\nline two ${'ü'.repeat(80)}`);
  });

  it('make one calendar of many deadlines', () => {
    const events = ['rapid-review', 'panel-notification'].map((d, i) => deadlineEventFor({ ref: `KSCP-2026-01${i}`, deadline: d, timescale: d, due: `2026-12-1${i}` }));
    expect(parseCalendar(deadlineCalendar(events, at)).events.map((e) => [e.uid, e.start])).toEqual([
      ['KSCP-2026-010.rapid-review@kscp.deadlines', '2026-12-10'],
      ['KSCP-2026-011.panel-notification@kscp.deadlines', '2026-12-11'],
    ]);
  });

  it('the checker refuses an unfolded long line and a missing CRLF', () => {
    const good = deadlineCalendar([deadlineEventFor({ ref: 'KSCP-2026-014', deadline: 'rapid-review', timescale: 'rapid-review', due: '2026-12-31' })], at);
    expect(() => parseCalendar(good.replace(/\r\n /g, ''))).toThrow(/longer than 75 octets/);
    expect(() => parseCalendar(good.replace(/\r\n/g, '\n'))).toThrow(/CRLF/);
  });
});
