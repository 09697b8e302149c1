/**
 * `kscp report --from DATE --to DATE [--csv|--json]`: the timeliness report over open cases (from
 * Temporal, the `state` query of every running case) and the archive (closed cases, kept after
 * Temporal's retention), one entry per case, the live state winning. Arithmetic in src/report.ts.
 */
import type { Client } from '@temporalio/client';
import { summarise, type CaseSummary } from '../../archive';
import { WORKFLOW_TYPE } from '../../process/incident';
import { formatLongDate } from '../../london';
import { mergeCases, timelinessReport, type MeasureResult, type TimelinessReport } from '../../report';
import type { Settings } from '../../config';
import { mapLimit, QUERY_SECONDS, readCase, workerPresence } from '../caseHealth';
import { calendar, client, settings } from '../context';
import { badInput, CliError, EXIT } from '../errors';
import { printable, printableJson, printableLines, table } from '../format';
import { repairContext } from '../repairs';
import { fromArchive, readArchive } from '../loadCase';
import { parseDate } from './calendar';

export interface ReportJson extends TimelinessReport {
  /** How many cases of the period came from each place. */
  sources: { temporal: number; archive: number };
  /**
   * Open cases that could not be read live (docs/operations.md, "Needs attention"): counted from
   * their last archived record when it falls in the period, else not counted.
   */
  unread: Array<{ ref: string; problem: string; countedFromArchive: boolean }>;
}

interface OpenCases {
  live: CaseSummary[];
  /** Running cases that did not answer, and why. */
  unread: Array<{ ref: string; workflowId: string; problem: string }>;
}

/** Every running case's view, queried from its workflow, a few at a time; one that does not answer is set aside with the reason. */
async function openCases(c: Client, s: Settings): Promise<OpenCases> {
  const found: Array<{ workflowId: string; firstRunId: string }> = [];
  for await (const wf of c.workflow.list({ query: `WorkflowType = '${WORKFLOW_TYPE}' AND ExecutionStatus = 'Running'` })) {
    found.push({ workflowId: wf.workflowId, firstRunId: wf.raw.firstRunId || wf.runId });
  }
  const ctx = await repairContext(s);
  const reads = await mapLimit(found, 8, async (w) => ({ w, read: await readCase(c, ctx, w.workflowId) }));
  if (reads.length && reads.every((r) => r.read.timedOut) && !(await workerPresence(c, s).catch(() => ({ polling: false }))).polling) {
    throw new CliError(`reading the open cases: no worker answered within ${QUERY_SECONDS}s; is \`npm start\` (or \`npm run worker\`) running? (kscp doctor checks)`, EXIT.unavailable);
  }
  const out: OpenCases = { live: [], unread: [] };
  for (const { w, read } of reads) {
    if (read.view) out.live.push(summarise(read.view, w));
    else out.unread.push({ ref: w.workflowId.replace(/^incident-/, ''), workflowId: w.workflowId, problem: read.problems.map((p) => p.problem).join('; ') });
  }
  return out;
}

const fmt = (n: number | null, suffix = ''): string => (n === null ? '-' : `${n}${suffix}`);

function measureRow(m: MeasureResult): string[] {
  return [m.measure, String(m.count), String(m.onTime), fmt(m.percentOnTime, '%'), String(m.late), fmt(m.medianWorkingDaysLate), String(m.stillOverdue), String(m.pending)];
}

export function reportText(r: ReportJson): string {
  return [
    `Timeliness report: cases where the LA became aware from ${formatLongDate(r.from)} to ${formatLongDate(r.to)}`,
    `Cases: ${r.cases} (${r.openCases} open, ${r.closedCases} closed; ${r.sources.archive} from the archive). Lateness of deadlines still overdue counted to ${formatLongDate(r.asOf)}.`,
    '',
    table(['measure', 'count', 'on time', '% on time', 'late', 'median working days late', 'still overdue', 'not yet due'], r.measures.map(measureRow)),
    '',
    'By criterion (a case may meet several):',
    table(['criterion', 'cases'], Object.entries(r.byCriterion).map(([k, n]) => [k, String(n)]), '  '),
    '',
    'By route:',
    table(['route', 'cases'], Object.entries(r.byRoute).map(([k, n]) => [k, String(n)]), '  '),
  ].join('\n');
}

