/**
 * Which message fits which stage, and what it changes. Pure functions over
 * the plain-JSON case state: the workflow's update validators and handlers
 * call them, and so can unit tests. No Node imports.
 */
import type { IsoDate } from './dates';
import type { DeadlineState, IncidentInput, IncidentState } from './incident';
import { agencyContact, type Role } from './roles';
import { firstIssue, LaDecisionSchema, type LaDecision } from './schemas';
import { REMINDER_LEVELS, timescale, type ReminderLevel, type TimescaleName } from './timescales';

/** A message that does not fit: `kind` says whether the input is malformed or the case is at the wrong stage. */
export interface Refusal {
  kind: 'InvalidInput' | 'WrongStage';
  message: string;
}

function newDeadline(name: TimescaleName, start: string, extra: Partial<DeadlineState> = {}): DeadlineState {
  const { owner } = timescale(name);
  return {
    name,
    clock: { timescale: name, start },
    owner: owner === 'agency-contact' ? agencyContact('unknown') : owner,
    status: 'open',
    overdue: false,
    ...extra,
  };
}

/** The case as it stands the moment the eCase form is recorded: waiting for the LA's decision. */
export function openCase(input: IncidentInput, now: Date): IncidentState {
  const { form } = input;
  const formDeadline = newDeadline('ecase-form', form.knownAt, { status: 'met', metAt: input.formReceivedAt });
  return {
    ref: form.ref,
    stage: 'LA_DECISION',
    criteria: [...form.criteria],
    notifyingAgency: form.notifyingAgency,
    childDied: form.childDied,
    policeInvestigation: form.policeInvestigation,
    laAwareOn: form.laAwareOn,
    deadlines: [
      formDeadline,
      newDeadline('panel-notification', form.laAwareOn, { remindersFrom: now.toISOString() }),
      newDeadline('rapid-review', form.laAwareOn),
    ],
    events: [
      {
        at: now.toISOString(),
        what: `eCase form recorded (notifying agency: ${form.notifyingAgency}; criteria: ${form.criteria.join(', ')}); waiting for the LA's decision on notification`,
      },
    ],
    reminders: [],
    revision: 0,
  };
}

export function deadlineNamed(state: IncidentState, name: string): DeadlineState {
  const found = state.deadlines.find((d) => d.name === name);
  if (!found) throw new RangeError(`case ${state.ref} has no deadline named ${name}`);
  return found;
}

/** Why this LA decision does not fit the case, or undefined if it does. `today` is a UTC date from the workflow clock. */
export function checkLaDecision(state: IncidentState, decision: unknown, today: IsoDate): Refusal | undefined {
  if (state.stage !== 'LA_DECISION') {
    const already = state.laDecision
      ? `the LA decision was already recorded (${state.laDecision.notifiable ? 'notifiable' : 'not notifiable'}, by ${state.laDecision.decidedBy})`
      : 'it is not waiting for an LA decision';
    return { kind: 'WrongStage', message: `case ${state.ref} is at stage ${state.stage}: ${already}` };
  }
  const parsed = LaDecisionSchema.safeParse(decision);
  if (!parsed.success) return { kind: 'InvalidInput', message: firstIssue(parsed.error) };
  const { panelNotifiedOn } = parsed.data;
  if (panelNotifiedOn !== undefined && panelNotifiedOn < state.laAwareOn)
    return {
      kind: 'InvalidInput',
      message: `panelNotifiedOn: the Panel cannot have been notified (${panelNotifiedOn}) before the LA became aware (${state.laAwareOn})`,
    };
  if (panelNotifiedOn !== undefined && panelNotifiedOn > today)
    return { kind: 'InvalidInput', message: `panelNotifiedOn: ${panelNotifiedOn} is in the future` };
  return undefined;
}

/** Record an LA decision that `checkLaDecision` accepted. */
export function applyLaDecision(state: IncidentState, decision: LaDecision, now: Date): void {
  state.laDecision = decision;
  const panel = deadlineNamed(state, 'panel-notification');
  const rapidReview = deadlineNamed(state, 'rapid-review');
  if (decision.notifiable && decision.panelNotifiedOn !== undefined) {
    meet(panel, decision.panelNotifiedOn);
    rapidReview.remindersFrom = now.toISOString();
    state.stage = 'RAPID_REVIEW';
    state.events.push({
      at: now.toISOString(),
      by: decision.decidedBy,
      what:
        `LA decided the incident is notifiable; the National Panel was notified on ${decision.panelNotifiedOn}` +
        (panel.due ? ` (${panel.onTime ? 'within' : 'after'} the 5 working days, due ${panel.due})` : '') +
        '; Rapid Review stage started',
    });
  } else {
    for (const d of [panel, rapidReview]) cancel(d, 'the incident is not notifiable');
    state.stage = 'CLOSED';
    state.closedBecause = 'not notifiable';
    state.events.push({ at: now.toISOString(), by: decision.decidedBy, what: 'LA decided the incident is not notifiable; case closed with the rationale recorded' });
  }
  state.revision++;
}

function meet(d: DeadlineState, on: IsoDate): void {
  d.status = 'met';
  d.metOn = on;
  d.overdue = false;
  if (d.due !== undefined) d.onTime = on <= d.due;
}

function cancel(d: DeadlineState, because: string): void {
  if (d.status !== 'open') return;
  d.status = 'cancelled';
  d.overdue = false;
  d.cancelledBecause = because;
}

/** Who a reminder of `level` goes to: the owner, plus the escalation of DESIGN.md §4, each role once. */
export function recipientsFor(owner: Role, level: ReminderLevel): Role[] {
  return [...new Set<Role>([owner, ...REMINDER_LEVELS[level].alsoTo])];
}
