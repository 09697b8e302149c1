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
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { IncidentActivities } from '../activities/types';
import type { DeadlinePlan } from '../src/deadlines';
import { viewOf, type DeadlineState, type IncidentInput, type IncidentState, type IncidentView } from '../src/process/incident';
import type { SignalDefinition, UpdateDefinition } from '@temporalio/common';
import { MESSAGE_NAMES, signals, stateQuery, TIMELINE_QUERY_DESCRIPTION, timelineQuery, updates, type MessageName } from '../src/process/messages';
import { timelineOf } from '../src/process/timeline';
import { currentDetails } from '../src/process/caseBoard';
import { KscpNextDeadline, KscpNextDeadlineName, KscpNotifyingAgency, KscpOverdue, KscpRoute, KscpStage } from '../src/process/searchAttributes';
import {
  applyMessage,
  checkMessage,
  openCase,
  openDelayReasonsIfMissed,
  recipientsFor,
  RULES,
  type MessageRule,
  type Refusal,
} from '../src/process/transitions';

/** Planning is arithmetic over the calendar: seconds at most; a dead worker's attempt is retried soon. */
const { planDeadlines } = proxyActivities<IncidentActivities>({
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '5 seconds', maximumInterval: '5 minutes' },
});

/**
 * Email retries for as long as the mail server is down: a reminder is late, never lost. The
 * activity heartbeats while it talks to the mail server, so an attempt on a worker that died is
 * retried within seconds rather than at the end of the 2 minutes.
 */
const { sendReminder } = proxyActivities<IncidentActivities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '30 minutes' },
});

/**
 * The archive write retries for as long as the store is down; it runs beside the case (reminders
 * do not wait for it) and is awaited only before continue-as-new and at closing.
 */
const { archiveCase } = proxyActivities<IncidentActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

/**
 * The case board as it is now (docs/changing-workflows.md): the route shown, the board updated
 * before waiting on email and when no deadline is open. Cases recorded before keep their commands.
 */
const CASE_BOARD_V2 = 'case-board-v2';

const now = (): Date => new Date();
/** The latest date accepted as not in the future: tomorrow's UTC date on the workflow clock (clients check London dates exactly). */
const tomorrowUtc = (): string => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

function refuse(refusal: Refusal): never {
  throw ApplicationFailure.create({ type: refusal.kind, message: refusal.message, nonRetryable: true });
}

export async function incident(input: IncidentInput): Promise<IncidentView> {
  const state = input.resume ?? openCase(input, now());
  const archive = caseArchiver();

  setHandler(stateQuery, () => viewOf(state), { description: 'The case: stage, every deadline, events and reminders sent' });
  setHandler(timelineQuery, () => timelineOf(state), { description: TIMELINE_QUERY_DESCRIPTION });
  for (const name of MESSAGE_NAMES) acceptMessage(state, name);

  while (state.stage !== 'CLOSED') {
    // A long-lived case starts a fresh history when Temporal suggests it, carrying its plain-JSON state.
    if (workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await archive.written();
      await continueAsNew<typeof incident>({ ...input, resume: state });
    }
    const seen = state.revision;
    const wakeAt = await followDeadlines(state);
    archive.onStageChange(state);
    if (state.revision !== seen) continue;
    const timeout = wakeAt === undefined ? undefined : Math.max(Date.parse(wakeAt) - Date.now(), 1);
    if (timeout === undefined) await condition(() => state.revision !== seen);
    else await condition(() => state.revision !== seen, timeout);
  }
  showOnCaseBoard(state);
  await condition(allHandlersFinished);
  archive.onStageChange(state);
  await archive.written();
  log.info('case closed', { ref: state.ref, because: state.closedBecause });
  return viewOf(state);
}

/**
 * The durable case archive: the case record is written when the case opens, at every stage change
 * and at closing (the last write is the closed case, kept after Temporal's retention). Behind a
 * patch: histories recorded before it replay without these activities.
 */
function caseArchiver(): { onStageChange(state: IncidentState): void; written(): Promise<void> } {
  let archivedStage: string | undefined;
  let writing: Promise<void> = Promise.resolve();
  return {
    onStageChange(state: IncidentState): void {
      if (state.stage === archivedStage || !patched('archive-case')) return;
      archivedStage = state.stage;
      const { workflowId, firstExecutionRunId } = workflowInfo();
      const write = archiveCase({ workflowId, firstRunId: firstExecutionRunId, recordedAt: now().toISOString(), view: viewOf(state) });
      writing = Promise.all([writing, write]).then(() => undefined);
    },
    written: () => writing,
  };
}

/**
 * Register a message as an update (validated: refused with the reason, nothing changed) and as a
 * signal of the same name for the Web UI (recorded as refused when it does not fit).
 */
