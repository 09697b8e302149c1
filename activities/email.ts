/**
 * The text of a reminder email. Plain English: what is due, by when, for
 * which case, who it has gone to and why. Never a child's details: the case
 * reference points to the record.
 */
import type { WorkingDayCalendar } from '../src/calendar';
import type { IsoDate } from '../src/process/dates';
import { deadlineCalendar, deadlineEventFor } from '../src/ics';
import { formatLongDate, londonDate } from '../src/london';
import { ROLE_TITLES, type PartnershipRole, type Role } from '../src/process/roles';
import { overdueWords } from '../src/process/stateWords';
import { REMINDER_LEVELS, timescale, type ReminderLevel } from '../src/process/timescales';
import { howToRecord } from '../src/cli/stepCommands';
import type { AttentionNoticeRequest, ReminderRequest } from './types';

export interface ComposedEmail {
  subject: string;
  /** The plain-text part. */
  text: string;
  /** The same content as HTML, every value escaped. */
  html: string;
  /** The deadline as an all-day iCalendar event (text/calendar attachment). */
  calendar: { filename: string; content: string };
  messageId: string;
}

export const CALENDAR_FILENAME = 'deadline.ics';

export const POLICE_NOTE =
  'A police investigation is under way in this case. Further confidentiality restrictions may apply: seek advice from the KSCP Business Manager before discussing the case.';
export const CDOP_NOTE = 'A child has died: make sure the Child Death Overview Panel (CDOP) procedures are being followed.';

export function roleTitle(role: Role): string {
  const agency = /^agency:([^:]+):(contact|safeguarding-lead)$/.exec(role);
  if (agency) return `the ${agency[2] === 'contact' ? 'contact' : 'safeguarding lead'} for ${agency[1]}`;
  return ROLE_TITLES[role as PartnershipRole];
}

