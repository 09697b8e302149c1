/**
 * All-day iCalendar (RFC 5545) events for deadlines: one in every reminder email, and
 * `kscp deadlines --ics` for a whole calendar. Outlook, Google and Apple calendars add them.
 *
 * Each deadline of a case has one stable UID, so a later email (or a fresh export) replaces the
 * event instead of adding a second one; SEQUENCE grows with time so the newest version wins.
 * No personal data: the case reference, what is due and the date, nothing about the child.
 * No Node imports.
 */
import { addDays, type IsoDate } from './process/dates';
import { TIMESCALES } from './process/timescales';

export interface DeadlineEvent {
  ref: string;
  /** The deadline's stable name (`panel-notification`, `info-request:police`, ...). */
  deadline: string;
  /** The London date it falls due: the all-day event's day. */
  due: IsoDate;
  /** One line: what is due, for which case. */
  summary: string;
  /** A few plain sentences. */
  description: string;
}

const PRODID = '-//Kirklees Safeguarding Children Partnership//KSCP serious incidents//EN';
/** SEQUENCE counts minutes since this instant: it only ever grows, and fits a 32-bit integer. */
const SEQUENCE_EPOCH = Date.parse('2020-01-01T00:00:00Z');

/** The stable UID of a deadline of a case. */
export function deadlineUid(ref: string, deadline: string): string {
  return `${ref}.${deadline.replace(/[^A-Za-z0-9.-]/g, '.')}@kscp.deadlines`;
}

/** TEXT value escaping (RFC 5545 §3.3.11): backslash, semicolon, comma and line breaks. */
export function escapeText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r\n|\r|\n/g, '\\n');
}

function utf8Length(ch: string): number {
  const cp = ch.codePointAt(0)!;
  return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

/** Fold a content line at 75 octets (RFC 5545 §3.1), never inside a UTF-8 character. */
export function foldLine(line: string): string {
  const out: string[] = [];
  let current = '';
  let octets = 0;
  for (const ch of line) {
    const n = utf8Length(ch);
    // Continuation lines start with a space, which counts towards their 75.
    if (octets + n > 75) {
      out.push(current);
      current = ' ';
      octets = 1;
    }
    current += ch;
    octets += n;
  }
  out.push(current);
  return out.join('\r\n');
}

const basicDate = (d: IsoDate): string => d.replace(/-/g, '');
const basicInstant = (t: Date): string => t.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

function eventLines(e: DeadlineEvent, now: Date): string[] {
  return [
    'BEGIN:VEVENT',
    `UID:${deadlineUid(e.ref, e.deadline)}`,
    `DTSTAMP:${basicInstant(now)}`,
    `SEQUENCE:${Math.max(0, Math.floor((now.getTime() - SEQUENCE_EPOCH) / 60_000))}`,
    `DTSTART;VALUE=DATE:${basicDate(e.due)}`,
    `DTEND;VALUE=DATE:${basicDate(addDays(e.due, 1))}`,
    `SUMMARY:${escapeText(e.summary)}`,
    `DESCRIPTION:${escapeText(e.description)}`,
    `CATEGORIES:${escapeText('KSCP deadline')}`,
    'TRANSP:TRANSPARENT',
    'CLASS:CONFIDENTIAL',
    'END:VEVENT',
  ];
}

/** A complete calendar (METHOD:PUBLISH: events to add, not a meeting to answer), CRLF line ends. */
export function deadlineCalendar(events: DeadlineEvent[], now: Date, name = 'KSCP deadlines'): string {
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    `PRODID:${PRODID}`,
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `X-WR-CALNAME:${escapeText(name)}`,
    ...events.flatMap((e) => eventLines(e, now)),
    'END:VCALENDAR',
  ];
  return lines.map(foldLine).join('\r\n') + '\r\n';
}

/** The event for one deadline of a case: the same in a reminder email and in `kscp deadlines --ics`. */
export function deadlineEventFor(d: { ref: string; deadline: string; timescale: string; due: IsoDate }): DeadlineEvent {
  const row = TIMESCALES.find((t) => t.name === d.timescale);
  const agency = d.timescale === 'info-request' ? d.deadline.split(':')[1] : undefined;
  const what = row ? (agency ? `${row.due} (${agency})` : row.due) : d.deadline;
  const statutory = row?.statutory ?? true;
  const summary = `[${d.ref}] ${statutory ? 'Due' : 'Target'}: ${what}`;
  const description = [
    `Case ${d.ref}: ${what}.`,
    statutory ? `Due by the end of this day (London time).` : 'No statutory date: a target until it is recorded.',
    row ? `Rule: ${row.source}.` : '',
    `Record it with kscp (see kscp status ${d.ref}). The case record is held by the KSCP Business Unit.`,
  ]
    .filter(Boolean)
    .join('\n');
  return { ref: d.ref, deadline: d.deadline, due: d.due, summary, description };
}
