/**
 * One serious incident, from the eCase form to closure (DESIGN.md §1).
 *
 * The workflow is the system of record while the case is open. It holds the case as plain JSON,
 * accepts the Business Unit's steps (src/process/steps.ts) through validated updates and through
 * signals, and follows every open deadline: it computes due dates and the reminder schedule from a
 * snapshot of the current calendar (checked with the worker at every wake), starts the sends that
 * are due (each on its own: one failing email holds up nothing else), then sleeps until the next
 * reminder, the next message or the next finished send.
 *
 * A case never silently stops (DESIGN.md §7): a message it cannot read or that does not fit is
 * refused and the refusal recorded; an email that cannot go raises the case for attention.
 */
import {
  ActivityCancellationType,
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setDefaultSignalHandler,
  setDefaultUpdateHandler,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SignalDefinition, UpdateDefinition } from '@temporalio/common';
import type { IncidentActivities, PlanError, PlanRequest, ReminderResult } from '../activities/types';
import { currentDetails } from '../src/process/caseBoard';
import { planDeadline, type DeadlinePlan } from '../src/process/deadlines';
import { applyStep, checkStep, recordRefusal, type AnyStep, type Refusal, type StepContext } from '../src/process/engine';
import { recipientsFor } from '../src/process/escalation';
import { viewOf, type AttentionItem, type DeadlineState, type IncidentInput, type IncidentState, type IncidentView } from '../src/process/incident';
import { MESSAGE_NAMES, signals, stateQuery, TIMELINE_QUERY_DESCRIPTION, timelineQuery, updates, type MessageName } from '../src/process/messages';
import { openCase, refusedCase, startRefusal } from '../src/process/open';
import { refusedPayloadReason } from '../src/process/payloads';
import type { Role } from '../src/process/roles';
import { KscpAttention, KscpNextDeadline, KscpNextDeadlineName, KscpNotifyingAgency, KscpOverdue, KscpRoute, KscpStage } from '../src/process/searchAttributes';
import { NON_RETRYABLE_SEND_FAILURES, SEND_FAILURE } from '../src/process/sendFailures';
import { openDelayReasonsIfOwed, STEPS } from '../src/process/steps';
import { timelineOf } from '../src/process/timeline';
import { snapshotCalendar, type SnapshotCalendar } from '../src/process/workingDays';
import { CASE_BOARD_V2, followDeadlinesV2 } from './legacy';

/** Planning is arithmetic over the calendar: seconds at most; a dead worker's attempt is retried soon. Cases recorded before patch `plan-in-workflow` only. */
const { planDeadlines } = proxyActivities<IncidentActivities>({
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '5 seconds', maximumInterval: '5 minutes' },
});

/**
 * The calendar snapshot (or only its version, when unchanged), read by the worker that runs the
 * case: a local activity, so asking at every wake costs no round trip to the server. When it fails
 * (a calendar file that cannot be read), that wake plans with the planDeadlines activity instead,
 * which reads the same file and is retried until it is fixed, visibly (kscp doctor).
 */
const { calendarSnapshot } = proxyLocalActivities<IncidentActivities>({
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '1 second', maximumAttempts: 2 },
});

/** Deadlines are planned in the workflow from a calendar snapshot, not by the planDeadlines activity (docs/changing-workflows.md). */
const PLAN_IN_WORKFLOW = 'plan-in-workflow';

/**
 * Email retries for as long as the mail server is down: a reminder is late, never lost. A
 * configuration error (no such recipient) or a permanent refusal is non-retryable and raises the
 * case for attention instead. The activity heartbeats while it talks to the mail server, so an
 * attempt on a worker that died is retried within seconds.
 */
const { sendReminder, sendAttentionNotice } = proxyActivities<IncidentActivities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '10 seconds',
  // A send cancelled (its deadline met meanwhile, or before continue-as-new) is waited for, so no
  // late completion lands in a history that has moved on.
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '30 minutes', nonRetryableErrorTypes: [...NON_RETRYABLE_SEND_FAILURES] },
});

/**
 * The archive write retries for as long as the store is down; it runs beside the case (reminders
 * do not wait for it) and is awaited only before continue-as-new and at closing.
 */
const { archiveCase } = proxyActivities<IncidentActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

/** The declared process model and truthful records (docs/changing-workflows.md). */
const PROCESS_MODEL_V3 = 'process-model-v3';
/** An email that cannot go is tried again this long after, until someone fixes its cause. */
const ATTENTION_RETRY_MS = 60 * 60_000;
/** An update waits this long at most for its new due dates before answering without them. */
const PLANNED_WAIT = '15 seconds';