/**
 * A CSV cell: quoted when it must be; a text that a spreadsheet would run as a formula (=, +, -, @)
 * starts with an apostrophe; control characters shown escaped (src/cli/format.ts).
 */
function csvCell(v: string | number | null): string {
  if (v === null) return '';
  if (typeof v === 'number') return String(v);
  const text = printable(/^[=+\-@]/.test(v) ? `'${v}` : v);
  return /[",]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One table for spreadsheets: a row per measure, criterion and route, and one for the cases. */
export function reportCsv(r: ReportJson): string {
  const rows: Array<Array<string | number | null>> = [
    ['section', 'name', 'count', 'on_time', 'percent_on_time', 'late', 'median_working_days_late', 'still_overdue', 'not_yet_due'],
    ['cases', `${r.from}..${r.to}`, r.cases, null, null, null, null, null, null],
    ...r.measures.map((m) => ['measure', m.deadline, m.count, m.onTime, m.percentOnTime, m.late, m.medianWorkingDaysLate, m.stillOverdue, m.pending]),
    ...Object.entries(r.byCriterion).map(([k, n]) => ['criterion', k, n, null, null, null, null, null, null]),
    ...Object.entries(r.byRoute).map(([k, n]) => ['route', k, n, null, null, null, null, null, null]),
  ];
  return rows.map((row) => row.map(csvCell).join(',')).join('\n');
}

export async function report(opts: { from: string; to: string; csv?: boolean; json?: boolean }): Promise<void> {
  const from = parseDate('--from', opts.from);
  const to = parseDate('--to', opts.to);
  if (from > to) throw badInput(`--to: ${to} is before --from ${from}; the period runs from --from to --to, both included`);
  if (opts.csv && opts.json) throw badInput('--csv and --json: choose one');
  const s = settings();
  const cal = await calendar(s);
  const open = await openCases(await client(s), s);
  const live = open.live.filter((c) => c.laAwareOn >= from && c.laAwareOn <= to);
  const archive = await readArchive(s);
  let archived: CaseSummary[];
  try {
    archived = await fromArchive(archive, (a) => a.summaries({ from, to }));
  } finally {
    await archive.close();
  }
  const cases = mergeCases(live, archived);
  const liveIds = new Set(live.map((c) => c.caseId));
  const result: ReportJson = {
    ...timelinessReport(cases, { from, to }, new Date(), cal),
    sources: { temporal: live.length, archive: cases.filter((c) => !liveIds.has(c.caseId)).length },
    unread: open.unread.map((u) => ({ ref: u.ref, problem: u.problem, countedFromArchive: cases.some((c) => c.workflowId === u.workflowId) })),
  };
  const out = opts.json ? printableJson(result) : opts.csv ? reportCsv(result) : reportText(result) + unreadText(result);
  process.stdout.write(out + '\n');
  if (result.unread.length) {
    const n = result.unread.length;
    throw new CliError(
      `${n} open case${n === 1 ? '' : 's'} could not be read (${result.unread.map((u) => `${u.ref}: ${u.problem}`).join('; ')}): ${n === 1 ? 'it is' : 'they are'} counted from the case archive where it has them in the period, else not counted; kscp doctor says how to repair ${n === 1 ? 'it' : 'them'}`,
      EXIT.attention,
    );
  }
}

/** Under the report's tables: the open cases that could not be read, and how they were counted. */
function unreadText(r: ReportJson): string {
  if (r.unread.length === 0) return '';
  return printableLines([
    '',
    '',
    `NEEDS ATTENTION: ${r.unread.length} open case${r.unread.length === 1 ? '' : 's'} could not be read (kscp doctor says how to repair each):`,
    ...r.unread.map((u) => `  ${u.ref}: ${u.problem}; ${u.countedFromArchive ? 'counted from its last archived record' : 'not counted (not in the case archive for this period)'}`),
  ]).replace(/\n$/, '');
}