/** A Message-ID from the reminder's stable identity: the same reminder always has the same id. */
export function messageIdFor(identity: string, domain = 'kscp.reminders'): string {
  return `<${identity.replace(/[^A-Za-z0-9.!#$%&'*+=?^_`{|}~-]/g, '.')}@${domain}>`;
}

/** Where the deadline stands on `today`, in words: overdue by how many working days, due today, or how long is left. */
function standing(due: IsoDate, today: IsoDate, calendar: WorkingDayCalendar): { text: string; overdue: boolean; dueToday: boolean } {
  if (today > due) {
    const late = Math.max(calendar.workingDaysBetween(due, today), 1);
    return { text: `${overdueWords(late)}: it was due by the end of ${formatLongDate(due)}.`, overdue: true, dueToday: false };
  }
  if (today === due) return { text: `Due TODAY: by the end of ${formatLongDate(due)}.`, overdue: false, dueToday: true };
  const left = calendar.workingDaysBetween(today, due);
  return { text: `Due by the end of ${formatLongDate(due)}: ${left} working day${left === 1 ? '' : 's'} from today.`, overdue: false, dueToday: false };
}

/** Why the reminder reaches more people at this level (DESIGN.md §4), in plain words. */
const ESCALATION_REASON: Partial<Record<ReminderLevel, string>> = {
  3: 'the deadline is close and it has not been recorded as done yet',
  4: 'it is due today and has not been recorded as done',
  5: 'the deadline has passed and it has not been recorded as done',
};

/** An email as blocks, rendered once as plain text and once as HTML. */
type Block = { kind: 'line'; text: string } | { kind: 'strong'; text: string } | { kind: 'gap' } | { kind: 'record'; intro: string; commands: string[] } | { kind: 'note'; text: string };

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function renderText(blocks: Block[]): string {
  const lines: string[] = [];
  for (const b of blocks) {
    if (b.kind === 'gap') lines.push('');
    else if (b.kind === 'record') lines.push(b.intro, ...b.commands);
    else lines.push(b.text);
  }
  return lines.join('\n') + '\n';
}

function renderHtml(subject: string, blocks: Block[]): string {
  const body: string[] = [];
  for (const b of blocks) {
    if (b.kind === 'line') body.push(`<p style="margin:0 0 4px 0">${escapeHtml(b.text)}</p>`);
    else if (b.kind === 'strong') body.push(`<p style="margin:0 0 4px 0"><strong>${escapeHtml(b.text)}</strong></p>`);
    else if (b.kind === 'note') body.push(`<p style="margin:12px 0;padding:8px;border-left:4px solid #b00020;background:#fff4f4">${escapeHtml(b.text)}</p>`);
    else if (b.kind === 'record')
      body.push(`<p style="margin:12px 0 4px 0">${escapeHtml(b.intro)}</p>`, `<pre style="margin:0 0 12px 0;padding:8px;background:#f4f4f4">${b.commands.map(escapeHtml).join('\n')}</pre>`);
    else body.push('<div style="height:8px"></div>');
  }
  return [
    '<!DOCTYPE html>',
    '<html lang="en-GB"><head><meta charset="utf-8"><title>' + escapeHtml(subject) + '</title></head>',
    '<body style="font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.4;color:#111">',
    ...body,
    '</body></html>',
    '',
  ].join('\n');
}

export function composeReminder(req: ReminderRequest, now: Date, calendar: WorkingDayCalendar): ComposedEmail {
  const { deadline, level, ref } = req;
  const row = timescale(deadline.timescale);
  const today = londonDate(now);
  const agency = deadline.timescale === 'info-request' ? deadline.name.split(':')[1] : undefined;
  const what = agency ? `${row.due} (${agency})` : row.due;
  const where = standing(deadline.due, today, calendar);
  // The subject says the level in words; a date already past is overdue whatever the level.
  const label = !row.statutory ? (where.overdue ? 'Reminder: target passed' : REMINDER_LEVELS[level].subject) : where.overdue ? 'OVERDUE' : where.dueToday ? 'Due today' : REMINDER_LEVELS[level].subject;
  const when = !row.statutory ? `(target ${formatLongDate(deadline.due)})` : where.overdue ? `was due ${formatLongDate(deadline.due)}` : `due by ${formatLongDate(deadline.due)}`;
  const subject = `[${ref}] ${label}: ${what} ${when}`;
  const status = row.statutory ? where.text : `Not a statutory deadline: the partnership's target is ${formatLongDate(deadline.due)}; a reminder until it is recorded.`;
  const alsoTo = row.statutory ? REMINDER_LEVELS[level].alsoTo : [];
  const reason = ESCALATION_REASON[level];
  const escalation = alsoTo.length ? ` At this level it also goes to ${alsoTo.map((r) => ROLE_TITLES[r]).join(' and ')}${reason ? `, because ${reason}` : ''}.` : '';
  const blocks: Block[] = [
    { kind: 'line', text: `Case reference: ${ref}` },
    { kind: 'line', text: `What is due: ${what}` },
    { kind: 'strong', text: status },
    { kind: 'line', text: `Why: ${row.source}.` },
    { kind: 'gap' },
    { kind: 'line', text: `This is a level ${level} ${REMINDER_LEVELS[level].name}${req.occurrence > 1 ? ` (number ${req.occurrence})` : ''}.${escalation}` },
    { kind: 'line', text: `Sent to: ${req.to.map(roleTitle).join('; ')}.` },
  ];
  const record = howToRecord(deadline.timescale, ref, deadline.name);
  if (record.commands.length) blocks.push({ kind: 'gap' }, { kind: 'record', intro: record.intro, commands: record.commands });
  if (req.policeInvestigation) blocks.push({ kind: 'gap' }, { kind: 'note', text: POLICE_NOTE });
  if (req.childDied) blocks.push({ kind: 'gap' }, { kind: 'note', text: CDOP_NOTE });
  blocks.push(
    { kind: 'gap' },
    { kind: 'line', text: `The attached calendar event (${CALENDAR_FILENAME}) puts the due date in your calendar; a later reminder replaces it.` },
    { kind: 'line', text: 'This email carries no personal details of the child or family. The case record is held by the KSCP Business Unit.' },
  );
  const event = deadlineEventFor({ ref, deadline: deadline.name, timescale: deadline.timescale, due: deadline.due });
  return {
    subject,
    text: renderText(blocks),
    html: renderHtml(subject, blocks),
    calendar: { filename: CALENDAR_FILENAME, content: deadlineCalendar([event], now, `KSCP ${ref}`) },
    messageId: messageIdFor(req.identity),
  };
}

const SUBJECT_PROBLEM_LENGTH = 120;

/**
 * The email to the Business Manager (Business Unit in copy) when a case needs attention: the
 * reference, what is wrong and the exact fix. Nothing else from the case.
 */
export function composeAttentionNotice(req: AttentionNoticeRequest): Omit<ComposedEmail, 'calendar'> {
  const problem = req.problem.replace(/\s+/g, ' ').trim();
  const short = problem.length > SUBJECT_PROBLEM_LENGTH ? `${problem.slice(0, SUBJECT_PROBLEM_LENGTH - 1)}…` : problem;
  const subject = `[${req.ref}] Needs attention: ${short}`;
  const blocks: Block[] = [
    { kind: 'line', text: `Case reference: ${req.ref}` },
    { kind: 'strong', text: 'This case needs attention: part of its work is held until a person fixes the problem below.' },
    { kind: 'gap' },
    { kind: 'line', text: `What is wrong: ${problem}` },
    { kind: 'line', text: `How to fix it: ${req.fix}` },
    { kind: 'gap' },
    { kind: 'line', text: `The case carries on with everything else meanwhile, and picks this up again once it is fixed. See it with: kscp status ${req.ref} (kscp doctor lists every case that needs attention).` },
    { kind: 'gap' },
    { kind: 'line', text: 'This email carries no personal details of the child or family. The case record is held by the KSCP Business Unit.' },
  ];
  return { subject, text: renderText(blocks), html: renderHtml(subject, blocks), messageId: messageIdFor(req.identity, 'kscp.attention') };
}