const now = (): Date => new Date();
/** The latest date accepted as not in the future: tomorrow's UTC date on the workflow clock (clients check London dates exactly). */
const tomorrowUtc = (): string => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

function refuse(refusal: Refusal): never {
  throw ApplicationFailure.create({ type: refusal.kind, message: refusal.message, nonRetryable: true });
}

export async function incident(input: IncidentInput): Promise<IncidentView> {
  const rules: StepContext['rules'] = patched(PROCESS_MODEL_V3) ? 3 : 2;
  const ctx = (): StepContext => ({ now: now(), rules, latestDate: tomorrowUtc() });
  const info = workflowInfo();
  // Only a continuation carries a case's state; a start that brings one (a copied input) is refused.
  const resumed = info.continuedFromExecutionRunId !== undefined || rules === 2 ? input?.resume : undefined;
  // Cases started before these checks existed (rules 2) replay as they were accepted.
  const refusal = resumed || rules === 2
    ? undefined
    : input?.resume !== undefined
      ? 'it carries the state of another run (a copy of a continued case), which only Temporal\'s continue-as-new may pass on'
      : startRefusal(input, info.workflowId, info.startTime, rules);
  const state = resumed ?? (refusal ? refusedCase(info.workflowId, refusal, now()) : openCase(input, ctx()));
  const board = caseBoard(rules);

  setHandler(stateQuery, () => viewOf(state), { description: 'The case: stage, every deadline, events, reminders sent, and what needs attention' });
  setHandler(timelineQuery, () => timelineOf(state), { description: TIMELINE_QUERY_DESCRIPTION });
  if (refusal) {
    log.warn('start refused', { workflowId: info.workflowId, reason: refusal });
    board.show(state);
    return viewOf(state);
  }

  const sends = rules === 3 ? reminderSends(state, board) : undefined;
  const planner = deadlinePlanner();
  let plannedRevision = -1;
  const planned = async (): Promise<void> => {
    const wanted = state.revision;
    await condition(() => plannedRevision >= wanted || state.stage === 'CLOSED', PLANNED_WAIT);
  };
  const afterChange = (): void => sends?.cancelStale();
  for (const name of MESSAGE_NAMES) acceptStep(state, name, ctx, rules === 3 ? planned : undefined, afterChange);
  if (rules === 3) refuseUnknownMessages(state);
  const archive = caseArchiver();

  while (state.stage !== 'CLOSED') {
    // A long-lived case starts a fresh history when Temporal suggests it, carrying its plain-JSON state.
    if (workflowInfo().continueAsNewSuggested) {
      await sends?.stopAll();
      await condition(allHandlersFinished);
      await archive.written();
      await continueAsNew<typeof incident>({ ...input, resume: state });
    }
    const seen = state.revision;
    const wakeAt = sends ? await followDeadlines(state, ctx(), sends, board, planner) : await followDeadlinesV2(state, { planDeadlines, sendReminder, showOnCaseBoard: board.show, now });
    plannedRevision = seen;
    archive.onStageChange(state);
    if (state.revision !== seen) continue;
    const timeout = wakeAt === undefined ? undefined : Math.max(Date.parse(wakeAt) - Date.now(), 1);
    if (timeout === undefined) await condition(() => state.revision !== seen);
    else await condition(() => state.revision !== seen, timeout);
  }
  await sends?.stopAll();
  // The step that closed the case may have met a deadline whose verdict is not computed yet: the
  // closed record says on time or late, and by how much, like any other.
  if (sends && followed(state).some((d) => d.status === 'met')) await followDeadlines(state, ctx(), sends, board, planner);
  board.show(state);
  await condition(allHandlersFinished);
  archive.onStageChange(state);
  await archive.written();
  log.info('case closed', { ref: state.ref, because: state.closedBecause });
  return viewOf(state);
}

/**
 * Register a step as an update (validated: refused with the reason, nothing changed) and as a
 * signal of the same name for clients that cannot wait for an answer (recorded as refused when it
 * does not fit, or when its payload could not be read).
 */
