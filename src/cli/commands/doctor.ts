/**
 * `kscp doctor [--json]`: every open case that needs attention, why, and the exact command that
 * repairs it (docs/operations.md, "Needs attention"). It checks that a worker polls the task queue,
 * describes every running case (a workflow task failing again and again, an activity that keeps
 * failing: no worker needed), and reads the cases whose board flags attention (KscpAttention) for
 * their own items (an email that cannot go, recipients refused, a deadline that cannot be computed).
 * Exit 0 when nothing needs attention, 7 when something does.
 */
import { formatLondonDateTime } from '../../london';
import { attentionDetails, noWorker, readState, unreadable, workerPresence, caseAttention, mapLimit, type NeedsAttention, type WorkerPresence } from '../caseHealth';
import { client, settings } from '../context';
import { CliError, EXIT } from '../errors';
import { printableJson, printableLines } from '../format';
import { repairContext } from '../repairs';
import { listCases } from './list';

export interface DoctorJson {
  checkedAt: string;
  namespace: string;
  taskQueue: string;
  /** How many running cases were checked. */
  cases: number;
  worker: WorkerPresence;
  /** Everything that needs a person, the worker first, then by case; empty when all is well. */
  needsAttention: NeedsAttention[];
}

export async function findProblems(): Promise<DoctorJson> {
  const s = settings();
  const c = await client(s);
  const ctx = await repairContext(s);
  const worker = await workerPresence(c, s);
  const cases = (await listCases(c, {}, ctx)).filter((k) => k.workflowStatus === 'RUNNING');
  const perCase = await mapLimit(cases, 8, async (k): Promise<NeedsAttention[]> => {
    const execution = k.needsAttention.filter((p) => p.kind !== 'flagged');
    const flagged = k.needsAttention.length > execution.length;
    // A case whose task fails cannot answer; without a worker no case can: the board's flag says enough.
    if (!flagged || !worker.polling || execution.some((p) => p.kind === 'workflow-task-failing')) return k.needsAttention;
    const handle = c.workflow.getHandle(k.workflowId);
    const read = await readState(c, handle);
    if (!read.ok) return [...execution, ...(await unreadable(c, ctx, k.ref, handle, read)).filter((p) => !execution.some((e) => e.kind === p.kind && e.problem === p.problem))];
    return [...execution, ...caseAttention(ctx, read.view, k.workflowId)];
  });
  return {
    checkedAt: ctx.now.toISOString(),
    namespace: s.temporal.namespace,
    taskQueue: s.temporal.taskQueue,
    cases: cases.length,
    worker,
    needsAttention: [...(worker.polling ? [] : [noWorker(ctx, worker)]), ...perCase.flat().sort((a, b) => (a.ref ?? '').localeCompare(b.ref ?? ''))],
  };
}

export function doctorText(r: DoctorJson): string {
  const where = `namespace ${r.namespace}, task queue ${r.taskQueue}, checked ${formatLondonDateTime(new Date(r.checkedAt))}`;
  const open = `${r.cases} open case${r.cases === 1 ? '' : 's'}`;
  if (r.needsAttention.length === 0) return printableLines([`Nothing needs attention: ${open} checked, and a worker is polling (${where}).`]);
  const refs = [...new Set(r.needsAttention.map((p) => p.ref).filter((ref): ref is string => ref !== null))];
  const lines = [
    `NEEDS ATTENTION: ${r.needsAttention.length} problem${r.needsAttention.length === 1 ? '' : 's'}: ${refs.length} of ${open}${r.worker.polling ? '' : ', and no worker is polling'} (${where}). Each with its fix:`,
  ];
  for (const ref of [null, ...refs]) {
    const problems = r.needsAttention.filter((p) => p.ref === ref);
    if (problems.length === 0) continue;
    lines.push('', ref === null ? 'Every case (the worker):' : `Case ${ref} (kscp status ${ref}):`, ...attentionDetails(problems));
  }
  return printableLines(lines);
}

export async function doctor(opts: { json?: boolean }): Promise<void> {
  const r = await findProblems();
  process.stdout.write(opts.json ? printableJson(r) + '\n' : doctorText(r));
  if (r.needsAttention.length === 0) return;
  const refs = new Set(r.needsAttention.map((p) => p.ref).filter((ref) => ref !== null));
  const who = [...(refs.size ? [`${refs.size} case${refs.size === 1 ? '' : 's'}`] : []), ...(r.worker.polling ? [] : ['the worker'])];
  throw new CliError(`${who.join(' and ')} need${who.length === 1 && refs.size <= 1 ? 's' : ''} attention (above, with the repairs)`, EXIT.attention);
}
