/**
 * The shape of a serious-incident case as the workflow holds it. Plain JSON only (no Map, Set,
 * Date or class): it is carried across continue-as-new and returned by the `state` query.
 */
import type { Criterion } from './criteria';
import type { IsoDate } from './dates';
import type { Role } from './roles';
import type { Defer, ExecutiveSignoff, IncidentForm, LaDecision, LcsprStart, NationalReviewer, PanelResponse, Published, RapidReview, Withdraw } from './inputs';
import type { Route, Stage } from './stages';
import type { DeadlineName, ReminderLevel, TimescaleName } from './timescales';

export type { Route, Stage } from './stages';
export { STAGES } from './stages';

export const WORKFLOW_TYPE = 'incident';

export function workflowIdFor(ref: string): string {
  return `incident-${ref}`;
}

/** What `kscp notify` starts the workflow with: the eCase form and when it was received. */
export interface IncidentInput {
  form: IncidentForm;
  /** When the eCase form reached the KSCP (defaults to when it was recorded). */
  formReceivedAt: string;
  /** When `kscp notify` checked the form: a start long after it (a copy of an old start) is refused. */
  checkedAt?: string;
  /** Set only by continue-as-new: the state to carry on from. */
  resume?: IncidentState;
}

/** The facts a deadline is computed from. */
export interface DeadlineClock {
  timescale: TimescaleName;
  /** Day 0 (a London date), or for clock-hours the instant the clock started. */
  start: string;
  /** The due date when the Business Unit sets it (information requests). */
  setDue?: IsoDate;
}

/** Where a deadline's reminders stand. */
export interface ReminderProgress {
  /** When reminders started: the notice (level 1) goes at this instant. Absent: nobody is chased yet. */
  remindersFrom?: string;
  /** The notice acknowledges a recorded step and goes at once; one opened by a clock waits for working hours. */
  noticeInWorkingHours?: boolean;
  /** Every slot at or before this instant has been sent or superseded. */
  remindedUpTo?: string;
}

export type DeadlineStatus = 'open' | 'met' | 'cancelled';

export interface DeadlineState extends ReminderProgress {
  name: DeadlineName;
  clock: DeadlineClock;
  owner: Role;
  status: DeadlineStatus;
  /** The statutory (or target) due date, London, and the instant it expires: computed from the clock by the calendar. */
  due?: IsoDate;
  dueAt?: string;
  /** After a deferral: the date now chased. The statutory due date does not move. */
  revisedTarget?: IsoDate;
  /** Open and past the date being chased (kept current: the workflow wakes when it passes). */
  overdue: boolean;
  /** The date it was met (London), and for clock-hour deadlines the instant. */
  metOn?: IsoDate;
  metAt?: string;
  /** Met by its due date (instants compared as instants). Undefined until the due date is known. */
  onTime?: boolean;
  /** Working days past the due date: when it was met late, or, while open, so far. */
  workingDaysLate?: number;
  /** For a clock-hour deadline (the eCase form) met late: hours late, rounded up. */
  hoursLate?: number;
  cancelledBecause?: string;
}

export interface ReminderSent {
  deadline: DeadlineName;
  due: IsoDate;
  level: ReminderLevel;
  occurrence: number;
  /** When the slot was scheduled, and when the email was handed to the mail server. */
  scheduledAt: string;
  sentAt: string;
  to: Role[];
  messageId: string;
  /** Recipients the mail server refused (by role), when some were. */
  refused?: Role[];
}

export interface CaseEvent {
  at: string;
  /** What happened, in plain language with no personal details of the child. */
  what: string;
  /** Who recorded it (a member of staff), when known. */
  by?: string;
  /** A message that was refused (signals, which cannot be answered, and unknown updates): what, from where, why. */
  refused?: { message: string; via: 'signal' | 'update' | 'start'; reason: string };
}

/** Something a person must put right: the case carries on, but this part of it cannot. */
export interface AttentionItem {
  /** Stable while the problem lasts, e.g. `email:panel-notification:L3:1`. */
  id: string;
  kind: 'email-not-sent' | 'recipients-refused' | 'deadline-not-computed';
  since: string;
  /** What is wrong, naming the role or setting (never a child's details). */
  problem: string;
  /** What to do about it. */
  fix: string;
  deadline?: DeadlineName;
  /** When the case tries again on its own. */
  retryAt?: string;
  /** The Business Manager was told by email. */
  managerTold?: boolean;
}

export interface Amendment {
  at: string;
  field: string;
  from: string;
  to: string;
  reason: string;
  by: string;
}

export interface IncidentState {
  ref: string;
  stage: Stage;
  /** The route, once known (LA decision, the Panel's answer, a care leaver's death alone, or a withdrawal). */
  route?: Route;
  criteria: Criterion[];
  notifyingAgency: string;
  agenciesInvolved: string[];
  childDied: boolean;
  policeInvestigation: boolean;
  incidentDate: IsoDate;
  laAwareOn: IsoDate;
  deadlines: DeadlineState[];
  laDecision?: LaDecision;
  careLeaverNotifiedOn?: IsoDate;
  rapidReview?: RapidReview;
  partnersInformedOn?: IsoDate;
  panelResponse?: PanelResponse;
  lcspr?: LcsprStart & { practitionerViewsOn?: IsoDate; familyViewsOn?: IsoDate; delayReasonsSentOn?: IsoDate; subgroupAgreedOn?: IsoDate };
  nationalReview?: Partial<NationalReviewer> & { reportReceivedOn?: IsoDate };
  signOff?: { subgroupAgreedOn: IsoDate; executive?: ExecutiveSignoff; reportSentOn?: IsoDate; reportToSecretaryOfStateOn?: IsoDate };
  publication?: Published & { removedOn?: IsoDate };
  learning?: { sharedOn?: IsoDate; staffInformedOn?: IsoDate };
  deferrals: Array<Defer & { at: string; afterStatutoryDate?: boolean }>;
  amendments: Amendment[];
  withdrawal?: Withdraw & { at: string };
  events: CaseEvent[];
  reminders: ReminderSent[];
  /** What needs a person (emails that cannot go); empty when all is well. Absent in cases from before it existed. */
  attention?: AttentionItem[];
  closedBecause?: string;
  /** Bumped by every change, so the workflow's main loop knows to re-plan. */
  revision: number;
}

/** What `state` returns: the case with each deadline's status as a person reads it. */
export interface IncidentView extends Omit<IncidentState, 'deadlines' | 'revision' | 'attention'> {
  deadlines: Array<Omit<DeadlineState, 'status'> & { status: DeadlineStatus | 'overdue' }>;
  attention: AttentionItem[];
}

export function viewOf(state: IncidentState): IncidentView {
  const { revision: _revision, attention, ...rest } = state;
  return {
    ...rest,
    attention: attention ?? [],
    deadlines: state.deadlines.map((d) => ({ ...d, status: d.status === 'open' && d.overdue ? 'overdue' : d.status })),
  };
}
