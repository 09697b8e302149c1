/** `kscp list [--all] [--json]`: open cases with their stage and next deadline, from the case board's search attributes. */
import { WORKFLOW_TYPE } from '../../incident';
import { formatLondonDateTime } from '../../london';
import { KscpNextDeadline, KscpNextDeadlineName, KscpOverdue, KscpStage } from '../../searchAttributes';
import { client, settings } from '../context';
import { table } from '../format';

export interface ListedCase {
  ref: string;
  workflowId: string;
  workflowStatus: string;
  stage: string | null;
  nextDeadline: { name: string | null; dueAt: string } | null;
  overdue: boolean;
}

export async function list(opts: { json?: boolean; all?: boolean }): Promise<void> {
  const c = await client(settings());
  const query = `WorkflowType = '${WORKFLOW_TYPE}'` + (opts.all ? '' : ` AND ExecutionStatus = 'Running'`);
  const cases: ListedCase[] = [];
  for await (const wf of c.workflow.list({ query })) {
    const sa = wf.typedSearchAttributes;
    const next = sa.get(KscpNextDeadline);
    cases.push({
      ref: wf.workflowId.replace(/^incident-/, ''),
      workflowId: wf.workflowId,
      workflowStatus: wf.status.name,
      stage: sa.get(KscpStage) ?? null,
      nextDeadline: next ? { name: sa.get(KscpNextDeadlineName) ?? null, dueAt: next.toISOString() } : null,
      overdue: sa.get(KscpOverdue) ?? false,
    });
  }
  cases.sort((a, b) => (a.nextDeadline?.dueAt ?? '~').localeCompare(b.nextDeadline?.dueAt ?? '~') || a.ref.localeCompare(b.ref));
  if (opts.json) {
    process.stdout.write(JSON.stringify(cases, null, 2) + '\n');
    return;
  }
  if (cases.length === 0) {
    process.stdout.write(opts.all ? 'No cases.\n' : 'No open cases.\n');
    return;
  }
  const rows = cases.map((k) => [
    k.ref,
    k.stage ?? '?',
    k.nextDeadline ? `${k.nextDeadline.name ?? ''} ${formatLondonDateTime(new Date(k.nextDeadline.dueAt))}` : '-',
    k.overdue ? 'OVERDUE' : k.workflowStatus === 'RUNNING' ? '' : k.workflowStatus.toLowerCase(),
  ]);
  process.stdout.write(table(['case', 'stage', 'next deadline', ''], rows) + '\n');
}
