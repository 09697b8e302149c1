/**
 * `kscp deadlines [--within N] [--json] [--ics]`: every open deadline of every open case, soonest
 * first, overdue ones flagged; each case read through its `state` query (caseView).
 */
import { addDays, daysBetween, type IsoDate } from '../../process/dates';
import { deadlineCalendar, deadlineEventFor } from '../../ics';
import { formatLongDate } from '../../london';
import { describeDeadline, describeRole } from '../../process/timeline';
import { TIMESCALES } from '../../process/timescales';
import { caseView } from '../caseView';
import { calendar, client, settings, today } from '../context';
import { dueWords } from '../dueWords';
import { badInput } from '../errors';
import { paint, printableDeep, printableJson, table } from '../format';
import { listCases } from './list';

export interface OpenDeadline {
  ref: string;
  /** The deadline's stable name (`rapid-review`, `info-request:police`, ...). */
  deadline: string;
  /** What is due, in words. */
  what: string;
  /** The London date it falls due, and the instant it expires. */
  due: IsoDate;
  dueAt: string;
  status: 'open' | 'overdue';
  overdue: boolean;
  /** False for prompts with no statutory date (the Panel's answer, learning): never overdue. */
  statutory: boolean;
  /** Calendar days from today to the due date (negative once it has passed). */
  daysLeft: number;
  /** Who is responsible, in words. */
  owner: string;
  stage: string;
  /** After a deferral: the date now chased (the statutory `due` does not move). */
  revisedTarget?: IsoDate;
}

export function parseWithin(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim()) || Number(value) > 3660) throw badInput(`--within: must be a whole number of calendar days from 0 to 3660, not ${JSON.stringify(value)}`);
  return Number(value);
}

/** Keep what is due by the end of today + N calendar days, and everything overdue. */
export function dueWithin(deadlines: OpenDeadline[], within: number | undefined, londonToday: IsoDate): OpenDeadline[] {
  if (within === undefined) return deadlines;
  const last = addDays(londonToday, within);
  return deadlines.filter((d) => d.overdue || d.due <= last);
}

/** Every open deadline of every open case, soonest first. */
export async function openDeadlines(londonToday: IsoDate): Promise<OpenDeadline[]> {
  const c = await client(settings());
  const cases = await listCases(c, {});
  const found: OpenDeadline[] = [];
  // A few queries at a time: each is answered by the worker.
  for (let i = 0; i < cases.length; i += 8) {
    const views = await Promise.all(cases.slice(i, i + 8).map((k) => caseView(c, k.ref)));
    for (const { ref, view, workflowStatus } of views) {
      if (workflowStatus !== 'RUNNING') continue;
      for (const d of view.deadlines) {
        if ((d.status !== 'open' && d.status !== 'overdue') || d.due === undefined || d.dueAt === undefined) continue;
        const statutory = TIMESCALES.find((t) => t.name === d.clock.timescale)?.statutory ?? true;
        found.push({
          ref,
          deadline: d.name,
          what: describeDeadline(view, d.name),
          due: d.due,
          dueAt: d.dueAt,
          status: d.status,
          overdue: d.status === 'overdue',
          statutory,
          daysLeft: daysBetween(londonToday, d.due),
          owner: describeRole(d.owner),
          stage: view.stage,
          ...(d.revisedTarget !== undefined && { revisedTarget: d.revisedTarget }),
        });
      }
    }
  }
  return found.sort((a, b) => a.dueAt.localeCompare(b.dueAt) || a.ref.localeCompare(b.ref) || a.deadline.localeCompare(b.deadline));
}

export async function deadlines(opts: { within?: string; json?: boolean; ics?: boolean }): Promise<void> {
  if (opts.json && opts.ics) throw badInput('--json and --ics: choose one output');
  const within = parseWithin(opts.within);
  const londonToday = today();
  const found = dueWithin(await openDeadlines(londonToday), within, londonToday);
  if (opts.json) {
    process.stdout.write(printableJson(found) + '\n');
    return;
  }
  // For a terminal or a calendar: every text shown as recorded, nothing a terminal would obey.
  const shown = printableDeep(found);
  if (opts.ics) {
    const events = shown.map((d) => deadlineEventFor({ ref: d.ref, deadline: d.deadline, timescale: d.deadline.split(':')[0]!, due: d.due }));
    process.stdout.write(deadlineCalendar(events, new Date()));
    return;
  }
  const scope = within === undefined ? '' : ` due within ${within} day${within === 1 ? '' : 's'} (by the end of ${formatLongDate(addDays(londonToday, within))}) or overdue`;
  if (shown.length === 0) {
    process.stdout.write(`No open deadlines${scope}.\n`);
    return;
  }
  const overdue = shown.filter((d) => d.overdue).length;
  const p = paint();
  const cal = await calendar(settings());
  const rows = shown.map((d) => [formatLongDate(d.due), dueWords(d, londonToday, cal), d.ref, d.deadline, d.what]);
  process.stdout.write(
    [
      `Open deadlines${scope}: ${shown.length}${overdue ? `, ${overdue} OVERDUE` : ''} (due by the end of the day, London time; today is ${formatLongDate(londonToday)})`,
      '',
      table(['due', 'when', 'case', 'deadline', 'what is due'], rows, '', (cell, _row, column) => (column === 1 && cell.startsWith('OVERDUE') ? p.red(cell) : cell)),
    ].join('\n') + '\n',
  );
}
