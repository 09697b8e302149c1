/**
 * The one way `kscp` reads a case: its workflow's `state` query. Every command that shows a case
 * (status, timeline, deadlines) goes through `caseView`, so a fallback (the case archive, once
 * Temporal's retention has removed a closed workflow) needs changing in this one place.
 */
import type { Client } from '@temporalio/client';
import { workflowIdFor, type IncidentView } from '../incident';
import { stateQuery } from '../messages';
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
