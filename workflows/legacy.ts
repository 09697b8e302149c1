/**
 * How cases recorded before the declared process model (patch `process-model-v3`) follow their
 * deadlines, kept so their histories replay exactly: every send awaited together, the delay
 * reasons opened by the first weekly overdue email. A case leaves this path at its next
 * continue-as-new. Delete this file once no such case is open (docs/changing-workflows.md).
 */
import { patched, workflowInfo } from '@temporalio/workflow';
import type { IncidentActivities } from '../activities/types';
import type { DeadlinePlan } from '../src/deadlines';
import { applyEffects, findDeadline, isOpen } from '../src/process/engine';
import type { DeadlineState, IncidentState } from '../src/process/incident';
import type { AgencyRole, Role } from '../src/process/roles';
import { REMINDER_LEVELS, type ReminderLevel } from '../src/process/timescales';

export const CASE_BOARD_V2 = 'case-board-v2';

/** The first version's escalation: every deadline escalates, whatever its kind. */
function recipientsV2(owner: Role, level: ReminderLevel): Role[] {
  const roles: Role[] = [owner, ...REMINDER_LEVELS[level].alsoTo];
  const agency = /^agency:([^:]+):contact$/.exec(owner);
  if (agency && level >= 4) roles.splice(1, 0, `agency:${agency[1]}:safeguarding-lead` as AgencyRole);
  return [...new Set(roles)];
}

/** The first version's trigger: the reasons were owed once the first weekly overdue email went. */
function openDelayReasonsV2(state: IncidentState, now: Date): void {
  const publication = findDeadline(state, 'lcspr-publication');
  if (!isOpen(publication) || !publication.overdue || !publication.due) return;
  if (state.lcspr?.delayReasonsSentOn || findDeadline(state, 'delay-reasons')) return;
  applyEffects(state, { what: '', opens: [{ kind: 'delay-reasons', start: now.toISOString().slice(0, 10) }] }, now);
  state.events.push({ at: now.toISOString(), what: `LCSPR publication deadline (${publication.due}) passed: the reasons for the delay must go to the National Panel` });
  state.revision++;
}

export interface LegacyDeps {
  planDeadlines: IncidentActivities['planDeadlines'];
  sendReminder: IncidentActivities['sendReminder'];
  showOnCaseBoard: (state: IncidentState) => void;
  now: () => Date;
}

export async function followDeadlinesV2(state: IncidentState, deps: LegacyDeps): Promise<string | undefined> {
  const followed = state.deadlines.filter((d) => d.status === 'open' || d.due === undefined);
  if (followed.length === 0) {
    if (patched(CASE_BOARD_V2)) deps.showOnCaseBoard(state);
    return undefined;
  }
  const planNow = deps.now().toISOString();
  const plans = await deps.planDeadlines({
    now: planNow,
    deadlines: followed.map((d) => ({ clock: d.clock, progress: { remindersFrom: d.remindersFrom, remindedUpTo: d.remindedUpTo } })),
  });
  const sends: Array<Promise<void>> = [];
  followed.forEach((d, i) => {
    const plan = plans[i];
    if (!plan || 'error' in plan) return;
    const startedFrom = d.remindersFrom;
    d.due = plan.due;
    d.dueAt = plan.dueAt;
    if (d.status === 'met' && d.onTime === undefined) d.onTime = d.metAt !== undefined ? Date.parse(d.metAt) <= Date.parse(plan.dueAt) : d.metOn! <= plan.due;
    if (d.status !== 'open') return;
    d.overdue = plan.overdue;
    if (plan.sendNow && d.remindersFrom === startedFrom) sends.push(remindV2(state, d, plan, planNow, deps));
  });
  if (sends.length && patched(CASE_BOARD_V2)) deps.showOnCaseBoard(state);
  await Promise.all(sends);
  if (state.reminders.some((r) => r.deadline === 'lcspr-publication' && r.level === 5)) openDelayReasonsV2(state, deps.now());
  deps.showOnCaseBoard(state);
  const wakes = plans.map((p) => ('error' in p ? undefined : p.wakeAt)).filter((w): w is string => w !== undefined);
  return wakes.length ? wakes.reduce((a, b) => (a < b ? a : b)) : undefined;
}

async function remindV2(state: IncidentState, d: DeadlineState, plan: DeadlinePlan, planNow: string, deps: LegacyDeps): Promise<void> {
  const slot = plan.sendNow;
  if (!slot) return;
  const { workflowId, firstExecutionRunId } = workflowInfo();
  const to = recipientsV2(d.owner, slot.level);
  const identity = `${workflowId}/${firstExecutionRunId}/${d.name}/${plan.due}/L${slot.level}/${slot.occurrence}`;
  const result = await deps.sendReminder({
    workflowId,
    ref: state.ref,
    deadline: { name: d.name, timescale: d.clock.timescale, due: plan.due, dueAt: plan.dueAt },
    level: slot.level,
    occurrence: slot.occurrence,
    scheduledAt: slot.at,
    to,
    identity,
    policeInvestigation: state.policeInvestigation,
    childDied: state.childDied,
  });
  d.remindedUpTo = planNow;
  state.reminders.push({ deadline: d.name, due: plan.due, level: slot.level, occurrence: slot.occurrence, scheduledAt: slot.at, sentAt: deps.now().toISOString(), to, messageId: result.messageId });
}