function acceptStep(state: IncidentState, name: MessageName, ctx: () => StepContext, planned: (() => Promise<void>) | undefined, afterChange: () => void): void {
  const st = STEPS[name] as AnyStep;
  const unreadable = (input: unknown): Refusal | undefined => {
    const reason = refusedPayloadReason(input);
    return reason === undefined ? undefined : { kind: 'InvalidInput', message: `the message could not be used: ${reason}` };
  };
  setHandler(
    updates[name] as UpdateDefinition<IncidentView, [unknown]>,
    async (input: unknown) => {
      applyStep(st, state, input, ctx());
      afterChange();
      // The answer carries the new due dates (kscp prints them), once the calendar has computed them.
      if (planned) await planned();
      return viewOf(state);
    },
    {
      validator: (input: unknown) => {
        const refusal = unreadable(input) ?? checkStep(name, st, state, input, ctx());
        if (refusal) refuse(refusal);
      },
      description: st.description,
    },
  );
  setHandler(
    signals[name] as SignalDefinition<[unknown]>,
    (input: unknown) => {
      const refusal = unreadable(input) ?? checkStep(name, st, state, input, ctx());
      if (!refusal) {
        applyStep(st, state, input, ctx());
        afterChange();
        return;
      }
      recordRefusal(state, now(), { message: name, via: 'signal', reason: refusal.message });
    },
    { description: `${st.description} (for clients that cannot wait for an answer; one that does not fit is recorded as refused)` },
  );
}

