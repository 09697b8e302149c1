/**
 * The activity interface as workflow code sees it (imported with `import type`).
 */
import type { IsoDate } from '../src/process/dates';
import type { IncidentView } from '../src/process/incident';
import type { DeadlinePlan, PlanInput } from '../src/deadlines';
import type { Role } from '../src/process/roles';
import type { CalendarSnapshotReply } from '../src/process/workingDays';
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

/** A recipient the mail server refused while it accepted the email for others. */
export interface RefusedRecipient {
  /** The role the address came from (one entry per role when several roles share the address). */
  role: string;
  address: string;
  /** The mail server's reply, e.g. `550 5.1.1 <x@example.org>: mailbox unavailable`. */
  reason: string;
  /** A 5xx reply (retrying will not help); false for a 4xx (temporary) one. */
  permanent: boolean;
}

/**
 * What an email activity returns when the mail server accepted the email (for every recipient, or
 * for some: then `refused` lists the others). The same result, from the ledger, when it had been
 * sent already. Failures: src/process/sendFailures.ts.
 */
export interface ReminderResult {
  messageId: string;
  /** How many addresses the mail server accepted. */
  recipients: number;
  /** Who was refused (empty when none). */
  refused: RefusedRecipient[];
}

/** One email to the Business Manager (Business Unit in copy): a case needs attention. No child's details. */
export interface AttentionNoticeRequest {
  workflowId: string;
  ref: string;
  /** What is wrong, in words (role names, deadline names, the mail server's reply; nothing about the child). */
  problem: string;
  /** The exact fix (a directory entry to add, a kscp command). */
  fix: string;
  /** Stable identity of this notice (sent once per identity, used as its Message-ID). */
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

/** What a case asks the calendar: the snapshot, unless it holds this version already. */
export interface CalendarSnapshotRequest {
  have?: string;
}

export interface IncidentActivities {
  /** Cases recorded before patch `plan-in-workflow` plan here; later ones plan in the workflow from `calendarSnapshot`. */
  planDeadlines(request: PlanRequest): Promise<Array<DeadlinePlan | PlanError>>;
  /** A local activity: the calendar as plain JSON (src/process/workingDays.ts), or only its version when unchanged. */
  calendarSnapshot(request: CalendarSnapshotRequest): Promise<CalendarSnapshotReply>;
  sendReminder(request: ReminderRequest): Promise<ReminderResult>;
  sendAttentionNotice(request: AttentionNoticeRequest): Promise<ReminderResult>;
  archiveCase(request: ArchiveRequest): Promise<void>;
}
