/**
 * One serious incident, from the eCase form to closure (DESIGN.md §1).
 *
 * The workflow is the system of record while the case is open. It holds the
 * case as plain JSON, accepts the Business Unit's messages through validated
 * updates, and follows every open deadline: it asks an activity to compute
 * due dates and the reminder schedule from the current calendar, sends what
 * is due, then sleeps until the next reminder or the next message.
 */
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  log,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { IncidentActivities } from '../activities/types';
import type { DeadlinePlan } from '../src/deadlines';
import { viewOf, type DeadlineState, type IncidentInput, type IncidentState, type IncidentView } from '../src/incident';
import { laDecisionSignal, laDecisionUpdate, stateQuery } from '../src/messages';
import { KscpNextDeadline, KscpNextDeadlineName, KscpNotifyingAgency, KscpOverdue, KscpStage } from '../src/searchAttributes';
import { applyLaDecision, checkLaDecision, openCase, recipientsFor, type Refusal } from '../src/transitions';
import type { LaDecision } from '../src/schemas';

const { planDeadlines } = proxyActivities<IncidentActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumInterval: '5 minutes' },
});

/** Email retries for as long as the mail server is down: a reminder is late, never lost. */
const { sendReminder } = proxyActivities<IncidentActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '30 seconds', backoffCoefficient: 2, maximumInterval: '30 minutes' },
});

const now = (): Date => new Date();
/** Today's UTC date on the workflow clock; a coarse guard against dates in the future (clients check London dates). */
const tomorrowUtc = (): string => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

function refuse(refusal: Refusal): never {
  throw ApplicationFailure.create({ type: refusal.kind, message: refusal.message, nonRetryable: true });
}

export async function incident(input: IncidentInput): Promise<IncidentView> {
  const state = input.resume ?? openCase(input, now());

  setHandler(stateQuery, () => viewOf(state), { description: 'The case: stage, every deadline, events and reminders sent' });
  setHandler(
    laDecisionUpdate,
    (decision: LaDecision) => {
      applyLaDecision(state, decision, now());
      return viewOf(state);
    },
    {
      validator: (decision: LaDecision) => {
        const refusal = checkLaDecision(state, decision, tomorrowUtc());
        if (refusal) refuse(refusal);
      },
      description: 'Record the LA decision: notifiable (with the date the National Panel was notified) or not (with the rationale)',
    },
  );
  setHandler(
    laDecisionSignal,
    (decision: LaDecision) => {
      const refusal = checkLaDecision(state, decision, tomorrowUtc());
      if (refusal) {
        state.events.push({ at: now().toISOString(), what: `LA decision sent as a signal was refused: ${refusal.message}` });
        state.revision++;
        return;
      }
      applyLaDecision(state, decision, now());
    },
    { description: 'The LA decision, for the Web UI; one that does not fit is recorded as refused and changes nothing else' },
  );

  while (state.stage !== 'CLOSED') {
    const seen = state.revision;
    const wakeAt = await followDeadlines(state);
    if (state.revision !== seen) continue;
    const timeout = wakeAt === undefined ? undefined : Math.max(Date.parse(wakeAt) - Date.now(), 1);
    if (timeout === undefined) await condition(() => state.revision !== seen);
    else await condition(() => state.revision !== seen, timeout);
    if (workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof incident>({ ...input, resume: state });
    }
  }
  showOnCaseBoard(state);
  await condition(allHandlersFinished);
  log.info('case closed', { ref: state.ref, because: state.closedBecause });
  return viewOf(state);
}

/**
 * Recompute every deadline from the current calendar, send the reminders
 * that are due, keep the search attributes current, and say when to wake.
 */
async function followDeadlines(state: IncidentState): Promise<string | undefined> {
  const followed = state.deadlines.filter((d) => d.status === 'open' || d.due === undefined);
  if (followed.length === 0) return undefined;
  const planNow = now().toISOString();
  const plans = await planDeadlines({
    now: planNow,
    deadlines: followed.map((d) => ({ clock: d.clock, progress: { remindersFrom: d.remindersFrom, remindedUpTo: d.remindedUpTo } })),
  });
  const sends: Array<Promise<void>> = [];
  followed.forEach((d, i) => {
    const plan = plans[i];
    if (!plan) return;
    const startedFrom = d.remindersFrom;
    d.due = plan.due;
    d.dueAt = plan.dueAt;
    if (d.metAt !== undefined && d.onTime === undefined) d.onTime = d.metAt <= plan.dueAt;
    if (d.status !== 'open') return;
    d.overdue = plan.overdue;
    // A message may have changed this deadline while the plan was computed: the next pass re-plans it.
    if (plan.sendNow && d.remindersFrom === startedFrom) sends.push(remind(state, d, plan, planNow));
  });
  await Promise.all(sends);
  showOnCaseBoard(state);
  const wakes = plans.map((p) => p.wakeAt).filter((w): w is string => w !== undefined);
  return wakes.length ? wakes.reduce((a, b) => (a < b ? a : b)) : undefined;
}

async function remind(state: IncidentState, d: DeadlineState, plan: DeadlinePlan, planNow: string): Promise<void> {
  const slot = plan.sendNow;
  if (!slot) return;
  const { workflowId } = workflowInfo();
  const to = recipientsFor(d.owner, slot.level);
  const identity = `${workflowId}/${d.name}/${plan.due}/L${slot.level}/${slot.occurrence}`;
  const result = await sendReminder({
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
  state.reminders.push({
    deadline: d.name,
    due: plan.due,
    level: slot.level,
    occurrence: slot.occurrence,
    scheduledAt: slot.at,
    sentAt: now().toISOString(),
    to,
    messageId: result.messageId,
  });
}

/** Stage, next deadline and overdue flag as search attributes, for the Web UI's case board. Upserted only when changed. */
function showOnCaseBoard(state: IncidentState): void {
  const open = state.deadlines.filter((d) => d.status === 'open' && d.dueAt !== undefined);
  const next = open.reduce<DeadlineState | undefined>((a, d) => (a && a.dueAt! <= d.dueAt! ? a : d), undefined);
  const wanted = {
    stage: state.stage,
    next: next?.dueAt ?? null,
    nextName: next?.name ?? null,
    overdue: open.some((d) => d.overdue),
    agency: state.notifyingAgency,
  };
  const current = workflowInfo().typedSearchAttributes;
  const have = {
    stage: current.get(KscpStage) ?? null,
    next: current.get(KscpNextDeadline)?.toISOString() ?? null,
    nextName: current.get(KscpNextDeadlineName) ?? null,
    overdue: current.get(KscpOverdue) ?? null,
    agency: current.get(KscpNotifyingAgency) ?? null,
  };
  if (JSON.stringify(have) === JSON.stringify(wanted)) return;
  upsertSearchAttributes([
    { key: KscpStage, value: wanted.stage },
    { key: KscpNextDeadline, value: wanted.next === null ? null : new Date(wanted.next) },
    { key: KscpNextDeadlineName, value: wanted.nextName },
    { key: KscpOverdue, value: wanted.overdue },
    { key: KscpNotifyingAgency, value: wanted.agency },
  ]);
}
