/**
 * Which message fits which stage, and what it changes (DESIGN.md §1).
 *
 * One rule per message the Business Unit can record. Pure functions over the
 * plain-JSON case state: the workflow's update validators and handlers call
 * them, and so do unit tests. No Node imports.
 *
 * A rule is checked in three steps, each refusing with a sentence a person
 * understands: the stage (and case facts) must fit, the input must be well
 * formed, and its dates must make sense for this case.
 */
import type { z } from 'zod';
import { CRITERION_IDS, type Criterion } from './criteria';
import type { IsoDate } from './dates';
import type { DeadlineState, IncidentInput, IncidentState, Stage } from './incident';
import type { MessageInputs, MessageName } from './messages';
import { agencyContact, type AgencyRole, type Role } from './roles';
import {
  AmendSchema,
  DeferSchema,
  DelaySchema,
  DoneOnSchema,
  ExecutiveSignoffSchema,
  firstIssue,
  InfoReceivedSchema,
  InfoRequestSchema,
  LaDecisionSchema,
  LcsprStartSchema,
  NationalReportSchema,
  NationalReviewerSchema,
  PanelResponseSchema,
  PublishedSchema,
  RapidReviewSchema,
  ReportSentSchema,
  SubgroupAgreedSchema,
  ViewsSchema,
  WithdrawSchema,
  type Amend,
  type Defer,
  type Delay,
  type DoneOn,
  type ExecutiveSignoff,
  type InfoReceived,
  type InfoRequest,
  type LaDecision,
  type LcsprStart,
  type NationalReport,
  type NationalReviewer,
  type PanelResponse,
  type Published,
  type RapidReview,
  type ReportSent,
  type SubgroupAgreed,
  type Views,
  type Withdraw,
} from './schemas';
import { REMINDER_LEVELS, timescale, type ReminderLevel, type TimescaleName } from './timescales';

/** A message that does not fit: `kind` says whether the input is malformed or the case is not ready for it. */
export interface Refusal {
  kind: 'InvalidInput' | 'WrongStage';
  message: string;
}

// ---------------------------------------------------------------------------------------------
// Deadlines

function newDeadline(name: string, ts: TimescaleName, start: string, owner?: Role, extra: Partial<DeadlineState> = {}): DeadlineState {
  const row = timescale(ts);
  return {
    name,
    clock: { timescale: ts, start },
    owner: owner ?? (row.owner === 'agency-contact' ? agencyContact('unknown') : row.owner),
    status: 'open',
    overdue: false,
    ...extra,
  };
}

/** Open a deadline whose reminders start now (its notice goes at once). */
function openDeadline(state: IncidentState, name: string, ts: TimescaleName, start: string, now: Date, owner?: Role, setDue?: IsoDate): DeadlineState {
  const d = newDeadline(name, ts, start, owner, { remindersFrom: now.toISOString() });
  if (setDue !== undefined) d.clock.setDue = setDue;
  state.deadlines.push(d);
  return d;
}

export function findDeadline(state: IncidentState, name: string): DeadlineState | undefined {
  return state.deadlines.find((d) => d.name === name);
}

export function deadlineNamed(state: IncidentState, name: string): DeadlineState {
  const found = findDeadline(state, name);
  if (!found) throw new RangeError(`case ${state.ref} has no deadline named ${name}`);
  return found;
}

const isOpen = (d: DeadlineState | undefined): d is DeadlineState => d?.status === 'open';

function meet(d: DeadlineState | undefined, on: IsoDate): void {
  if (!d || d.status === 'cancelled') return;
  d.status = 'met';
  d.metOn = on;
  d.overdue = false;
  d.onTime = d.due === undefined ? undefined : on <= d.due;
}

function cancel(d: DeadlineState | undefined, because: string): void {
  if (!isOpen(d)) return;
  d.status = 'cancelled';
  d.overdue = false;
  d.cancelledBecause = because;
}

/** Forget a deadline's computed dates, so the next plan recomputes them (and whether it was met on time). */
function recompute(d: DeadlineState | undefined): void {
  if (!d) return;
  delete d.due;
  delete d.dueAt;
  delete d.onTime;
}

/** The open information request to `agency`, if any. */
function openInfoRequest(state: IncidentState, agency: string): DeadlineState | undefined {
  return state.deadlines.find((d) => d.clock.timescale === 'info-request' && d.status === 'open' && d.owner === agencyContact(agency));
}

/** `info-request:police`, then `info-request:police:2` for a second request to the same agency. */
function infoRequestName(state: IncidentState, agency: string): string {
  const base = `info-request:${agency}`;
  const count = state.deadlines.filter((d) => d.name === base || d.name.startsWith(`${base}:`)).length;
  return count === 0 ? base : `${base}:${count + 1}`;
}

// ---------------------------------------------------------------------------------------------
// Opening and closing

