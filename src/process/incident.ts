/**
 * The shape of a serious-incident case as the workflow holds it. Plain JSON
 * only (no Map, Set, Date or class): it is carried across continue-as-new and
 * returned by the `state` query. No Node imports: workflow code uses it.
 */
import type { Criterion } from './criteria';
import type { IsoDate } from './dates';
import type { ComputedDue, DeadlineClock, ReminderProgress } from '../deadlines';
import type { Role } from './roles';
import type {
  Defer,
  ExecutiveSignoff,
  IncidentForm,
  LaDecision,
  LcsprStart,
  NationalReviewer,
  PanelResponse,
  Published,
  RapidReview,
  Withdraw,
} from './schemas';
import type { ReminderLevel } from './timescales';

export const STAGES = [
  'NOTIFIED',
  'LA_DECISION',
  'RAPID_REVIEW',
  'PANEL_RESPONSE',
  'LCSPR',
  'NATIONAL_REVIEW',
  'SIGN_OFF',
  'PUBLISHED',
  'LEARNING',
  'CLOSED',
] as const;
export type Stage = (typeof STAGES)[number];

export const WORKFLOW_TYPE = 'incident';

export function workflowIdFor(ref: string): string {
  return `incident-${ref}`;
}

/** What `kscp notify` starts the workflow with: the eCase form and when it was received. */
export interface IncidentInput {
  form: IncidentForm;
  /** When the eCase form reached the KSCP (defaults to when it was recorded). */
  formReceivedAt: string;
  /** Set only by continue-as-new: the state to carry on from. */
  resume?: IncidentState;
}

export type DeadlineStatus = 'open' | 'met' | 'cancelled';

export interface DeadlineState extends Partial<ComputedDue>, ReminderProgress {
  /** Stable name: `panel-notification`, `rapid-review`, `info-request:police`, ... */
  name: string;
  clock: DeadlineClock;
  owner: Role;
  status: DeadlineStatus;
  /** Open and past its due instant (kept current: the workflow wakes when a deadline passes). */
  overdue: boolean;
  /** The date it was met (London), and whether that was in time. */
  metOn?: IsoDate;
  /** For clock-hour deadlines (the eCase form): the instant it was met. */
  metAt?: string;
  onTime?: boolean;
  cancelledBecause?: string;
}

export interface ReminderSent {
  deadline: string;
  due: IsoDate;
  level: ReminderLevel;
  occurrence: number;
  /** When the slot was scheduled, and when the email was handed to the mail server. */
  scheduledAt: string;
  sentAt: string;
  to: Role[];
  messageId: string;
}

export interface CaseEvent {
  at: string;
  /** What happened, in plain language with no personal details of the child. */
  what: string;
  /** Who recorded it (a member of staff), when known. */
  by?: string;
}

/** Which way the case went after the LA decision, for the case board and the timeliness report. */
export type Route = 'not-notifiable' | 'lcspr' | 'national-review' | 'no-further-review' | 'withdrawn';

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
  /** The route, once the Panel has answered (or the LA decided it is not notifiable, or it was withdrawn). */
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
  rapidReview?: RapidReview;
  panelResponse?: PanelResponse;
  lcspr?: LcsprStart & { practitionerViewsOn?: IsoDate; familyViewsOn?: IsoDate; delayReasonsSentOn?: IsoDate; subgroupAgreedOn?: IsoDate };
  nationalReview?: Partial<NationalReviewer> & { reportReceivedOn?: IsoDate };
  signOff?: { subgroupAgreedOn: IsoDate; executive?: ExecutiveSignoff; reportSentOn?: IsoDate };
  publication?: Published & { removedOn?: IsoDate };
  learning?: { sharedOn?: IsoDate; staffInformedOn?: IsoDate };
  deferrals: Array<Defer & { at: string }>;
  amendments: Amendment[];
  withdrawal?: Withdraw & { at: string };
  events: CaseEvent[];
  reminders: ReminderSent[];
  closedBecause?: string;
  /** Bumped by every recorded message, so the workflow's main loop knows to re-plan. */
  revision: number;
}

/** What `state` returns: the case with each deadline's status as a person reads it. */
export interface IncidentView extends Omit<IncidentState, 'deadlines' | 'revision'> {
  deadlines: Array<Omit<DeadlineState, 'status'> & { status: DeadlineStatus | 'overdue' }>;
}

export function viewOf(state: IncidentState): IncidentView {
  const { revision: _revision, ...rest } = state;
  return {
    ...rest,
    deadlines: state.deadlines.map((d) => ({ ...d, status: d.status === 'open' && d.overdue ? 'overdue' : d.status })),
  };
}
