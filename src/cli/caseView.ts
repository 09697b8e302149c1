/**
 * A running case read through its workflow's `state` query (`kscp deadlines`, which lists open
 * cases only). `status` and `timeline` use `findCase` (loadCase.ts), which falls back to the case
 * archive once Temporal no longer has the workflow.
 */
import type { Client } from '@temporalio/client';
import { workflowIdFor, type IncidentView } from '../process/incident';
import { stateQuery } from '../process/messages';
import { describe, withWorker } from './context';

export interface CaseView {
  ref: string;
  workflowId: string;
  /** RUNNING, COMPLETED, TERMINATED, ... (Temporal's execution status). */
  workflowStatus: string;
  view: IncidentView;
}

/** The case `ref` as its workflow holds it; a clear error (exit 4) if there is no such case. */
export async function caseView(c: Client, ref: string): Promise<CaseView> {
  const handle = c.workflow.getHandle(workflowIdFor(ref));
  const workflowStatus = await describe(handle, ref);
  const view = await withWorker(c, `reading case ${ref}`, () => handle.query(stateQuery));
  return { ref, workflowId: handle.workflowId, workflowStatus, view };
}
