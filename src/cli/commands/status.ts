/** `kscp status <ref> [--json]`: the case's stage and every deadline. */
import type { IncidentView } from '../../process/incident';
import { formatLondonDateTime, formatShortDate, londonDate } from '../../london';
import { deadlineWords } from '../../process/stateWords';
import { attentionDetails, type NeedsAttention } from '../caseHealth';
import { CliError, EXIT } from '../errors';
import { printable, printableDeep, printableJson, table } from '../format';
import { findCase, type FoundCase } from '../loadCase';

export interface StatusJson {
  ref: string;
  workflowId: string;
  /** RUNNING, COMPLETED, ... from Temporal; ARCHIVED when the workflow is gone and the record came from the archive. */
  workflowStatus: string;
  /** Where the record was read: Temporal (the live case), or the durable archive. */
  source: 'temporal' | 'archive';
  stage: string;
  deadlines: Array<{
    name: string;
    due: string | null;
    dueAt: string | null;
    status: string;
    /** What the due date is computed from: the kind of clock, day 0, and a due date the Business Unit set. */
    clock: { timescale: string; start: string; setDue?: string };
    /** After a deferral: the date now chased (the statutory `due` does not move). */
    revisedTarget?: string;
    metOn?: string;
    metAt?: string;
    onTime?: boolean;
    /** Met late, or open past its due date: working days late (so far); hours for the eCase form. */
    workingDaysLate?: number;
    hoursLate?: number;
    cancelledBecause?: string;
  }>;
  events: IncidentView['events'];
  reminders: IncidentView['reminders'];
  /** What needs attention, with the fix and the commands (docs/operations.md); empty when all is well. */
  needsAttention: NeedsAttention[];
  /** The live case could not be read (needsAttention says why): this is its last record in the case archive. */
  liveUnreadable: boolean;
  /** The rest of the record: route, criteria, flags, every decision, deferrals, corrections, withdrawal. */
  record: Omit<IncidentView, 'ref' | 'stage' | 'deadlines' | 'events' | 'reminders'>;
}

export function statusJson(
  view: IncidentView,
  workflowId: string,
  workflowStatus: string,
  source: StatusJson['source'] = 'temporal',
  health: Pick<StatusJson, 'needsAttention' | 'liveUnreadable'> = { needsAttention: [], liveUnreadable: false },
): StatusJson {
  const { ref: _ref, stage: _stage, deadlines: _deadlines, events: _events, reminders: _reminders, ...record } = view;
  return {
    ref: view.ref,
    workflowId,
    workflowStatus,
    source,
    stage: view.stage,
    deadlines: view.deadlines.map((d) => ({
      name: d.name,
      due: d.due ?? null,
      dueAt: d.dueAt ?? null,
      status: d.status,
      clock: d.clock,
      ...(d.revisedTarget !== undefined && { revisedTarget: d.revisedTarget }),
      ...(d.metOn !== undefined && { metOn: d.metOn }),
      ...(d.metAt !== undefined && { metAt: d.metAt }),
      ...(d.onTime !== undefined && { onTime: d.onTime }),
      ...(d.workingDaysLate !== undefined && { workingDaysLate: d.workingDaysLate }),
      ...(d.hoursLate !== undefined && { hoursLate: d.hoursLate }),
      ...(d.cancelledBecause !== undefined && { cancelledBecause: d.cancelledBecause }),
    })),
    events: view.events,
    reminders: view.reminders,
    ...health,
    record,
  };
}

/**
 * One row of the deadlines table, one date format per column: the due instant (London date and
 * time, the zone named), the state in the words every command uses (src/process/stateWords.ts),
 * and the London date it was met.
 */
function deadlineLine(d: StatusJson['deadlines'][number]): string[] {
  const due = d.dueAt ? formatLondonDateTime(new Date(d.dueAt)) : '(being computed)';
  const metOn = d.metOn ?? (d.metAt ? londonDate(new Date(d.metAt)) : undefined);
  let state = deadlineWords({ ...d, status: d.status as IncidentView['deadlines'][number]['status'], overdue: d.status === 'overdue' }, formatShortDate);
  if (d.status === 'cancelled' && d.cancelledBecause) state += ` (${d.cancelledBecause})`;
  return [d.name, due, state, metOn ? formatShortDate(metOn) : ''];
}

export async function status(ref: string, opts: { json?: boolean }): Promise<void> {
  const found = await findCase(ref);
  const raw = statusJson(found.view, found.workflowId, found.workflowStatus, found.source, { needsAttention: found.needsAttention, liveUnreadable: found.liveUnreadable });
  if (opts.json) {
    process.stdout.write(printableJson(raw) + '\n');
    return unreadLive(found);
  }
  // For a terminal: everything recorded shown as written, nothing a terminal would obey.
  const json = printableDeep(raw);
  const out = [
    printable(`Case ${json.ref}: stage ${json.stage} (${where(found)})`),
    ...(found.needsAttention.length ? ['', 'NEEDS ATTENTION:', ...attentionDetails(found.needsAttention).map(printable)] : []),
    '',
    'Deadlines (London time; a date is due by the end of that day):',
    table(['deadline', 'due', 'status', 'met on'], json.deadlines.map(deadlineLine), '  '),
    '',
    'Events (London time):',
    ...json.events.map((e) => `  ${formatLondonDateTime(new Date(e.at))}  ${e.what}${e.by ? ` (recorded by ${e.by})` : ''}`),
    '',
    `Reminders sent: ${json.reminders.length}` +
      (json.reminders.length ? ` (latest: ${json.reminders.at(-1)!.deadline} level ${json.reminders.at(-1)!.level}, ${formatLondonDateTime(new Date(json.reminders.at(-1)!.sentAt))})` : ''),
  ];
  process.stdout.write(out.join('\n') + '\n');
  unreadLive(found);
}

/** Where the record shown came from, in words (with when the archive's copy was written, for `status`). */
export function where(found: FoundCase, archivedWhen = true): string {
  if (found.source === 'temporal') return `workflow ${found.workflowId}, ${found.workflowStatus.toLowerCase()}`;
  const recorded = formatLondonDateTime(new Date(found.archivedAt!));
  if (found.liveUnreadable) return `workflow ${found.workflowId}, ${found.workflowStatus.toLowerCase()}, CANNOT BE READ: shown from the case archive, recorded ${recorded}`;
  return `from the archive: workflow ${found.workflowId} is no longer in Temporal${archivedWhen ? `; recorded ${recorded}` : ''}`;
}

/** After showing an archived copy of a live case that could not be read: exit 7 with the reason. */
export function unreadLive(found: FoundCase): void {
  if (!found.liveUnreadable) return;
  throw new CliError(
    `case ${found.view.ref} needs attention: it cannot be read (${found.needsAttention.map((p) => p.problem).join('; ')}); shown from the case archive as last recorded; kscp doctor says how to repair it`,
    EXIT.attention,
  );
}