function acceptMessage(state: IncidentState, name: MessageName): void {
  // Inputs are checked by the rule's schema, so the handlers take them as unknown.
  const rule = RULES[name] as MessageRule<unknown>;
  setHandler(
    updates[name] as UpdateDefinition<IncidentView, [unknown]>,
    (input: unknown) => {
      applyMessage(rule, state, input, now());
      return viewOf(state);
    },
    {
      validator: (input: unknown) => {
        const refusal = checkMessage(rule, state, input, tomorrowUtc());
        if (refusal) refuse(refusal);
      },
      description: rule.description,
    },
  );
  setHandler(
    signals[name] as SignalDefinition<[unknown]>,
    (input: unknown) => {
      const refusal = checkMessage(rule, state, input, tomorrowUtc());
      if (!refusal) return applyMessage(rule, state, input, now());
      state.events.push({ at: now().toISOString(), what: `${rule.command} sent as a signal was refused: ${refusal.message}` });
      state.revision++;
    },
    { description: `${rule.description} (from the Web UI; one that does not fit is recorded as refused)` },
  );
}

/**
 * Recompute every deadline from the current calendar, send the reminders
 * that are due, keep the search attributes current, and say when to wake.
 */
async function followDeadlines(state: IncidentState): Promise<string | undefined> {
  const followed = state.deadlines.filter((d) => d.status === 'open' || d.due === undefined);
  if (followed.length === 0) {
    // Nothing to follow (say, waiting for the Panel's reviewer): the board still shows the new stage.
    if (patched(CASE_BOARD_V2)) showOnCaseBoard(state);
    return undefined;
  }
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
    if (d.status === 'met' && d.onTime === undefined) d.onTime = d.metAt !== undefined ? d.metAt <= plan.dueAt : d.metOn! <= plan.due;
    if (d.status !== 'open') return;
    d.overdue = plan.overdue;
    // A message may have changed this deadline while the plan was computed: the next pass re-plans it.
    if (plan.sendNow && d.remindersFrom === startedFrom) sends.push(remind(state, d, plan, planNow));
  });
  // The board shows what is due and overdue at once, even while the mail server is down and a
  // reminder is still being retried (cases recorded before this change keep their recorded order).
  if (sends.length && patched(CASE_BOARD_V2)) showOnCaseBoard(state);
  await Promise.all(sends);
  if (state.reminders.some((r) => r.deadline === 'lcspr-publication' && r.level === 5)) openDelayReasonsIfMissed(state, now());
  showOnCaseBoard(state);
  const wakes = plans.map((p) => p.wakeAt).filter((w): w is string => w !== undefined);
  return wakes.length ? wakes.reduce((a, b) => (a < b ? a : b)) : undefined;
}

async function remind(state: IncidentState, d: DeadlineState, plan: DeadlinePlan, planNow: string): Promise<void> {
  const slot = plan.sendNow;
  if (!slot) return;
  const { workflowId, firstExecutionRunId } = workflowInfo();
  const to = recipientsFor(d.owner, slot.level);
  // The first run's id (stable across continue-as-new) tells apart two cases that reuse a reference.
  const identity = `${workflowId}/${firstExecutionRunId}/${d.name}/${plan.due}/L${slot.level}/${slot.occurrence}`;
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

/**
 * The case board in the Web UI: stage, next deadline, overdue flag, notifying agency and route as
 * search attributes (upserted only when changed), and the case page's current details.
 */
function showOnCaseBoard(state: IncidentState): void {
  setCurrentDetails(currentDetails(state));
  const open = state.deadlines.filter((d) => d.status === 'open' && d.dueAt !== undefined);
  const next = open.reduce<DeadlineState | undefined>((a, d) => (a && a.dueAt! <= d.dueAt! ? a : d), undefined);
  const withRoute = patched(CASE_BOARD_V2);
  const wanted = {
    stage: state.stage,
    next: next?.dueAt ?? null,
    nextName: next?.name ?? null,
    overdue: open.some((d) => d.overdue),
    agency: state.notifyingAgency,
    ...(withRoute ? { route: state.route ?? null } : {}),
  };
  const current = workflowInfo().typedSearchAttributes;
  const have = {
    stage: current.get(KscpStage) ?? null,
    next: current.get(KscpNextDeadline)?.toISOString() ?? null,
    nextName: current.get(KscpNextDeadlineName) ?? null,
    overdue: current.get(KscpOverdue) ?? null,
    agency: current.get(KscpNotifyingAgency) ?? null,
    ...(withRoute ? { route: current.get(KscpRoute) ?? null } : {}),
  };
  if (JSON.stringify(have) === JSON.stringify(wanted)) return;
  upsertSearchAttributes([
    { key: KscpStage, value: wanted.stage },
    { key: KscpNextDeadline, value: wanted.next === null ? null : new Date(wanted.next) },
    { key: KscpNextDeadlineName, value: wanted.nextName },
    { key: KscpOverdue, value: wanted.overdue },
    { key: KscpNotifyingAgency, value: wanted.agency },
    ...(withRoute ? [{ key: KscpRoute, value: wanted.route ?? null }] : []),
  ]);
}
