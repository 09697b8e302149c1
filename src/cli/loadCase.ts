/**
 * A case's record wherever it is: from Temporal while its workflow exists (the `state` query), or
 * else from the durable archive (a closed case after Temporal's retention, or a deleted workflow).
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { existsSync } from 'node:fs';
import { memoryArchive, openArchive, type CaseArchive } from '../archive';
import type { Settings } from '../config';
import { workflowIdFor, type IncidentView } from '../process/incident';
import { stateQuery } from '../process/messages';
import { client, keys, parseRef, settings, withWorker } from './context';
import { CliError, EXIT } from './errors';

export interface FoundCase {
  view: IncidentView;
  source: 'temporal' | 'archive';
  workflowId: string;
  /** Temporal's status of the workflow (RUNNING, COMPLETED, ...), or ARCHIVED when read from the archive. */
  workflowStatus: string;
  /** From the archive: when the record was last written. */
  archivedAt?: string;
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

export async function findCase(ref: string): Promise<FoundCase> {
  const caseRef = parseRef(ref);
  const s = settings();
  const c = await client(s);
  const handle = c.workflow.getHandle(workflowIdFor(caseRef));
  let workflowStatus: string | undefined;
  try {
    workflowStatus = (await handle.describe()).status.name;
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
  if (workflowStatus !== undefined) {
    const view = await withWorker(c, `reading case ${caseRef}`, () => handle.query(stateQuery));
    return { view, source: 'temporal', workflowId: handle.workflowId, workflowStatus };
  }
  const archive = await readArchive(s);
  try {
    const found = await fromArchive(archive, (a) => a.latest(caseRef));
    if (!found) throw new CliError(`no case ${caseRef}: there is no workflow ${handle.workflowId} and nothing in the case archive (check the reference, or \`kscp list\`)`, EXIT.notFound);
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
