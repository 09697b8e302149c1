/**
 * Whether a case is moving, read without trusting it to answer (DESIGN.md §7: reading commands
 * never crash on one bad case). What Temporal itself says about the case's execution (its pending
 * workflow task and activities, the last failed workflow task in its history), what the task queue
 * says about the workers, and the case's own `attention` items: each problem found becomes a
 * `NeedsAttention` with its fix (./repairs.ts). docs/operations.md, "Needs attention", is the runbook.
 */
import type { Client, WorkflowExecutionDescription, WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { Settings } from '../config';
import { formatLondonDateTime } from '../london';
import type { IncidentView } from '../process/incident';
import { stateQuery } from '../process/messages';
import { FAILING_TASK_ATTEMPTS, type AttentionKind } from './attentionKinds';
import { printableLines } from './format';
import { activityRepair, attentionItemRepair, noWorkerRepair, notAnsweringRepair, taskFailureRepair, type Repair, type RepairContext } from './repairs';

/** Something a person must put right, with how. */
export interface NeedsAttention extends Repair {
  kind: AttentionKind;
  /** The case, or null for what concerns every case (no worker). */
  ref: string | null;
  workflowId: string | null;
  /** The deadline whose email it holds, for the case's own items about one deadline. */
  deadline?: string;
  /** Since when (UTC), when known. */
  since: string | null;
  /** What is wrong, in one line (names, settings and replies; never a child's details). */
  problem: string;
}

/** An activity on this attempt or later, with a last failure, keeps failing. */
export const FAILING_ACTIVITY_ATTEMPTS = 3;
/** A worker that has not polled for this long is not running (a live one long-polls about every minute). */
export const WORKER_SILENT_MS = 2 * 60_000;
/** How long a reading command waits for one case's answer. */
export const QUERY_SECONDS = 20;

const { EventType, PendingWorkflowTaskState } = temporal.api.enums.v1;
type Failure = temporal.api.failure.v1.IFailure;
type Timestamp = { seconds?: unknown; nanos?: number | null } | null | undefined;

export function isoOf(ts: Timestamp): string | null {
  if (!ts || ts.seconds === undefined || ts.seconds === null) return null;
  return new Date(Number(ts.seconds) * 1000 + Math.floor((ts.nanos ?? 0) / 1e6)).toISOString();
}

/** Run `fn` over `items`, `limit` at a time, in order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** The first line of a message, without the gRPC status prefix. */
const firstLine = (text: string): string => (text.split('\n')[0] ?? '').replace(/^\d+ [A-Z_]+: /, '').trim();

/**
 * A failure's message as a person reads it: the worker encrypts failure messages (the failure
 * converter encodes them), so decode with the client's keys; the raw message when that cannot be done.
 */
async function failureMessage(c: Client, failure: Failure | null | undefined): Promise<{ message: string; type?: string }> {
  if (!failure) return { message: '(no message)' };
  const type = failure.applicationFailureInfo?.type || undefined;
  try {
    const { decodeOptionalFailureToOptionalError } = await import('@temporalio/common/lib/internal-non-workflow');
    const err = await decodeOptionalFailureToOptionalError(c.options.loadedDataConverter, failure as temporal.api.failure.v1.Failure);
    if (err?.message) return { message: firstLine(err.message), type };
  } catch {
    // A failure encrypted with a key kscp does not hold: its plain parts only.
  }
  return { message: firstLine(failure.message ?? '(no message)'), type };
}

/** The latest failed (or timed-out) workflow task in the run's history, read newest first (signals may have piled up after it). */
async function lastTaskFailure(c: Client, workflowId: string, runId: string | undefined): Promise<{ cause: string; message: string; eventId: number; at: string | null } | undefined> {
  let nextPageToken: Uint8Array | undefined;
  for (let page = 0; page < 10; page++) {
    const res = await c.workflowService.getWorkflowExecutionHistoryReverse({ namespace: c.options.namespace, execution: { workflowId, runId }, maximumPageSize: 100, nextPageToken });
    const found = await taskFailureIn(c, res.history?.events ?? []);
    if (found !== 'not-here') return found;
    if (!res.nextPageToken?.length) return undefined;
    nextPageToken = res.nextPageToken;
  }
  return undefined;
}

async function taskFailureIn(c: Client, events: temporal.api.history.v1.IHistoryEvent[]): Promise<Awaited<ReturnType<typeof lastTaskFailure>> | 'not-here'> {
  for (const e of events) {
    if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) return undefined;
    if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED) {
      const attrs = e.workflowTaskFailedEventAttributes;
      const cause = temporal.api.enums.v1.WorkflowTaskFailedCause[attrs?.cause ?? 0] ?? 'UNSPECIFIED';
      const { message } = await failureMessage(c, attrs?.failure);
      return { cause: cause.replace(/^WORKFLOW_TASK_FAILED_CAUSE_/, ''), message, eventId: Number(e.eventId), at: isoOf(e.eventTime) };
    }
    if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT) {
      return { cause: 'TIMED_OUT', message: 'the worker that took the task did not finish it in time (it stopped, or the task took too long)', eventId: Number(e.eventId), at: isoOf(e.eventTime) };
    }
  }
  return 'not-here';
}

