/**
 * A case's timeline: who recorded what and when, and every reminder sent (to which roles, at
 * which level, for which deadline), in time order and in plain language.
 *
 * A pure function of the case view, with no Node imports and no time-zone data, so the workflow's
 * `timeline` query and the `kscp timeline` command give the same answer. Instants stay ISO (UTC):
 * whoever shows them turns them into London time.
 */
import type { IncidentView, ReminderSent } from './incident';
import { ROLE_TITLES, type PartnershipRole, type Role } from './roles';
import { REMINDER_LEVELS, TIMESCALES } from './timescales';

export interface TimelineEntry {
  /** The instant (UTC, ISO 8601). */
  at: string;
  kind: 'recorded' | 'reminder';
  /** What happened, in plain language, with no personal details of the child. */
  what: string;
  /** The member of staff who recorded it, when known (recorded steps only). */
  by?: string;
  /** For reminders: the deadline, its due date, the level and who it went to (by role). */
  reminder?: { deadline: string; due: string; level: number; levelName: string; occurrence: number; to: Role[] };
}

/** "the LA lead", "the contact for police": who a role is, in words. */
export function describeRole(role: Role): string {
  const agency = /^agency:([^:]+):(contact|safeguarding-lead)$/.exec(role);
  if (agency) return `the ${agency[2] === 'contact' ? 'contact' : 'safeguarding lead'} for ${agency[1]}`;
  return ROLE_TITLES[role as PartnershipRole] ?? role;
}

function listInWords(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/** What a deadline is, in words: its timescale's description (and the agency, for an information request). */
export function describeDeadline(view: Pick<IncidentView, 'deadlines'>, name: string): string {
  const timescaleName = view.deadlines.find((d) => d.name === name)?.clock.timescale ?? name.split(':')[0];
  const row = TIMESCALES.find((t) => t.name === timescaleName);
  if (!row) return name;
  const agency = timescaleName === 'info-request' ? name.split(':')[1] : undefined;
  return agency ? `${row.due} (${agency})` : row.due;
}

function reminderEntry(view: Pick<IncidentView, 'deadlines'>, r: ReminderSent): TimelineEntry {
  const level = REMINDER_LEVELS[r.level];
  const nth = r.occurrence > 1 ? ` (number ${r.occurrence})` : '';
  const what = `Level ${r.level} ${level.name}${nth} sent about ${describeDeadline(view, r.deadline)} [${r.deadline}], due ${r.due}, to ${listInWords(r.to.map(describeRole))}`;
  return {
    at: r.sentAt,
    kind: 'reminder',
    what,
    reminder: { deadline: r.deadline, due: r.due, level: r.level, levelName: level.name, occurrence: r.occurrence, to: r.to },
  };
}

export function timelineOf(view: Pick<IncidentView, 'events' | 'reminders' | 'deadlines'>): TimelineEntry[] {
  const entries: TimelineEntry[] = [
    ...view.events.map((e): TimelineEntry => ({ at: e.at, kind: 'recorded', what: e.what, ...(e.by !== undefined && { by: e.by }) })),
    ...view.reminders.map((r) => reminderEntry(view, r)),
  ];
  // Stable: what happened at the same instant keeps its recorded order, steps before the emails they caused.
  return entries
    .map((e, i) => ({ e, i }))
    .sort((a, b) => (a.e.at < b.e.at ? -1 : a.e.at > b.e.at ? 1 : a.i - b.i))
    .map(({ e }) => e);
}
