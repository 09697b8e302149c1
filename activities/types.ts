/**
 * The activity interface as workflow code sees it (imported with `import type`).
 */
import type { IsoDate } from '../src/process/dates';
import type { IncidentView } from '../src/process/incident';
import type { DeadlinePlan, PlanInput } from '../src/deadlines';
import type { Role } from '../src/process/roles';
import type { ReminderLevel, TimescaleName } from '../src/process/timescales';

export interface PlanRequest {
  /** The workflow's clock: reminders due at or before it are due now. */
  now: string;
  deadlines: PlanInput[];
}

/** A deadline the calendar cannot compute (a date outside the years it covers): the case raises it for attention. */
export interface PlanError {
  error: string;
}

export interface ReminderRequest {
  workflowId: string;
  ref: string;
  deadline: { name: string; timescale: TimescaleName; due: IsoDate; dueAt: string };
  level: ReminderLevel;
  occurrence: number;
  /** When the reminder was scheduled to go out. */
  scheduledAt: string;
  to: Role[];
  /** Stable identity, used as the Message-ID so a retry is recognisable. */
  identity: string;
  policeInvestigation: boolean;
  childDied: boolean;
}

export interface ReminderResult {
  messageId: string;
  /** How many addresses the roles resolved to. */
  recipients: number;
  /** Recipients the mail server refused (the email went to the others). */
  refused?: Array<{ role: string; address: string; reason: string }>;
}

/** One email to the Business Manager (Business Unit in copy): a case needs attention, what is wrong and the fix. */
export interface AttentionNoticeRequest {
  workflowId: string;
  ref: string;
  problem: string;
  fix: string;
  /** Stable identity: the notice is sent once. */
  identity: string;
}

/** The case record to keep in the durable archive (at a stage change and at closing). */
export interface ArchiveRequest {
  workflowId: string;
  /** The first run's id: stable across continue-as-new, new when a reference is reused. */
  firstRunId: string;
  /** The workflow's clock: a later record of the same case replaces an earlier one, never the reverse. */
  recordedAt: string;
  view: IncidentView;
}

export interface IncidentActivities {
  planDeadlines(request: PlanRequest): Promise<Array<DeadlinePlan | PlanError>>;
  sendReminder(request: ReminderRequest): Promise<ReminderResult>;
  archiveCase(request: ArchiveRequest): Promise<void>;
  sendAttentionNotice(request: AttentionNoticeRequest): Promise<ReminderResult>;
}