/**
 * What Temporal says is wrong with a running case's execution: its workflow task failing again and
 * again, or an activity that keeps failing. Needs no worker (describe and history only).
 */
export async function executionProblems(c: Client, ctx: RepairContext, ref: string, described: WorkflowExecutionDescription): Promise<NeedsAttention[]> {
  if (described.status.name !== 'RUNNING') return [];
  const { workflowId, runId } = described;
  const found: NeedsAttention[] = [];
  const task = described.raw.pendingWorkflowTask;
  if (task && (task.attempt ?? 0) >= FAILING_TASK_ATTEMPTS) {
    const failure = await lastTaskFailure(c, workflowId, runId).catch(() => undefined);
    const state = task.state === PendingWorkflowTaskState.PENDING_WORKFLOW_TASK_STATE_STARTED ? 'running now' : 'waiting for a worker';
    const since = failure?.at ?? isoOf(task.originalScheduledTime);
    const why = failure ? `${failure.cause.toLowerCase().replace(/_/g, ' ')}: ${failure.message}` : 'no failure recorded in its history';
    found.push({
      kind: 'workflow-task-failing',
      ref,
      workflowId,
      since,
      problem: `the case's workflow task has failed ${task.attempt! - 1} time${task.attempt === 2 ? '' : 's'} in a row (attempt ${task.attempt} ${state}): ${why}; the case does nothing until it is repaired`,
      ...taskFailureRepair(ctx, { ref, workflowId, cause: failure?.cause }),
    });
  }
  for (const a of described.raw.pendingActivities ?? []) {
    if ((a.attempt ?? 0) < FAILING_ACTIVITY_ATTEMPTS || !a.lastFailure) continue;
    const activity = a.activityType?.name ?? 'an activity';
    const { message, type } = await failureMessage(c, a.lastFailure);
    found.push({
      kind: 'activity-failing',
      ref,
      workflowId,
      // Temporal keeps when the current attempt was scheduled, not the first: no "since".
      since: null,
      problem: `${activity} has failed ${a.attempt! - 1} times and is being retried (last failure: ${type && type !== 'Error' && !message.startsWith(type) ? `${type}: ` : ''}${message})`,
      ...activityRepair(ctx, { activity, failureType: type }),
    });
  }
  return found;
}

/** The case's own attention items (emails that cannot go, deadlines that cannot be computed), with their repairs. */
export function caseAttention(ctx: RepairContext, view: IncidentView, workflowId: string): NeedsAttention[] {
  return view.attention.map((item) => ({
    kind: item.kind,
    ref: view.ref,
    workflowId,
    ...(item.deadline !== undefined && { deadline: item.deadline }),
    since: item.since,
    problem: item.problem,
    ...attentionItemRepair(ctx, view, item),
  }));
}

export type StateRead = { ok: true; view: IncidentView } | { ok: false; timedOut: boolean; reason: string };

/**
 * The case's `state`, or why it could not be had (a timeout, the server refusing, the worker failing
 * the query). Never throws for the case's sake; kscp's own keys not reading the answer (KeyError) is
 * kscp's configuration, not the case's: that is thrown (exit 2, with which key is missing).
 */
export async function readState(c: Client, handle: WorkflowHandle, seconds = QUERY_SECONDS): Promise<StateRead> {
  try {
    return { ok: true, view: await c.withDeadline(Date.now() + seconds * 1000, () => handle.query(stateQuery)) };
  } catch (err) {
    if (err instanceof Error && err.name === 'KeyError') throw err;
    const e = err as Error & { code?: number; cause?: Error & { code?: number; details?: string } };
    const timedOut = e.code === 4 || e.cause?.code === 4 || /deadline/i.test(e.message ?? '');
    if (timedOut) return { ok: false, timedOut, reason: `it did not answer within ${seconds} s` };
    const detail = e.cause?.details || e.cause?.message || e.message || String(err);
    return { ok: false, timedOut, reason: `it could not be read: ${firstLine(detail)}` };
  }
}