/** The case as it stands the moment the eCase form is recorded: waiting for the LA's decision. */
export function openCase(input: IncidentInput, now: Date): IncidentState {
  const { form } = input;
  return {
    ref: form.ref,
    stage: 'LA_DECISION',
    criteria: [...form.criteria],
    notifyingAgency: form.notifyingAgency,
    agenciesInvolved: [...form.agenciesInvolved],
    childDied: form.childDied,
    policeInvestigation: form.policeInvestigation,
    incidentDate: form.incidentDate,
    laAwareOn: form.laAwareOn,
    deadlines: [
      newDeadline('ecase-form', 'ecase-form', form.knownAt, undefined, { status: 'met', metAt: input.formReceivedAt }),
      newDeadline('panel-notification', 'panel-notification', form.laAwareOn, undefined, { remindersFrom: now.toISOString() }),
      newDeadline('rapid-review', 'rapid-review', form.laAwareOn),
    ],
    deferrals: [],
    amendments: [],
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

function close(state: IncidentState, because: string): void {
  for (const d of state.deadlines) cancel(d, `the case closed: ${because}`);
  state.stage = 'CLOSED';
  state.closedBecause = because;
}

/** A review has concluded (any route): the learning tasks start. */
function conclude(state: IncidentState, on: IsoDate, now: Date): void {
  if (!findDeadline(state, 'learning-dissemination')) openDeadline(state, 'learning-dissemination', 'learning-dissemination', on, now);
  if (!findDeadline(state, 'staff-informed')) openDeadline(state, 'staff-informed', 'staff-informed', on, now);
  if (state.stage !== 'PUBLISHED') state.stage = 'LEARNING';
}

/** In LEARNING, the case closes once every learning task is done. */
function closeIfLearningDone(state: IncidentState): void {
  const learningOpen = ['learning-dissemination', 'staff-informed'].some((n) => isOpen(findDeadline(state, n)));
  if (state.stage === 'LEARNING' && !learningOpen) close(state, 'review concluded and its learning shared');
}

/**
 * When the first overdue reminder for the LCSPR publication goes out (09:00 on the working day after
 * the deadline) and no reasons for the delay have been sent to the Panel, open that task.
 */
export function openDelayReasonsIfMissed(state: IncidentState, now: Date): boolean {
  const publication = findDeadline(state, 'lcspr-publication');
  if (!isOpen(publication) || !publication.overdue || !publication.due) return false;
  if (state.lcspr?.delayReasonsSentOn || findDeadline(state, 'delay-reasons')) return false;
  // Day 0 is today: at 09:00 London the UTC date is London's date.
  openDeadline(state, 'delay-reasons', 'delay-reasons', now.toISOString().slice(0, 10), now);
  state.events.push({ at: now.toISOString(), what: `LCSPR publication deadline (${publication.due}) passed: the reasons for the delay must go to the National Panel` });
  state.revision++;
  return true;
}

// ---------------------------------------------------------------------------------------------
// The rules

export interface MessageRule<T> {
  /** The update (and signal) name. */
  readonly name: string;
  /** The `kscp` command that sends it. */
  readonly command: string;
  /** What it records, for the Web UI and --help. */
  readonly description: string;
  readonly schema: z.ZodType<T>;
  /** The stages it fits. */
  readonly stages: readonly Stage[];
  /** Date fields that record something done, so cannot be in the future. */
  readonly pastDates?: readonly (keyof T & string)[];
  /** Case facts that must hold (besides the stage), or why not: refused as WrongStage. */
  readonly ready?: (state: IncidentState, msg: T) => string | undefined;
  /** Dates and values that must make sense for this case, or why not: refused as InvalidInput. */
  readonly check?: (state: IncidentState, msg: T, latestDate: IsoDate) => string | undefined;
  /** The change, for a message that passed every check. Returns a line for the case's events. */
  readonly apply: (state: IncidentState, msg: T, now: Date) => string;
}

const OPEN_STAGES: readonly Stage[] = ['NOTIFIED', 'LA_DECISION', 'RAPID_REVIEW', 'PANEL_RESPONSE', 'LCSPR', 'NATIONAL_REVIEW', 'SIGN_OFF', 'PUBLISHED', 'LEARNING'];
const REVIEW_STAGES: readonly Stage[] = ['RAPID_REVIEW', 'LCSPR', 'NATIONAL_REVIEW'];

const notBefore = (field: string, value: IsoDate, what: string, earliest: IsoDate | undefined): string | undefined =>
  earliest !== undefined && value < earliest ? `${field}: ${value} is before ${what} (${earliest})` : undefined;

const rule = <T>(r: MessageRule<T>): MessageRule<T> => r;

export const laDecision = rule<LaDecision>({
  name: 'laDecision',
  command: 'la-decision',
  description: 'The LA decision: notifiable (with the date the National Panel was notified) or not (with the rationale)',
  schema: LaDecisionSchema,
  stages: ['LA_DECISION'],
  pastDates: ['panelNotifiedOn'],
  check: (s, d) =>
    d.panelNotifiedOn !== undefined && d.panelNotifiedOn < s.laAwareOn
      ? `panelNotifiedOn: the Panel cannot have been notified (${d.panelNotifiedOn}) before the LA became aware (${s.laAwareOn})`
      : undefined,
  apply: (s, d, now) => {
    s.laDecision = { ...d, recordedAt: d.recordedAt ?? now.toISOString() };
    const panel = deadlineNamed(s, 'panel-notification');
    if (d.notifiable && d.panelNotifiedOn !== undefined) {
      meet(panel, d.panelNotifiedOn);
      deadlineNamed(s, 'rapid-review').remindersFrom = now.toISOString();
      s.stage = 'RAPID_REVIEW';
      return (
        `LA decided the incident is notifiable; the National Panel was notified on ${d.panelNotifiedOn}` +
        (panel.due ? ` (${panel.onTime ? 'within' : 'after'} the 5 working days, due ${panel.due})` : '') +
        '; Rapid Review stage started'
      );
    }
    s.route = 'not-notifiable';
    for (const name of ['panel-notification', 'rapid-review']) cancel(deadlineNamed(s, name), 'the incident is not notifiable');
    close(s, 'not notifiable');
    return 'LA decided the incident is not notifiable; case closed with the rationale recorded';
  },
});

export const infoRequest = rule<InfoRequest>({
  name: 'infoRequest',
  command: 'info-request',
  description: 'An information request to an agency, with the due date the Business Unit set',
  schema: InfoRequestSchema,
  stages: REVIEW_STAGES,
  pastDates: ['requestedOn'],
  ready: (s, r) => {
    const open = openInfoRequest(s, r.agency);
    return open ? `an information request to ${r.agency} is already open (${open.name}, due ${open.clock.setDue}): record its response with info-received first` : undefined;
  },
  check: (s, r) => notBefore('requestedOn', r.requestedOn, 'the date the LA became aware', s.laAwareOn),
  apply: (s, r, now) => {
    const d = openDeadline(s, infoRequestName(s, r.agency), 'info-request', r.requestedOn, now, agencyContact(r.agency), r.dueOn);
    return `Information requested from ${r.agency} on ${r.requestedOn}, due ${r.dueOn} (${d.name})`;
  },
});

export const infoReceived = rule<InfoReceived>({
  name: 'infoReceived',
  command: 'info-received',
  description: "An agency's response to an information request",
  schema: InfoReceivedSchema,
  stages: OPEN_STAGES,
  pastDates: ['receivedOn'],
  ready: (s, r) => {
    if (openInfoRequest(s, r.agency)) return undefined;
    const open = s.deadlines.filter((d) => d.clock.timescale === 'info-request' && d.status === 'open').map((d) => d.name);
    return `there is no open information request to ${r.agency} (open: ${open.length ? open.join(', ') : 'none'})`;
  },
  check: (s, r) => notBefore('receivedOn', r.receivedOn, 'the date of the request', openInfoRequest(s, r.agency)?.clock.start),
  apply: (s, r) => {
    const d = openInfoRequest(s, r.agency)!;
    meet(d, r.receivedOn);
    return `Information received from ${r.agency} on ${r.receivedOn} (${d.name}${d.due ? `, due ${d.due}` : ''})`;
  },
});

export const rapidReview = rule<RapidReview>({
  name: 'rapidReview',
  command: 'rapid-review',
  description: 'The Rapid Review: meeting date, template submitted to the National Panel, outcome and rationale',
  schema: RapidReviewSchema,
  stages: ['RAPID_REVIEW'],
  pastDates: ['meetingOn', 'submittedOn'],
  check: (s, r) =>
    notBefore('meetingOn', r.meetingOn, 'the date the LA became aware', s.laAwareOn) ??
    notBefore('submittedOn', r.submittedOn, 'the Rapid Review meeting', r.meetingOn),
  apply: (s, r, now) => {
    s.rapidReview = r;
    const d = deadlineNamed(s, 'rapid-review');
    meet(d, r.submittedOn);
    openDeadline(s, 'panel-response', 'panel-response', r.submittedOn, now);
    s.stage = 'PANEL_RESPONSE';
    return (
      `Rapid Review meeting held ${r.meetingOn}; template submitted to the National Panel on ${r.submittedOn}` +
      (d.due ? ` (${d.onTime ? 'within' : 'after'} the 15 working days, due ${d.due})` : '') +
      `; outcome: ${r.outcome}; waiting for the Panel's response`
    );
  },
});

export const panelResponse = rule<PanelResponse>({
  name: 'panelResponse',
  command: 'panel-response',
  description: "The National Panel's response: local review (LCSPR), national review, or no further review",
  schema: PanelResponseSchema,
  stages: ['PANEL_RESPONSE'],
  pastDates: ['receivedOn'],
  check: (s, r) => notBefore('receivedOn', r.receivedOn, 'the Rapid Review submission', s.rapidReview?.submittedOn),
  apply: (s, r, now) => {
    s.panelResponse = r;
    meet(findDeadline(s, 'panel-response'), r.receivedOn);
    if (r.decision === 'local-review') {
      s.route = 'lcspr';
      s.stage = 'LCSPR';
      return `National Panel agreed a local review (LCSPR) on ${r.receivedOn}; waiting for its initiation`;
    }
    if (r.decision === 'national-review') {
      s.route = 'national-review';
      s.stage = 'NATIONAL_REVIEW';
      return `National Panel commissioned a national review on ${r.receivedOn}`;
    }
    s.route = 'no-further-review';
    conclude(s, r.receivedOn, now);
    return `National Panel decided on no further review (${r.receivedOn}); learning tasks started`;
  },
});

export const lcsprStart = rule<LcsprStart>({
  name: 'lcsprStart',
  command: 'lcspr-start',
  description: 'The LCSPR initiated: date and methodology; starts the 6-month publication clock',
  schema: LcsprStartSchema,
  stages: ['LCSPR'],
  pastDates: ['initiatedOn'],
  ready: (s) => (s.lcspr ? `the LCSPR was already initiated on ${s.lcspr.initiatedOn}` : undefined),
  check: (s, l) => notBefore('initiatedOn', l.initiatedOn, 'the Rapid Review submission', s.rapidReview?.submittedOn),
  apply: (s, l, now) => {
    s.lcspr = { ...l };
    openDeadline(s, 'lcspr-publication', 'lcspr-publication', l.initiatedOn, now);
    return `LCSPR initiated on ${l.initiatedOn} (${l.methodology}); publication due within 6 months`;
  },
});

const lcsprStarted = (s: IncidentState): string | undefined => (s.lcspr ? undefined : 'the LCSPR has not been initiated yet: record it with lcspr-start first');

export const views = rule<Views>({
  name: 'views',
  command: 'views',
  description: "Practitioners' or the family's views sought for the LCSPR",
  schema: ViewsSchema,
  stages: ['LCSPR'],
  pastDates: ['on'],
  ready: lcsprStarted,
  check: (s, v) => notBefore('on', v.on, 'the LCSPR initiation', s.lcspr?.initiatedOn),
  apply: (s, v) => {
    if (v.from === 'practitioners') s.lcspr!.practitionerViewsOn = v.on;
    else s.lcspr!.familyViewsOn = v.on;
    return `${v.from === 'practitioners' ? "Practitioners'" : "The family's"} views recorded for the LCSPR (${v.on})`;
  },
});

export const delay = rule<Delay>({
  name: 'delay',
  command: 'delay',
  description: 'The reasons for a delay in publishing the LCSPR, sent to the National Panel',
  schema: DelaySchema,
  stages: ['LCSPR', 'SIGN_OFF'],
  pastDates: ['sentOn'],
  ready: (s) => lcsprStarted(s) ?? (isOpen(findDeadline(s, 'lcspr-publication')) ? undefined : 'the LCSPR publication deadline is no longer open'),
  check: (s, d) => notBefore('sentOn', d.sentOn, 'the LCSPR initiation', s.lcspr?.initiatedOn),
  apply: (s, d) => {
    s.lcspr!.delayReasonsSentOn = d.sentOn;
    meet(findDeadline(s, 'delay-reasons'), d.sentOn);
    return `Reasons for the delay in publishing the LCSPR sent to the National Panel on ${d.sentOn}`;
  },
});

export const nationalReviewer = rule<NationalReviewer>({
  name: 'nationalReviewer',
  command: 'national-reviewer',
  description: "The National Panel's reviewer for a national review",
  schema: NationalReviewerSchema,
  stages: ['NATIONAL_REVIEW'],
  pastDates: ['appointedOn'],
  check: (s, n) => notBefore('appointedOn', n.appointedOn, "the Panel's response", s.panelResponse?.receivedOn),
  apply: (s, n) => {
    s.nationalReview = { ...s.nationalReview, ...n };
    return `National Panel's reviewer appointed on ${n.appointedOn}`;
  },
});

export const nationalReport = rule<NationalReport>({
  name: 'nationalReport',
  command: 'national-report',
  description: "The national review's report received",
  schema: NationalReportSchema,
  stages: ['NATIONAL_REVIEW'],
  pastDates: ['receivedOn'],
  check: (s, n) => notBefore('receivedOn', n.receivedOn, "the Panel's response", s.panelResponse?.receivedOn),
  apply: (s, n, now) => {
    s.nationalReview = { ...s.nationalReview, reportReceivedOn: n.receivedOn };
    conclude(s, n.receivedOn, now);
    return `National review report received on ${n.receivedOn}; learning tasks started`;
  },
});

export const subgroupAgreed = rule<SubgroupAgreed>({
  name: 'subgroupAgreed',
  command: 'subgroup-agreed',
  description: 'The CSPR sub-group agreed the final LCSPR report',
  schema: SubgroupAgreedSchema,
  stages: ['LCSPR'],
  pastDates: ['on'],
  ready: lcsprStarted,
  check: (s, a) => notBefore('on', a.on, 'the LCSPR initiation', s.lcspr?.initiatedOn),
  apply: (s, a) => {
    s.lcspr!.subgroupAgreedOn = a.on;
    s.signOff = { subgroupAgreedOn: a.on };
    s.stage = 'SIGN_OFF';
    return `CSPR sub-group agreed the final report on ${a.on}; waiting for the Executive`;
  },
});

export const executiveSignoff = rule<ExecutiveSignoff>({
  name: 'executiveSignoff',
  command: 'executive-signoff',
  description: 'The Executive agreed the report and decided on publication (publish, improvements only, not publish)',
  schema: ExecutiveSignoffSchema,
  stages: ['SIGN_OFF'],
  pastDates: ['on'],
  ready: (s) => (s.signOff?.executive ? `the Executive decision was already recorded (${s.signOff.executive.decision}, ${s.signOff.executive.on})` : undefined),
  check: (s, e) => notBefore('on', e.on, "the sub-group's agreement", s.signOff?.subgroupAgreedOn),
  apply: (s, e, now) => {
    s.signOff = { ...s.signOff!, executive: e };
    if (e.decision === 'not-publish') {
      cancel(findDeadline(s, 'lcspr-publication'), 'the Executive decided not to publish');
      conclude(s, e.on, now);
      return `Executive agreed the report on ${e.on} and decided not to publish (reasons recorded); learning tasks started`;
    }
    openDeadline(s, 'report-to-panel', 'report-to-panel', e.plannedPublicationOn!, now);
    return `Executive agreed the report on ${e.on}: ${e.decision === 'publish' ? 'publish' : 'publish the improvements only'} on ${e.plannedPublicationOn}; the full report goes to the National Panel 7 working days before`;
  },
});

export const reportSent = rule<ReportSent>({
  name: 'reportSent',
  command: 'report-sent',
  description: 'The full report sent to the National Panel before publication',
  schema: ReportSentSchema,
  stages: ['SIGN_OFF'],
  pastDates: ['sentOn'],
  ready: (s) => (isOpen(findDeadline(s, 'report-to-panel')) ? undefined : s.signOff?.reportSentOn ? `the report was already sent (${s.signOff.reportSentOn})` : 'there is no publication planned: record the Executive decision first'),
  check: (s, r) => notBefore('sentOn', r.sentOn, 'the Executive decision', s.signOff?.executive?.on),
  apply: (s, r) => {
    s.signOff!.reportSentOn = r.sentOn;
    const d = deadlineNamed(s, 'report-to-panel');
    meet(d, r.sentOn);
    return `Full report sent to the National Panel on ${r.sentOn}${d.due ? ` (${d.onTime ? 'at least' : 'LESS than'} 7 working days before publication, due ${d.due})` : ''}`;
  },
});

export const published = rule<Published>({
  name: 'published',
  command: 'published',
  description: 'The report published on the website, with its date and address',
  schema: PublishedSchema,
  stages: ['SIGN_OFF'],
  pastDates: ['on'],
  ready: (s) => {
    const exec = s.signOff?.executive;
    if (!exec || exec.decision === 'not-publish') return exec ? 'the Executive decided not to publish' : 'record the Executive decision first';
    return s.signOff?.reportSentOn ? undefined : 'record the report sent to the National Panel first (report-sent): it goes 7 working days before publication';
  },
  check: (s, p) => notBefore('on', p.on, 'the Executive decision', s.signOff?.executive?.on),
  apply: (s, p, now) => {
    s.publication = { ...p };
    meet(findDeadline(s, 'lcspr-publication'), p.on);
    s.stage = 'PUBLISHED';
    openDeadline(s, 'website-removal', 'website-removal', p.on, now);
    conclude(s, p.on, now);
    return `Report published on ${p.on}; it comes off the website after the retention period; learning tasks started`;
  },
});

export const removedFromWebsite = rule<DoneOn>({
  name: 'removedFromWebsite',
  command: 'removed-from-website',
  description: 'The published report taken off the website (then available on request)',
  schema: DoneOnSchema,
  stages: ['PUBLISHED'],
  pastDates: ['on'],
  check: (s, r) => notBefore('on', r.on, 'publication', s.publication?.on),
  apply: (s, r) => {
    s.publication!.removedOn = r.on;
    meet(findDeadline(s, 'website-removal'), r.on);
    s.stage = 'LEARNING';
    closeIfLearningDone(s);
    return `Report taken off the website on ${r.on}; available on request from the Business Unit`;
  },
});

function learningTask(name: string, command: string, deadline: 'learning-dissemination' | 'staff-informed', field: 'sharedOn' | 'staffInformedOn', what: string): MessageRule<DoneOn> {
  return rule<DoneOn>({
    name,
    command,
    description: what,
    schema: DoneOnSchema,
    stages: ['PUBLISHED', 'LEARNING'],
    pastDates: ['on'],
    ready: (s) => (isOpen(findDeadline(s, deadline)) ? undefined : `this was already recorded (${s.learning?.[field] ?? 'done'})`),
    check: (s, l) => notBefore('on', l.on, 'the conclusion of the review', findDeadline(s, deadline)?.clock.start),
    apply: (s, l) => {
      s.learning = { ...s.learning, [field]: l.on };
      meet(findDeadline(s, deadline), l.on);
      closeIfLearningDone(s);
      return `${what} (${l.on})${s.stage === 'CLOSED' ? '; case closed' : ''}`;
    },
  });
}

export const learningShared = learningTask('learningShared', 'learning-shared', 'learning-dissemination', 'sharedOn', 'Key findings sent to the Learning and Development Subgroup');
export const staffInformed = learningTask('staffInformed', 'staff-informed', 'staff-informed', 'staffInformedOn', 'Staff told of the findings');

export const defer = rule<Defer>({
  name: 'defer',
  command: 'defer',
  description: 'Publication deferred by a parallel process (police investigation, inquest, trial): reason, new date, Panel told',
  schema: DeferSchema,
  stages: ['LCSPR', 'SIGN_OFF'],
  pastDates: ['panelToldOn'],
  ready: lcsprStarted,
  check: (s, d) => {
    const current = s.signOff?.executive?.plannedPublicationOn ?? findDeadline(s, 'lcspr-publication')?.due;
    return current !== undefined && d.newDate <= current ? `newDate: ${d.newDate} is not later than the current date (${current}): a deferral moves publication later` : undefined;
  },
  apply: (s, d, now) => {
    s.deferrals.push({ ...d, at: now.toISOString() });
    // The 6-month clock moves only later, never earlier, than its statutory date.
    const publication = findDeadline(s, 'lcspr-publication');
    if (isOpen(publication) && (publication.due === undefined || d.newDate > publication.due)) {
      publication.clock.setDue = d.newDate;
      recompute(publication);
    }
    const exec = s.signOff?.executive;
    if (exec?.plannedPublicationOn !== undefined) {
      exec.plannedPublicationOn = d.newDate;
      const report = findDeadline(s, 'report-to-panel');
      if (report) {
        report.clock.start = d.newDate;
        recompute(report);
      }
    }
    return `Publication deferred to ${d.newDate} (reason recorded); the National Panel was told on ${d.panelToldOn}`;
  },
});

// Corrections ---------------------------------------------------------------------------------

type Amendable = {
  /** What the value must look like, in words. */
  readonly expects: string;
  /** A date or time of something that happened: it cannot be in the future. */
  readonly past?: boolean;
  readonly parse: (value: string) => unknown;
  /** Current value (as text), or why the field cannot be corrected yet. */
  readonly current: (s: IncidentState) => string | { refused: string };
  readonly check?: (s: IncidentState, value: never) => string | undefined;
  readonly apply: (s: IncidentState, value: never) => void;
};

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const asDate = (v: string): IsoDate | undefined => (DATE.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v) ? v : undefined);
const asInstant = (v: string): string | undefined =>
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(v) && !Number.isNaN(Date.parse(v)) ? new Date(v).toISOString() : undefined;
const asBool = (v: string): boolean | undefined => (v === 'true' ? true : v === 'false' ? false : undefined);
const asAgency = (v: string): string | undefined => (/^[a-z][a-z0-9-]*$/.test(v) ? v : undefined);
const asList = <T>(each: (v: string) => T | undefined) => (v: string): T[] | undefined => {
  const items = v.split(',').map((x) => x.trim());
  const parsed = items.map(each);
  return items.length > 0 && parsed.every((p) => p !== undefined) ? (parsed as T[]) : undefined;
};
const asCriterion = (v: string): Criterion | undefined => (CRITERION_IDS as readonly string[]).includes(v) ? (v as Criterion) : undefined;

function setClockStart(s: IncidentState, names: string[], start: string): void {
  for (const name of names) {
    const d = findDeadline(s, name);
    if (!d) continue;
    d.clock.start = start;
    recompute(d);
  }
}

function setMetOn(s: IncidentState, name: string, on: IsoDate): void {
  const d = findDeadline(s, name);
  if (d?.status !== 'met') return;
  d.metOn = on;
  delete d.onTime;
}

const AMENDABLE: Record<string, Amendable> = {
  laAwareOn: {
    past: true,
    expects: 'a date YYYY-MM-DD',
    parse: asDate,
    current: (s) => s.laAwareOn,
    check: (s, v: IsoDate) => (v < s.incidentDate ? `the LA cannot have become aware (${v}) before the incident (${s.incidentDate})` : undefined),
    apply: (s, v: IsoDate) => {
      s.laAwareOn = v;
      setClockStart(s, ['panel-notification', 'rapid-review'], v);
    },
  },
  incidentDate: {
    past: true,
    expects: 'a date YYYY-MM-DD',
    parse: asDate,
    current: (s) => s.incidentDate,
    check: (s, v: IsoDate) => (v > s.laAwareOn ? `the incident (${v}) cannot be after the LA became aware (${s.laAwareOn})` : undefined),
    apply: (s, v: IsoDate) => {
      s.incidentDate = v;
    },
  },
  knownAt: {
    past: true,
    expects: 'a date and time with offset, e.g. 2026-03-02T14:30:00Z',
    parse: asInstant,
    current: (s) => deadlineNamed(s, 'ecase-form').clock.start,
    apply: (s, v: string) => setClockStart(s, ['ecase-form'], v),
  },
  formReceivedAt: {
    past: true,
    expects: 'a date and time with offset, e.g. 2026-03-02T14:30:00Z',
    parse: asInstant,
    current: (s) => deadlineNamed(s, 'ecase-form').metAt ?? '',
    apply: (s, v: string) => {
      const d = deadlineNamed(s, 'ecase-form');
      d.metAt = v;
      delete d.onTime;
    },
  },
  panelNotifiedOn: {
    past: true,
    expects: 'a date YYYY-MM-DD',
    parse: asDate,
    current: (s) => s.laDecision?.panelNotifiedOn ?? { refused: 'the Panel notification has not been recorded (la-decision)' },
    check: (s, v: IsoDate) => (v < s.laAwareOn ? `the Panel cannot have been notified (${v}) before the LA became aware (${s.laAwareOn})` : undefined),
    apply: (s, v: IsoDate) => {
      s.laDecision!.panelNotifiedOn = v;
      setMetOn(s, 'panel-notification', v);
    },
  },
  rapidReviewSubmittedOn: {
    past: true,
    expects: 'a date YYYY-MM-DD',
    parse: asDate,
    current: (s) => s.rapidReview?.submittedOn ?? { refused: 'the Rapid Review has not been recorded (rapid-review)' },
    check: (s, v: IsoDate) => (v < s.rapidReview!.meetingOn ? `the template cannot have been submitted (${v}) before the meeting (${s.rapidReview!.meetingOn})` : undefined),
    apply: (s, v: IsoDate) => {
      s.rapidReview!.submittedOn = v;
      setMetOn(s, 'rapid-review', v);
      setClockStart(s, ['panel-response'], v);
    },
  },
  lcsprInitiatedOn: {
    past: true,
    expects: 'a date YYYY-MM-DD',
    parse: asDate,
    current: (s) => s.lcspr?.initiatedOn ?? { refused: 'the LCSPR has not been initiated (lcspr-start)' },
    apply: (s, v: IsoDate) => {
      s.lcspr!.initiatedOn = v;
      setClockStart(s, ['lcspr-publication'], v);
    },
  },
  plannedPublicationOn: {
    expects: 'a date YYYY-MM-DD',
    parse: asDate,
    current: (s) => s.signOff?.executive?.plannedPublicationOn ?? { refused: 'no publication is planned (executive-signoff)' },
    apply: (s, v: IsoDate) => {
      s.signOff!.executive!.plannedPublicationOn = v;
      setClockStart(s, ['report-to-panel'], v);
    },
  },
  publishedOn: {
    past: true,
    expects: 'a date YYYY-MM-DD',
    parse: asDate,
    current: (s) => s.publication?.on ?? { refused: 'the report has not been published (published)' },
    apply: (s, v: IsoDate) => {
      s.publication!.on = v;
      setMetOn(s, 'lcspr-publication', v);
      setClockStart(s, ['website-removal'], v);
    },
  },
  policeInvestigation: { expects: 'true or false', parse: asBool, current: (s) => String(s.policeInvestigation), apply: (s, v: boolean) => void (s.policeInvestigation = v) },
  childDied: { expects: 'true or false', parse: asBool, current: (s) => String(s.childDied), apply: (s, v: boolean) => void (s.childDied = v) },
  notifyingAgency: { expects: 'an agency id, e.g. police', parse: asAgency, current: (s) => s.notifyingAgency, apply: (s, v: string) => void (s.notifyingAgency = v) },
  agenciesInvolved: {
    expects: 'agency ids separated by commas, e.g. police,health',
    parse: asList(asAgency),
    current: (s) => s.agenciesInvolved.join(','),
    apply: (s, v: string[]) => void (s.agenciesInvolved = v),
  },
  criteria: {
    expects: `criteria separated by commas (${CRITERION_IDS.join(', ')})`,
    parse: asList(asCriterion),
    current: (s) => s.criteria.join(','),
    apply: (s, v: Criterion[]) => void (s.criteria = v),
  },
};

/** The fields `amend` can correct, for --help: the case facts plus `info-request:<agency>` (its due date). */
export const AMENDABLE_FIELDS = [...Object.keys(AMENDABLE), 'info-request:<agency>'];

function amendableFor(s: IncidentState, field: string): Amendable | undefined {
  if (AMENDABLE[field]) return AMENDABLE[field];
  const d = findDeadline(s, field);
  if (d?.clock.timescale !== 'info-request') return undefined;
  return {
    expects: 'a date YYYY-MM-DD (the new due date)',
    parse: asDate,
    current: () => (d.status === 'open' ? d.clock.setDue ?? '' : { refused: `${field} is ${d.status}` }),
    check: (_s, v: IsoDate) => (v <= d.clock.start ? `the due date must be after the date of the request (${d.clock.start})` : undefined),
    apply: (_s, v: IsoDate) => {
      d.clock.setDue = v;
      recompute(d);
    },
  };
}

export const amend = rule<Amend>({
  name: 'amend',
  command: 'amend',
  description: 'A correction of a fact or date; every open deadline is recomputed',
  schema: AmendSchema,
  stages: OPEN_STAGES,
  ready: (s, a) => {
    const field = amendableFor(s, a.field);
    if (!field) return undefined;
    const current = field.current(s);
    return typeof current === 'object' ? `${a.field} cannot be corrected yet: ${current.refused}` : undefined;
  },
  check: (s, a, latestDate) => {
    const field = amendableFor(s, a.field);
    if (!field) return `field: ${JSON.stringify(a.field)} cannot be corrected (allowed: ${AMENDABLE_FIELDS.join(', ')})`;
    const value = field.parse(a.value);
    if (value === undefined) return `value: ${JSON.stringify(a.value)} is not ${field.expects}`;
    if (field.past && typeof value === 'string' && value.slice(0, 10) > latestDate) return `value: ${a.value} is in the future`;
    const bad = field.check?.(s, value as never);
    return bad === undefined ? undefined : `value: ${bad}`;
  },
  apply: (s, a, now) => {
    const field = amendableFor(s, a.field)!;
    const from = field.current(s) as string;
    field.apply(s, field.parse(a.value) as never);
    s.amendments.push({ at: now.toISOString(), field: a.field, from, to: a.value, reason: a.reason, by: a.by });
    return `Corrected ${a.field}: ${from} -> ${a.value} (reason recorded); deadlines recomputed`;
  },
});

export const withdraw = rule<Withdraw>({
  name: 'withdraw',
  command: 'withdraw',
  description: 'Withdraw the case (recorded in error, criteria not met, other): reminders stop, the record is kept',
  schema: WithdrawSchema,
  stages: OPEN_STAGES,
  apply: (s, w, now) => {
    s.withdrawal = { ...w, at: now.toISOString() };
    s.route = 'withdrawn';
    close(s, `withdrawn (${w.reason})`);
    return `Case withdrawn (${w.reason}); open reminders stopped, the record is kept`;
  },
});

/** Every message's rule, by its update/signal name. */
export const RULES: { readonly [N in MessageName]: MessageRule<MessageInputs[N]> } = {
  laDecision,
  infoRequest,
  infoReceived,
  rapidReview,
  panelResponse,
  lcsprStart,
  views,
  delay,
  nationalReviewer,
  nationalReport,
  subgroupAgreed,
  executiveSignoff,
  reportSent,
  published,
  removedFromWebsite,
  learningShared,
  staffInformed,
  defer,
  amend,
  withdraw,
};

// ---------------------------------------------------------------------------------------------
// Checking and applying

function stageRefusal<T>(state: IncidentState, r: MessageRule<T>): string {
  if (state.stage === 'CLOSED') return `case ${state.ref} is closed (${state.closedBecause ?? 'closed'}): nothing more can be recorded`;
  if (r.name === 'laDecision' && state.laDecision)
    return `case ${state.ref} is at stage ${state.stage}: the LA decision was already recorded (${state.laDecision.notifiable ? 'notifiable' : 'not notifiable'}, by ${state.laDecision.decidedBy})`;
  return `case ${state.ref} is at stage ${state.stage}: ${r.command} is recorded at stage ${r.stages.join(' or ')}`;
}

/**
 * Why `input` does not fit the case as `rule`, or undefined if it does. `latestDate` is the latest
 * date accepted as "not in the future": clients check the London date exactly; the workflow, which
 * has no time-zone data, allows a day's slack.
 */
export function checkMessage<T>(r: MessageRule<T>, state: IncidentState, input: unknown, latestDate: IsoDate): Refusal | undefined {
  if (!r.stages.includes(state.stage)) return { kind: 'WrongStage', message: stageRefusal(state, r) };
  const parsed = r.schema.safeParse(input);
  if (!parsed.success) return { kind: 'InvalidInput', message: firstIssue(parsed.error) };
  const msg = parsed.data;
  const notReady = r.ready?.(state, msg);
  if (notReady) return { kind: 'WrongStage', message: `case ${state.ref}: ${notReady}` };
  for (const field of r.pastDates ?? []) {
    const value = msg[field];
    if (typeof value === 'string' && value > latestDate) return { kind: 'InvalidInput', message: `${field}: ${value} is in the future` };
  }
  const bad = r.check?.(state, msg, latestDate);
  return bad ? { kind: 'InvalidInput', message: bad } : undefined;
}

/** Record a message that `checkMessage` accepted. */
export function applyMessage<T>(r: MessageRule<T>, state: IncidentState, input: unknown, now: Date): void {
  const msg = r.schema.parse(input);
  const what = r.apply(state, msg, now);
  const by = (msg as { by?: string; decidedBy?: string }).by ?? (msg as { decidedBy?: string }).decidedBy;
  state.events.push({ at: now.toISOString(), what, ...(by !== undefined && { by }) });
  state.revision++;
}

/** Kept for callers of the first version: the LA decision rule's check. */
export function checkLaDecision(state: IncidentState, decision: unknown, latestDate: IsoDate): Refusal | undefined {
  return checkMessage(laDecision, state, decision, latestDate);
}

export function applyLaDecision(state: IncidentState, decision: LaDecision, now: Date): void {
  applyMessage(laDecision, state, decision, now);
}

// ---------------------------------------------------------------------------------------------
// Escalation

/**
 * Who a reminder of `level` goes to: the owner, plus the escalation of DESIGN.md §4; an agency's
 * own safeguarding lead is added when its response is due or overdue. Each role once.
 */
export function recipientsFor(owner: Role, level: ReminderLevel): Role[] {
  const roles: Role[] = [owner, ...REMINDER_LEVELS[level].alsoTo];
  const agency = /^agency:([^:]+):contact$/.exec(owner);
  if (agency && level >= 4) roles.splice(1, 0, `agency:${agency[1]}:safeguarding-lead` as AgencyRole);
  return [...new Set(roles)];
}
