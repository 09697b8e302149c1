/** `kscp list [--all] [--stage S] [--overdue] [--json]`: cases with their stage and next deadline, from the case board's search attributes. */
import type { Client } from '@temporalio/client';
import { STAGES, WORKFLOW_TYPE, type Stage } from '../../process/incident';
import { formatLondonDateTime } from '../../london';
import { KscpAttention, KscpNextDeadline, KscpNextDeadlineName, KscpNotifyingAgency, KscpOverdue, KscpRoute, KscpStage } from '../../process/searchAttributes';
import { WORDS } from '../../process/stateWords';
import { attentionSection, executionProblems, mapLimit, type NeedsAttention } from '../caseHealth';
import { client, settings } from '../context';
import { badInput } from '../errors';
import { paint, printableJson, table } from '../format';
import { repairContext, type RepairContext } from '../repairs';

export interface ListedCase {
  ref: string;
  workflowId: string;
  workflowStatus: string;
  stage: string | null;
  nextDeadline: { name: string | null; dueAt: string } | null;
  overdue: boolean;
  /** From the case board's search attributes: the route once known, the notifying agency's id. */
  route: string | null;
  notifyingAgency: string | null;
  /** Whether anything needs attention (the case's KscpAttention flag, or what the checks below found). */
  attention: boolean;
  /** What needs a person: the case's KscpAttention flag, a workflow task or an activity failing again and again (docs/operations.md). */
  needsAttention: NeedsAttention[];
}

export interface ListOptions {
  json?: boolean;
  all?: boolean;
  stage?: string;
  overdue?: boolean;
}

/** The stage as written in src/process/incident.ts (any case, hyphens for underscores), or a clear refusal. */
export function parseStage(value: string): Stage {
  const wanted = value.trim().toUpperCase().replace(/-/g, '_');
  const stage = STAGES.find((s) => s === wanted);
  if (!stage) throw badInput(`--stage: ${JSON.stringify(value)} is not a stage (allowed: ${STAGES.join(', ')})`);
  return stage;
}

/** The Temporal list filter (the same language as the Web UI's search box). */
export function listQuery(opts: ListFilter): string {
  return [
    `WorkflowType = '${WORKFLOW_TYPE}'`,
    ...(opts.all ? [] : [`ExecutionStatus = 'Running'`]),
    ...(opts.stage ? [`KscpStage = '${opts.stage}'`] : []),
    ...(opts.overdue ? ['KscpOverdue = true'] : []),
    // An agency id is lower-case words joined by hyphens (AgencyIdSchema): nothing to quote.
    ...(opts.agency && /^[a-z][a-z0-9-]{0,39}$/.test(opts.agency) ? [`KscpNotifyingAgency = '${opts.agency}'`] : []),
  ].join(' AND ');
}

export interface ListFilter {
  all?: boolean;
  stage?: Stage;
  overdue?: boolean;
  /** Only cases this agency notified (the case board's filter). */
  agency?: string;
}

/** The case board's attention flag, when the case itself could not say more (list reads no case). */
function flagged(ref: string, workflowId: string): NeedsAttention {
  return {
    kind: 'flagged',
    ref,
    workflowId,
    since: null,
    problem: 'the case flags that something needs attention (KscpAttention): an email that cannot go, recipients refused, or a deadline that cannot be computed',
    fix: 'kscp status shows what and how to fix it (kscp doctor lists every case that needs attention).',
    commands: [`kscp status ${ref}`],
  };
}

/**
 * Every case the filter finds, soonest next deadline first. With `ctx`, each running case's
 * execution is checked too (a describe each, no worker needed): a case whose workflow task or an
 * activity keeps failing is marked as needing attention with the reason.
 */
export async function listCases(c: Client, opts: ListFilter, ctx?: RepairContext): Promise<ListedCase[]> {
  const cases: ListedCase[] = [];
  for await (const wf of c.workflow.list({ query: listQuery(opts) })) {
    const sa = wf.typedSearchAttributes;
    const next = sa.get(KscpNextDeadline);
    const ref = wf.workflowId.replace(/^incident-/, '');
    cases.push({
      ref,
      workflowId: wf.workflowId,
      workflowStatus: wf.status.name,
      stage: sa.get(KscpStage) ?? null,
      nextDeadline: next ? { name: sa.get(KscpNextDeadlineName) ?? null, dueAt: next.toISOString() } : null,
      overdue: sa.get(KscpOverdue) ?? false,
      route: sa.get(KscpRoute) ?? null,
      notifyingAgency: sa.get(KscpNotifyingAgency) ?? null,
      attention: sa.get(KscpAttention) ?? false,
      needsAttention: sa.get(KscpAttention) ? [flagged(ref, wf.workflowId)] : [],
    });
  }
  if (ctx) {
    await mapLimit(
      cases.filter((k) => k.workflowStatus === 'RUNNING'),
      8,
      async (k) => {
        const found = await c.workflow
          .getHandle(k.workflowId)
          .describe()
          .then((d) => executionProblems(c, ctx, k.ref, d))
          .catch(() => []);
        k.needsAttention.push(...found);
        if (found.length) k.attention = true;
      },
    );
  }
  return cases.sort((a, b) => (a.nextDeadline?.dueAt ?? '~').localeCompare(b.nextDeadline?.dueAt ?? '~') || a.ref.localeCompare(b.ref));
}

function noneFound(opts: ListOptions): string {
  const what = [opts.overdue ? 'overdue' : '', opts.all ? '' : 'open'].filter(Boolean).join(' ');
  return `No ${what ? `${what} ` : ''}cases${opts.stage ? ` at stage ${opts.stage}` : ''}.`;
}

export async function list(opts: ListOptions): Promise<void> {
  const stage = opts.stage === undefined ? undefined : parseStage(opts.stage);
  const s = settings();
  const cases = await listCases(await client(s), { all: opts.all, stage, overdue: opts.overdue }, await repairContext(s));
  if (opts.json) {
    process.stdout.write(printableJson(cases) + '\n');
    return;
  }
  if (cases.length === 0) {
    process.stdout.write(noneFound({ ...opts, stage }) + '\n');
    return;
  }
  const rows = cases.map((k) => [
    k.ref,
    k.stage ?? '?',
    k.nextDeadline ? `${k.nextDeadline.name ?? ''} ${formatLondonDateTime(new Date(k.nextDeadline.dueAt))}` : '-',
    [k.overdue ? WORDS.overdue : k.workflowStatus === 'RUNNING' ? '' : k.workflowStatus.toLowerCase(), k.needsAttention.length ? WORDS.needsAttention : ''].filter(Boolean).join(', '),
  ]);
  const p = paint();
  const flags = (cell: string): string => (/OVERDUE|NEEDS ATTENTION/.test(cell) ? p.red(cell) : cell);
  const attention = cases.flatMap((k) => k.needsAttention);
  process.stdout.write(table(['case', 'stage', 'next deadline (London time)', ''], rows, '', (cell, _row, column) => (column === 3 ? flags(cell) : cell)) + '\n' + attentionSection(attention));
}
