/**
 * A case's record wherever it is: from Temporal while its workflow exists (the `state` query), or
 * else from the durable archive (a closed case after Temporal's retention, or a deleted workflow).
 */
import { WorkflowNotFoundError, type WorkflowExecutionDescription } from '@temporalio/client';
import { existsSync } from 'node:fs';
import { memoryArchive, openArchive, type CaseArchive } from '../archive';
import type { Settings } from '../config';
import { workflowIdFor, type IncidentView } from '../process/incident';
import { caseAttention, executionProblems, QUERY_SECONDS, readState, unreadable, workerPresence, type NeedsAttention } from './caseHealth';
import { client, keys, parseRef, settings } from './context';
import { CliError, EXIT } from './errors';
import { repairContext } from './repairs';

export interface FoundCase {
  view: IncidentView;
  source: 'temporal' | 'archive';
  workflowId: string;
  /** Temporal's status of the workflow (RUNNING, COMPLETED, ...), or ARCHIVED when read from the archive. */
  workflowStatus: string;
  /** From the archive: when the record was last written. */
  archivedAt?: string;
  /** What needs attention (docs/operations.md): the case's own items, and its execution's problems. */
  needsAttention: NeedsAttention[];
  /** The live case could not be read: `view` is its last archived record (`needsAttention` says why). */
  liveUnreadable: boolean;
}

/**
 * The archive as `kscp` reads it. A missing SQLite file is an empty archive (a read never creates
 * one); a PostgreSQL that cannot be reached is exit 5, like Temporal.
 */
export async function readArchive(s: Settings): Promise<CaseArchive> {
  if (s.archive.kind === 'sqlite' && !existsSync(s.archive.file)) return memoryArchive();
  const archive = openArchive(s.archive, await keys(s));
  return archive;
}

/** Run an archive read, turning a store that cannot be reached into exit 5 with where it is. */
export async function fromArchive<T>(archive: CaseArchive, fn: (a: CaseArchive) => Promise<T>): Promise<T> {
  try {
    return await fn(archive);
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`cannot read the case archive at ${archive.where}: ${(err as Error).message.split('\n')[0]} (KSCP_ARCHIVE_URL / KSCP_ARCHIVE_FILE)`, EXIT.unavailable);
  }
}

/**
 * The case `ref`: live from Temporal while its workflow exists, else from the archive. A live case
 * that cannot be read (its workflow task failing, no answer) is shown from its last archived record
 * with the reason (`liveUnreadable`); with no archived record it is exit 7 with the reason. Only a
 * worker that is not running at all is exit 5.
 */
export async function findCase(ref: string): Promise<FoundCase> {
  const caseRef = parseRef(ref);
  const s = settings();
  const c = await client(s);
  const handle = c.workflow.getHandle(workflowIdFor(caseRef));
  let described: WorkflowExecutionDescription | undefined;
  try {
    described = await handle.describe();
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
  if (described === undefined) {
    const found = await archived(s, caseRef);
    if (!found) throw new CliError(`no case ${caseRef}: there is no workflow ${handle.workflowId} and nothing in the case archive (check the reference, or \`kscp list\`)`, EXIT.notFound);
    return { ...found, needsAttention: [], liveUnreadable: false };
  }
  const workflowStatus = described.status.name;
  const ctx = await repairContext(s);
  const execution = await executionProblems(c, ctx, caseRef, described).catch(() => []);
  // A case whose workflow task keeps failing cannot answer: do not wait for it.
  const read = execution.some((p) => p.kind === 'workflow-task-failing') ? undefined : await readState(c, handle);
  if (read?.ok) {
    const needsAttention = [...execution, ...caseAttention(ctx, read.view, handle.workflowId)];
    return { view: read.view, source: 'temporal', workflowId: handle.workflowId, workflowStatus, needsAttention, liveUnreadable: false };
  }
  const needsAttention = read ? await unreadable(c, ctx, caseRef, handle, read) : execution;
  if (read?.timedOut && needsAttention.every((p) => p.kind === 'not-answering') && !(await workerPresence(c, s).catch(() => ({ polling: false }))).polling) {
    throw new CliError(`reading case ${caseRef}: no worker answered within ${QUERY_SECONDS}s; is \`npm start\` (or \`npm run worker\`) running? (kscp doctor checks)`, EXIT.unavailable);
  }
  const found = await archived(s, caseRef).catch(() => undefined);
  if (!found) {
    throw new CliError(`case ${caseRef} needs attention: it cannot be read (${needsAttention.map((p) => p.problem).join('; ')}), and the case archive has no copy of it; kscp doctor says how to repair it`, EXIT.attention);
  }
  return { ...found, workflowStatus, needsAttention, liveUnreadable: true };
}

/** The case's last record in the archive, if there is one. */
async function archived(s: Settings, caseRef: string): Promise<Omit<FoundCase, 'needsAttention' | 'liveUnreadable'> | undefined> {
  const archive = await readArchive(s);
  try {
    const found = await fromArchive(archive, (a) => a.latest(caseRef));
    if (!found) return undefined;
    return { view: found.view, source: 'archive', workflowId: found.summary.workflowId, workflowStatus: 'ARCHIVED', archivedAt: found.recordedAt };
  } finally {
    await archive.close();
  }
}

/** The case's view from Temporal, or else from the archive; exit 4 when neither has it. */
export async function loadCase(ref: string): Promise<{ view: IncidentView; source: 'temporal' | 'archive' }> {
  const { view, source } = await findCase(ref);
  return { view, source };
}
