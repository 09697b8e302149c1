/**
 * `kscp deadlines [--within N] [--json] [--ics]`: every open deadline of every open case, soonest
 * first, overdue ones flagged; each case read through its `state` query (caseHealth.ts: a case that cannot be read is named, not fatal).
 */
import { addDays, daysBetween, type IsoDate } from '../../process/dates';
import { deadlineCalendar, deadlineEventFor } from '../../ics';
import { formatLongDate } from '../../london';
import { describeDeadline, describeRole } from '../../process/timeline';
import { TIMESCALES } from '../../process/timescales';
import { WORDS } from '../../process/stateWords';
import { attentionSection, caseAttention, mapLimit, QUERY_SECONDS, readState, unreadable, workerPresence, type NeedsAttention } from '../caseHealth';
import { calendar, client, settings, today } from '../context';
import { dueWords } from '../dueWords';
import { badInput, CliError, EXIT } from '../errors';
import { repairContext } from '../repairs';
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
  /** The case needs attention (kscp doctor says what and how to repair it). */
  needsAttention: boolean;
  /** An email about this deadline cannot go, or some of its recipients were refused. */
  emailHeld?: true;
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

export interface FoundDeadlines {
  deadlines: OpenDeadline[];
  /** What needs attention in the open cases: their own items, execution problems, and the cases that could not be read. */
  needsAttention: NeedsAttention[];
  /** The cases whose deadlines could not be read (their deadlines are missing from `deadlines`). */
  unread: string[];
}

/**
 * Every open deadline of every open case, soonest first. A case that cannot be read (its workflow
 * task failing, or no answer) is not a reason to fail: it is reported in `unread` with the reason,
 * and the others are read. Only when no case answers at all and no worker polls is it exit 5.
 */
export async function openDeadlines(londonToday: IsoDate): Promise<FoundDeadlines> {
  const s = settings();
  const c = await client(s);
  const ctx = await repairContext(s);
  const cases = (await listCases(c, {}, ctx)).filter((k) => k.workflowStatus === 'RUNNING');
  // A few queries at a time (each is answered by the worker); a case whose task is failing cannot answer.
  const reads = await mapLimit(cases, 8, async (k) => ({
    k,
    read: k.needsAttention.some((p) => p.kind === 'workflow-task-failing') ? undefined : await readState(c, c.workflow.getHandle(k.workflowId)),
  }));
  const answered = reads.filter((r) => r.read?.ok).length;
  if (answered === 0 && reads.some((r) => r.read && !r.read.ok && r.read.timedOut) && !(await workerPresence(c, s).catch(() => ({ polling: false }))).polling) {
    throw new CliError(`reading the open cases: no worker answered within ${QUERY_SECONDS}s; is \`npm start\` (or \`npm run worker\`) running? (kscp doctor checks)`, EXIT.unavailable);
  }
  const found: OpenDeadline[] = [];
  const needsAttention: NeedsAttention[] = [];
  const unread: string[] = [];
  for (const { k, read } of reads) {
    const execution = k.needsAttention.filter((p) => p.kind !== 'flagged');
    if (!read?.ok) {
      unread.push(k.ref);
      needsAttention.push(...(read ? await unreadable(c, ctx, k.ref, c.workflow.getHandle(k.workflowId), read) : execution));
      continue;
    }
    const { view } = read;
    const problems = [...execution, ...caseAttention(ctx, view, k.workflowId)];
    needsAttention.push(...problems);
    for (const d of view.deadlines) {
      if ((d.status !== 'open' && d.status !== 'overdue') || d.due === undefined || d.dueAt === undefined) continue;
      const statutory = TIMESCALES.find((t) => t.name === d.clock.timescale)?.statutory ?? true;
      found.push({
        ref: k.ref,
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
        needsAttention: problems.length > 0,
        ...(problems.some((p) => p.deadline === d.name) && { emailHeld: true }),
      });
    }
  }
  return {
    deadlines: found.sort((a, b) => a.dueAt.localeCompare(b.dueAt) || a.ref.localeCompare(b.ref) || a.deadline.localeCompare(b.deadline)),
    needsAttention,
    unread,
  };
}

export async function deadlines(opts: { within?: string; json?: boolean; ics?: boolean }): Promise<void> {
  if (opts.json && opts.ics) throw badInput('--json and --ics: choose one output');
  const within = parseWithin(opts.within);
  const londonToday = today();
  const all = await openDeadlines(londonToday);
  const found = dueWithin(all.deadlines, within, londonToday);
  // Everything that could be read is printed; a case that could not be is said on stderr, exit 7.
  const incomplete = (): void => {
    if (all.unread.length === 0) return;
    const reasons = all.needsAttention.filter((p) => p.ref !== null && all.unread.includes(p.ref)).map((p) => `${p.ref}: ${p.problem}`);
    throw new CliError(
      `the deadlines of ${all.unread.length} open case${all.unread.length === 1 ? '' : 's'} could not be read and are not listed (the others are): ${reasons.join('; ')}; kscp doctor says how to repair ${all.unread.length === 1 ? 'it' : 'them'}`,
      EXIT.attention,
    );
  };
  if (opts.json) {
    process.stdout.write(printableJson(found) + '\n');
    return incomplete();
  }
  // For a terminal or a calendar: every text shown as recorded, nothing a terminal would obey.
  const shown = printableDeep(found);
  if (opts.ics) {
    const events = shown.map((d) => deadlineEventFor({ ref: d.ref, deadline: d.deadline, timescale: d.deadline.split(':')[0]!, due: d.due }));
    process.stdout.write(deadlineCalendar(events, new Date()));
    return incomplete();
  }
  const scope = within === undefined ? '' : ` due within ${within} day${within === 1 ? '' : 's'} (by the end of ${formatLongDate(addDays(londonToday, within))}) or overdue`;
  if (shown.length === 0) {
    process.stdout.write(`No open deadlines${scope}.\n${attentionSection(all.needsAttention)}`);
    return incomplete();
  }
  const overdue = shown.filter((d) => d.overdue).length;
  const p = paint();
  const cal = await calendar(settings());
  const rows = shown.map((d) => [formatLongDate(d.due), dueWords(d, londonToday, cal) + (d.emailHeld ? `, ${WORDS.needsAttention}` : ''), d.ref, d.deadline, d.what]);
  process.stdout.write(
    [
      `Open deadlines${scope}: ${shown.length}${overdue ? `, ${overdue} OVERDUE` : ''} (due by the end of the day, London time; today is ${formatLongDate(londonToday)})`,
      '',
      table(['due', 'when', 'case', 'deadline', 'what is due'], rows, '', (cell, _row, column) => (column === 1 && /OVERDUE|NEEDS ATTENTION/.test(cell) ? p.red(cell) : cell)),
    ].join('\n') + '\n' + attentionSection(all.needsAttention),
  );
  incomplete();
}
