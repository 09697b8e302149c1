/** Reading iCalendar text as a calendar program would: strict RFC 5545 line checks, then ical.js. */
import ICAL from 'ical.js';

export interface ParsedEvent {
  uid: string;
  summary: string;
  description: string;
  /** The all-day date, YYYY-MM-DD. */
  start: string;
  end: string;
  allDay: boolean;
  sequence: number;
}

/** Throws with the reason if `ics` breaks the RFC's framing rules; otherwise its events. */
export function parseCalendar(ics: string): { method: string; events: ParsedEvent[] } {
  if (!ics.endsWith('\r\n')) throw new Error('does not end with CRLF');
  const lines = ics.slice(0, -2).split('\r\n');
  for (const [i, line] of lines.entries()) {
    if (/[\r\n]/.test(line)) throw new Error(`line ${i + 1} has a bare CR or LF`);
    if (Buffer.byteLength(line, 'utf8') > 75) throw new Error(`line ${i + 1} is longer than 75 octets: ${line}`);
  }
  const root = new ICAL.Component(ICAL.parse(ics));
  if (root.name !== 'vcalendar') throw new Error('not a VCALENDAR');
  if (root.getFirstPropertyValue('version') !== '2.0') throw new Error('VERSION is not 2.0');
  if (!root.getFirstPropertyValue('prodid')) throw new Error('no PRODID');
  const events = root.getAllSubcomponents('vevent').map((v) => {
    if (!v.getFirstPropertyValue('dtstamp')) throw new Error('VEVENT without DTSTAMP');
    const e = new ICAL.Event(v);
    return {
      uid: e.uid,
      summary: e.summary,
      description: e.description,
      start: e.startDate.toString(),
      end: e.endDate.toString(),
      allDay: e.startDate.isDate,
      sequence: e.sequence,
    };
  });
  return { method: String(root.getFirstPropertyValue('method')), events };
}