/** A message with a name the case does not know is refused and recorded (a signal is not left to vanish). */
function refuseUnknownMessages(state: IncidentState): void {
  const known = `known: ${MESSAGE_NAMES.join(', ')}`;
  const nameOf = (name: string): string => (/^[A-Za-z0-9_.:-]{1,60}$/.test(name) ? name : '(an unreadable name)');
  setDefaultSignalHandler((name: string) => {
    recordRefusal(state, now(), { message: nameOf(name), via: 'signal', reason: `the case has no message of that name (${known})` });
  });
  setDefaultUpdateHandler((name: string) => {
    recordRefusal(state, now(), { message: nameOf(name), via: 'update', reason: `the case has no message of that name (${known})` });
    throw ApplicationFailure.create({ type: 'InvalidInput', nonRetryable: true, message: `case ${state.ref} has no message named ${nameOf(name)} (${known})` });
  });
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

// Following deadlines ------------------------------------------------------------------------------

/** What the planner is asked about: open deadlines, and any whose dates or verdict must be (re)computed. */
function followed(state: IncidentState): DeadlineState[] {
  return state.deadlines.filter(
    (d) => d.status === 'open' || d.due === undefined || (d.status === 'met' && (d.onTime === undefined || (d.onTime === false && d.workingDaysLate === undefined))),
  );
}

/** What a plan of a deadline depends on, to tell whether it changed while the plan was computed. */
const fingerprint = (d: DeadlineState): string => JSON.stringify([d.clock, d.status, d.metOn, d.metAt, d.revisedTarget, d.remindersFrom, d.remindedUpTo]);

interface DeadlinePlanner {
  plan(request: PlanRequest): Promise<Array<DeadlinePlan | PlanError>>;
}

/**
 * Plans deadlines from the current calendar. Under patch `plan-in-workflow`: in the workflow, from
 * a calendar snapshot it asks the worker for at every wake (only the version comes back while the
 * calendar is unchanged; a new one, a new bank holiday, replans at once). Before it: the
 * planDeadlines activity, so recorded histories replay as they ran.
 */
function deadlinePlanner(): DeadlinePlanner {
  let calendar: SnapshotCalendar | undefined;
  return {
    async plan(request) {
      if (!patched(PLAN_IN_WORKFLOW)) return planDeadlines(request);
      let reply;
      try {
        reply = await calendarSnapshot({ have: calendar?.version });
      } catch (err) {
        // A local activity's failure arrives as its cause (an ApplicationFailure), not wrapped.
        if (!(err instanceof ActivityFailure || err instanceof ApplicationFailure)) throw err;
        log.warn('the calendar snapshot failed: planning with the planDeadlines activity', { error: err.message });
        return planDeadlines(request);
      }
      if (!('unchanged' in reply)) calendar = snapshotCalendar(reply);
      else if (calendar?.version !== reply.version) {
        // Cannot happen with the activity as written; if it does, plan the old way rather than fail the task (DESIGN §7).
        log.warn('the calendar answered "unchanged" for a version this case does not hold: planning with the planDeadlines activity', { version: reply.version });
        return planDeadlines(request);
      }
      const cal = calendar;
      const now = new Date(request.now);
      // One deadline that cannot be computed (a date the calendar does not cover) does not stop the others.
      return request.deadlines.map((d): DeadlinePlan | PlanError => {
        try {
          return planDeadline(d, now, cal, cal.settings);
        } catch (err) {
          if (!(err instanceof RangeError)) throw err;
          log.warn('a deadline cannot be computed', { timescale: d.clock.timescale, error: err.message });
          return { error: err.message };
        }
      });
    },
  };
}

/**
 * Recompute every deadline from the current calendar, start the reminders that are due, keep the
 * case board current, and say when to wake.
 */
async function followDeadlines(state: IncidentState, ctx: StepContext, sends: ReminderSends, board: CaseBoard, planner: DeadlinePlanner): Promise<string | undefined> {
  const list = followed(state);
  const wakes: string[] = sends.retryTimes();
  if (list.length > 0) {
    const planNow = ctx.now.toISOString();
    const asked = list.map(fingerprint);
    const plans = await planner.plan({
      now: planNow,
      deadlines: list.map((d) => ({
        clock: d.clock,
        progress: { remindersFrom: d.remindersFrom, remindedUpTo: d.remindedUpTo, noticeInWorkingHours: d.noticeInWorkingHours },
        revisedTarget: d.revisedTarget,
        met: d.status === 'met' ? { on: d.metOn, at: d.metAt } : undefined,
      })),
    });
    list.forEach((d, i) => {
      const plan = plans[i];
      // A message may have changed this deadline while the plan was computed: the next pass re-plans it.
      if (!plan || fingerprint(d) !== asked[i]) return;
      if ('error' in plan) {
        sends.attention({
          id: `deadline:${d.name}`,
          kind: 'deadline-not-computed',
          deadline: d.name,
          problem: `the ${d.name} deadline of case ${state.ref} cannot be computed: ${plan.error}`,
          fix: 'correct the date it is computed from with kscp amend',
        });
        return;
      }
      sends.resolved(`deadline:${d.name}`);
      d.due = plan.due;
      d.dueAt = plan.dueAt;
      if (d.status === 'met') {
        d.onTime = plan.onTime;
        if (plan.workingDaysLate !== undefined) d.workingDaysLate = plan.workingDaysLate;
        if (plan.hoursLate !== undefined) d.hoursLate = plan.hoursLate;
        return;
      }
      if (d.status !== 'open') return;
      d.overdue = plan.overdue;
      if (plan.workingDaysLate !== undefined) d.workingDaysLate = plan.workingDaysLate;
      else delete d.workingDaysLate;
      if (plan.sendNow) sends.start(d, plan, planNow);
      if (plan.wakeAt) wakes.push(plan.wakeAt);
    });
  }
  openDelayReasonsIfOwed(state, ctx);
  board.show(state);
  return wakes.length ? wakes.reduce((a, b) => (a < b ? a : b)) : undefined;
}

interface ReminderSends {
  /** Raise the case for attention (once per problem; the Business Manager is told by email). */
  attention(item: Omit<AttentionItem, 'since' | 'managerTold'>): void;
  /** The problem `id` is gone. */
  resolved(id: string): void;
  /** Start sending the slot `plan` says is due, unless a send for this deadline is still going. */
  start(d: DeadlineState, plan: DeadlinePlan, planNow: string): void;
  /** Cancel the sends of deadlines no longer open (met or cancelled while the email was being retried), and clear what held their email back. */
  cancelStale(): void;
  /** When an email that could not go is to be tried again. */
  retryTimes(): string[];
  /** Cancel every send still going (before continue-as-new or closing); the next run resends, the ledger keeps it once. */
  stopAll(): Promise<void>;
}

/**
 * The reminder emails of a case, each on its own: a send runs beside the case's loop (which keeps
 * planning, recording and updating the board), records itself when it finishes, and raises the case
 * for attention when it cannot go.
 */
function reminderSends(state: IncidentState, board: CaseBoard): ReminderSends {
  const going: Record<string, { scope: CancellationScope; done: Promise<void> }> = {};
  /**
   * Sends that could not go, with how many events the case had then: each is tried again at its
   * retryAt, or as soon as a step is recorded (which may be the fix, an amend), never at once in a loop.
   */
  const failedAtEvent: Record<string, number> = {};
  const { workflowId, firstExecutionRunId } = workflowInfo();

  const attention = (item: Omit<AttentionItem, 'since' | 'managerTold'>): void => {
    state.attention ??= [];
    const existing = state.attention.find((a) => a.id === item.id);
    if (existing) {
      Object.assign(existing, { problem: item.problem, fix: item.fix, retryAt: item.retryAt });
      return;
    }
    const added: AttentionItem = { ...item, since: now().toISOString(), managerTold: false };
    state.attention.push(added);
    log.warn('case needs attention', { ref: state.ref, problem: item.problem });
    tellManager(added);
  };
  /** One email to the Business Manager per problem, on its own too (sent once: its identity names the problem and when it began). */
  const tellManager = (item: AttentionItem): void => {
    const key = `attention:${item.id}`;
    if (going[key]) return;
    const scope = new CancellationScope();
    const identity = `${workflowId}/${firstExecutionRunId}/attention/${item.id}/${item.since}`;
    const done = scope
      .run(() => sendAttentionNotice({ workflowId, ref: state.ref, problem: item.problem, fix: item.fix, identity }))
      .then(
        () => {
          item.managerTold = true;
          state.revision++;
        },
        (err: unknown) => {
          if (!isCancellation(err)) log.warn('the Business Manager could not be told', { ref: state.ref, error: String((err as Error)?.message ?? err) });
        },
      )
      .finally(() => delete going[key]);
    going[key] = { scope, done };
  };
  // A notice a previous run could not finish (cancelled before continue-as-new) is sent now.
  for (const item of state.attention ?? []) if (!item.managerTold) tellManager(item);
  const resolved = (id: string): void => {
    if (!state.attention?.some((a) => a.id === id)) return;
    state.attention = state.attention.filter((a) => a.id !== id);
    state.revision++;
  };

  const recordSent = (d: DeadlineState, plan: DeadlinePlan, planNow: string, to: Role[], result: ReminderResult): void => {
    const slot = plan.sendNow!;
    d.remindedUpTo = planNow;
    const refusedRoles = [...new Set(result.refused.map((r) => r.role as Role))];
    state.reminders.push({
      deadline: d.name,
      due: plan.due,
      level: slot.level,
      occurrence: slot.occurrence,
      scheduledAt: slot.at,
      sentAt: now().toISOString(),
      to,
      messageId: result.messageId,
      ...(refusedRoles.length && { refused: refusedRoles }),
    });
    resolved(`email:${d.name}`);
    if (refusedRoles.length) {
      attention({
        id: `recipients:${d.name}`,
        kind: 'recipients-refused',
        deadline: d.name,
        problem: `the mail server refused ${result.refused.map((r) => `${r.role} <${r.address}> (${r.permanent ? '' : 'for now: '}${r.reason})`).join('; ')} for the ${d.name} reminder of case ${state.ref}; the others received it`,
        fix: 'correct those addresses in the directory (config/directory.json, KSCP_DIRECTORY_FILE); later reminders use it at once',
      });
    } else resolved(`recipients:${d.name}`);
  };

  const failed = (d: DeadlineState, err: unknown): void => {
    const cause = err instanceof ActivityFailure ? err.cause : err;
    const type = cause instanceof ApplicationFailure ? cause.type : undefined;
    const message = cause instanceof Error ? cause.message : String(cause);
    const fix =
      type === SEND_FAILURE.RecipientUnresolvable
        ? 'add or correct the role or agency in the directory (config/directory.json, KSCP_DIRECTORY_FILE), or correct the case with kscp amend; the case tries again every hour and whenever a step is recorded (kscp doctor shows the exact fix)'
        : type === SEND_FAILURE.MailPermanentlyRefused
          ? 'check the addresses in the directory and the mail server settings (SMTP_HOST); the case tries again every hour and whenever a step is recorded (kscp doctor shows the exact fix)'
          : type === SEND_FAILURE.DirectoryInvalid
            ? 'restore a valid directory file (KSCP_DIRECTORY_FILE); the case tries again every hour and whenever a step is recorded (kscp doctor shows the exact fix)'
            : 'see the worker log; the case tries again every hour and whenever a step is recorded (kscp doctor shows the exact fix)';
    failedAtEvent[d.name] = state.events.length;
    attention({
      id: `email:${d.name}`,
      kind: 'email-not-sent',
      deadline: d.name,
      problem: `the ${d.name} reminder of case ${state.ref} could not be sent: ${message}`,
      fix,
      retryAt: new Date(Date.now() + ATTENTION_RETRY_MS).toISOString(),
    });
  };

  return {
    attention,
    resolved,
    start(d, plan, planNow) {
      const slot = plan.sendNow;
      // One send per deadline at a time, and never a slot already handled (a plan computed before a send finished).
      if (!slot || going[d.name] || (d.remindedUpTo !== undefined && Date.parse(slot.at) <= Date.parse(d.remindedUpTo))) return;
      // A send that could not go waits for its retry time, or for a step recorded since (never again at once).
      const waiting = state.attention?.find((a) => a.id === `email:${d.name}`);
      if (waiting?.retryAt !== undefined && waiting.retryAt > planNow && failedAtEvent[d.name] === state.events.length) return;
      const to = recipientsFor(d.clock.timescale, d.owner, slot.level);
      // The first run's id (stable across continue-as-new) tells apart two cases that reuse a reference.
      const identity = `${workflowId}/${firstExecutionRunId}/${d.name}/${plan.due}/L${slot.level}/${slot.occurrence}`;
      const scope = new CancellationScope();
      const done = scope
        .run(() =>
          sendReminder({
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
          }),
        )
        .then(
          (result) => recordSent(d, plan, planNow, to, result),
          (err: unknown) => {
            if (isCancellation(err)) return;
            failed(d, err);
          },
        )
        .finally(() => {
          delete going[d.name];
          state.revision++;
          board.show(state);
        });
      going[d.name] = { scope, done };
    },
    cancelStale() {
      for (const [name, send] of Object.entries(going)) {
        if (name.startsWith('attention:')) continue;
        const d = state.deadlines.find((x) => x.name === name);
        if (d?.status !== 'open') send.scope.cancel();
      }
      // A deadline met or cancelled needs no more email: what held its email back no longer matters.
      for (const a of [...(state.attention ?? [])]) {
        if (a.deadline === undefined || a.kind === 'deadline-not-computed') continue;
        if (state.deadlines.find((x) => x.name === a.deadline)?.status !== 'open') resolved(a.id);
      }
    },
    retryTimes() {
      return (state.attention ?? []).flatMap((a) => (a.retryAt && !going[a.deadline ?? ''] ? [a.retryAt] : []));
    },
    async stopAll() {
      const all = Object.values(going);
      for (const send of all) send.scope.cancel();
      await Promise.all(all.map((s) => s.done));
    },
  };
}

// The case board --------------------------------------------------------------------------------

interface CaseBoard {
  show(state: IncidentState): void;
}

/**
 * The case board in the Web UI: stage, next deadline, overdue and attention flags, notifying agency
 * and route as search attributes (upserted only when changed), and the case page's current details.
 */
function caseBoard(rules: StepContext['rules']): CaseBoard {
  return {
    show(state: IncidentState): void {
      setCurrentDetails(currentDetails(state));
      const open = state.deadlines.filter((d) => d.status === 'open' && d.dueAt !== undefined);
      const next = open.reduce<DeadlineState | undefined>((a, d) => (a && a.dueAt! <= d.dueAt! ? a : d), undefined);
      const withRoute = patched(CASE_BOARD_V2);
      const withAttention = rules === 3;
      const wanted = {
        stage: state.stage,
        next: next?.dueAt ?? null,
        nextName: next?.name ?? null,
        overdue: open.some((d) => d.overdue),
        agency: state.notifyingAgency,
        ...(withRoute ? { route: state.route ?? null } : {}),
        ...(withAttention ? { attention: (state.attention ?? []).length > 0 } : {}),
      };
      const current = workflowInfo().typedSearchAttributes;
      const have = {
        stage: current.get(KscpStage) ?? null,
        next: current.get(KscpNextDeadline)?.toISOString() ?? null,
        nextName: current.get(KscpNextDeadlineName) ?? null,
        overdue: current.get(KscpOverdue) ?? null,
        agency: current.get(KscpNotifyingAgency) ?? null,
        ...(withRoute ? { route: current.get(KscpRoute) ?? null } : {}),
        ...(withAttention ? { attention: current.get(KscpAttention) ?? null } : {}),
      };
      if (JSON.stringify(have) === JSON.stringify(wanted)) return;
      upsertSearchAttributes([
        { key: KscpStage, value: wanted.stage },
        { key: KscpNextDeadline, value: wanted.next === null ? null : new Date(wanted.next) },
        { key: KscpNextDeadlineName, value: wanted.nextName },
        { key: KscpOverdue, value: wanted.overdue },
        { key: KscpNotifyingAgency, value: wanted.agency || null },
        ...(withRoute ? [{ key: KscpRoute, value: wanted.route ?? null }] : []),
        ...(withAttention ? [{ key: KscpAttention, value: wanted.attention ?? false }] : []),
      ]);
    },
  };
}