/** A case that did not answer: what Temporal says about it, or else the unanswered read itself. */
export async function unreadable(c: Client, ctx: RepairContext, ref: string, handle: WorkflowHandle, read: Extract<StateRead, { ok: false }>): Promise<NeedsAttention[]> {
  let described: WorkflowExecutionDescription | undefined;
  try {
    described = await handle.describe();
  } catch {
    // Reported below as not answering.
  }
  const problems = described ? await executionProblems(c, ctx, ref, described).catch(() => []) : [];
  if (problems.some((p) => p.kind === 'workflow-task-failing')) return problems;
  return [
    ...problems,
    { kind: 'not-answering', ref, workflowId: handle.workflowId, since: null, problem: `the case ${read.reason}`, ...notAnsweringRepair(ctx, { timedOut: read.timedOut }) },
  ];
}

export interface WorkerPresence {
  /** A worker polled the case queue within WORKER_SILENT_MS. */
  polling: boolean;
  /** When a worker last polled, if the server remembers one. */
  lastSeen: string | null;
}

/** Whether a worker polls the cases' task queue (workflow and activity tasks), from the server's recent pollers. */
export async function workerPresence(c: Client, s: Settings): Promise<WorkerPresence> {
  const { TaskQueueType } = temporal.api.enums.v1;
  const seen: number[] = [];
  for (const taskQueueType of [TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY]) {
    const res = await c.workflowService.describeTaskQueue({ namespace: c.options.namespace, taskQueue: { name: s.temporal.taskQueue }, taskQueueType });
    const latest = Math.max(0, ...(res.pollers ?? []).map((p) => Date.parse(isoOf(p.lastAccessTime) ?? '') || 0));
    seen.push(latest);
  }
  const oldest = Math.min(...seen);
  return { polling: oldest > 0 && Date.now() - oldest < WORKER_SILENT_MS, lastSeen: Math.max(...seen) > 0 ? new Date(Math.max(...seen)).toISOString() : null };
}

/** The problem of no worker polling, for every case at once. */
export function noWorker(ctx: RepairContext, presence: WorkerPresence): NeedsAttention {
  const when = presence.lastSeen ? `since ${presence.lastSeen}` : 'as far as the server remembers';
  return {
    kind: 'no-worker',
    ref: null,
    workflowId: null,
    since: presence.lastSeen,
    problem: `no worker is polling task queue ${ctx.settings.temporal.taskQueue} in namespace ${ctx.settings.temporal.namespace} (${when}): no case records a step, sends a reminder or answers`,
    ...noWorkerRepair(ctx),
  };
}

/**
 * The lines a reading command adds after its table: each problem with its case, and where to find
 * the repairs. Empty when nothing needs attention.
 */
export function attentionSection(problems: NeedsAttention[], note = 'kscp doctor says how to repair each'): string {
  if (problems.length === 0) return '';
  const cases = new Set(problems.map((p) => p.ref ?? '')).size;
  const width = Math.max(...problems.map((p) => (p.ref ?? 'all cases').length));
  return (
    printableLines([
      '',
      `NEEDS ATTENTION: ${cases} case${cases === 1 ? '' : 's'} (${note}):`,
      ...problems.map((p) => `  ${(p.ref ?? 'all cases').padEnd(width)}  ${p.problem}`),
    ])
  );
}

/** Each problem with its fix and commands, for `status`, `timeline` and `doctor` (lines, not yet made printable). */
export function attentionDetails(problems: NeedsAttention[], indent = '  '): string[] {
  return problems.flatMap((p) => [
    `${indent}- ${p.problem}${p.since ? ` (since ${formatLondonDateTime(new Date(p.since))})` : ''}`,
    `${indent}  Fix: ${p.fix}`,
    ...(p.directoryEntry ? [`${indent}  The directory entry to add: ${p.directoryEntry}`] : []),
    ...p.commands.map((cmd) => `${indent}    ${cmd}`),
  ]);
}

/**
 * One running case read for a report: its execution checked first (a case whose workflow task
 * keeps failing cannot answer, so it is not asked), then its `state`. Never throws for the case.
 */
export async function readCase(c: Client, ctx: RepairContext, workflowId: string): Promise<{ view?: IncidentView; problems: NeedsAttention[]; timedOut: boolean }> {
  const handle = c.workflow.getHandle(workflowId);
  const ref = workflowId.replace(/^incident-/, '');
  const execution = await handle
    .describe()
    .then((d) => executionProblems(c, ctx, ref, d))
    .catch(() => []);
  if (execution.some((p) => p.kind === 'workflow-task-failing')) return { problems: execution, timedOut: false };
  const read = await readState(c, handle);
  if (read.ok) return { view: read.view, problems: [...execution, ...caseAttention(ctx, read.view, workflowId)], timedOut: false };
  return { problems: await unreadable(c, ctx, ref, handle, read), timedOut: read.timedOut };
}
