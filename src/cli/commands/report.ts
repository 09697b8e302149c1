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
import { REPORT_CSV_COLUMNS, type ReportCsvColumn } from '../../reportColumns';
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


/** Median lateness as a cell: working days, and for the eCase form the hours too. */
function medianLate(m: MeasureResult): string {
  if (m.medianWorkingDaysLate === null) return '-';
  return m.medianHoursLate === null ? String(m.medianWorkingDaysLate) : `${m.medianWorkingDaysLate} (${m.medianHoursLate} h)`;
}

const MEASURE_HEADER = ['measure', 'total', 'on time', 'late', 'late, still open', 'median working days late', 'open, not yet due', 'not applicable', '% on time'];

function measureRow(m: MeasureResult): string[] {
  return [m.measure, String(m.total), String(m.onTime), String(m.late), String(m.lateStillOpen), medianLate(m), String(m.open), String(m.notApplicable), m.percentOnTime === null ? '-' : `${m.percentOnTime}%`];
}

function deferredLines(r: ReportJson): string[] {
  const deferred = r.measures.filter((m) => m.deferred.total > 0);
  if (deferred.length === 0) return [`Deferred: none (${r.deferredCases} cases with a deferral).`];
  return [
    `Deferred (${r.deferredCases} case${r.deferredCases === 1 ? '' : 's'} with a deferral; each is also counted above against its statutory date, which a deferral does not move):`,
    table(
      ['measure', 'deferred', 'revised target met', 'revised target missed', 'revised target still open', 'not applicable', 'late against the statutory date'],
      deferred.map((m) => [m.measure, String(m.deferred.total), String(m.deferred.revisedTargetMet), String(m.deferred.revisedTargetMissed), String(m.deferred.revisedTargetOpen), String(m.deferred.notApplicable), String(m.deferred.lateAgainstStatutoryDate)]),
      '  ',
    ),
  ];
}

function notJudgedLines(r: ReportJson): string[] {
  const unjudged = r.measures.filter((m) => m.notJudged > 0);
  return unjudged.map((m) => `Not judged: ${m.notJudged} met deadline(s) of "${m.measure}" whose due date the record does not hold (neither on time nor late; in the total).`);
}

export function reportText(r: ReportJson): string {
  return [
    `Timeliness report: cases where the LA became aware from ${formatLongDate(r.from)} to ${formatLongDate(r.to)}`,
    `Cases: ${r.cases} (${r.openCases} open, ${r.closedCases} closed; ${r.sources.archive} from the archive). Lateness of deadlines still open counted to ${formatLongDate(r.asOf)}.`,
    'Each deadline is in one column: total = on time + late + open, not yet due + not applicable. "Late" includes those still open past their due date.',
    '',
    'Statutory measures:',
    table(MEASURE_HEADER, r.measures.filter((m) => m.statutory).map(measureRow), '  '),
    '',
    "Policy targets (the partnership's own targets, not statutory duties):",
    table(MEASURE_HEADER, r.measures.filter((m) => !m.statutory).map(measureRow), '  '),
    ...notJudgedLines(r),
    '',
    ...deferredLines(r),
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
function csvCell(v: string | number | boolean | null): string {
  if (v === null) return '';
  if (typeof v !== 'string') return String(v);
  const text = printable(/^[=+\-@]/.test(v) ? `'${v}` : v);
  return /[",]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The CSV's columns, in order (listed by `kscp report --help`; described in the README and docs/archive.md). */
export const CSV_COLUMNS = REPORT_CSV_COLUMNS;

type CsvRow = Partial<Record<ReportCsvColumn, string | number | boolean | null>>;

/** One table for spreadsheets: the period, the case counts, a row per measure, criterion and route. */
export function reportCsv(r: ReportJson): string {
  const rows: CsvRow[] = [
    { section: 'period', name: 'from', text: r.from },
    { section: 'period', name: 'to', text: r.to },
    { section: 'period', name: 'as_of', text: r.asOf },
    { section: 'cases', name: 'all', cases: r.cases },
    { section: 'cases', name: 'open', cases: r.openCases },
    { section: 'cases', name: 'closed', cases: r.closedCases },
    { section: 'cases', name: 'deferred', cases: r.deferredCases },
    { section: 'cases', name: 'from_temporal', cases: r.sources.temporal },
    { section: 'cases', name: 'from_archive', cases: r.sources.archive },
    ...r.measures.map(
      (m): CsvRow => ({
        section: 'measure',
        name: m.deadline,
        text: m.measure,
        statutory: m.statutory,
        cases: m.cases,
        total: m.total,
        on_time: m.onTime,
        late: m.late,
        late_still_open: m.lateStillOpen,
        open_not_yet_due: m.open,
        not_applicable: m.notApplicable,
        not_judged: m.notJudged,
        percent_on_time: m.percentOnTime,
        median_working_days_late: m.medianWorkingDaysLate,
        median_hours_late: m.medianHoursLate,
        deferred: m.deferred.total,
        deferred_revised_target_met: m.deferred.revisedTargetMet,
        deferred_revised_target_missed: m.deferred.revisedTargetMissed,
        deferred_revised_target_open: m.deferred.revisedTargetOpen,
        deferred_not_applicable: m.deferred.notApplicable,
        deferred_late_against_statutory_date: m.deferred.lateAgainstStatutoryDate,
      }),
    ),
    ...Object.entries(r.byCriterion).map(([k, n]): CsvRow => ({ section: 'criterion', name: k, cases: n })),
    ...Object.entries(r.byRoute).map(([k, n]): CsvRow => ({ section: 'route', name: k, cases: n })),
  ];
  return [CSV_COLUMNS.join(','), ...rows.map((row) => CSV_COLUMNS.map((c) => csvCell(row[c] ?? null)).join(','))].join('\n');
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
    ...timelinessReport(cases, { from, to }, new Date(), cal, { websiteRetentionMonths: s.websiteRetentionMonths }),
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
