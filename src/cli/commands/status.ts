/** `kscp status <ref> [--json]`: the case's stage and every deadline. */
import type { IncidentView } from '../../process/incident';
import { formatLondonDateTime, formatShortDate, londonDate } from '../../london';
import { deadlineWords } from '../../process/stateWords';
import { printableDeep, printableJson, table } from '../format';
import { findCase } from '../loadCase';

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
  /** The rest of the record: route, criteria, flags, every decision, deferrals, corrections, withdrawal. */
  record: Omit<IncidentView, 'ref' | 'stage' | 'deadlines' | 'events' | 'reminders'>;
}

export function statusJson(view: IncidentView, workflowId: string, workflowStatus: string, source: StatusJson['source'] = 'temporal'): StatusJson {
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
  const raw = statusJson(found.view, found.workflowId, found.workflowStatus, found.source);
  if (opts.json) {
    process.stdout.write(printableJson(raw) + '\n');
    return;
  }
  // For a terminal: everything recorded shown as written, nothing a terminal would obey.
  const json = printableDeep(raw);
  const where =
    found.source === 'archive'
      ? `from the archive: workflow ${json.workflowId} is no longer in Temporal; recorded ${formatLondonDateTime(new Date(found.archivedAt!))}`
      : `workflow ${json.workflowId}, ${json.workflowStatus.toLowerCase()}`;
  const out = [
    `Case ${json.ref}: stage ${json.stage} (${where})`,
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
}
