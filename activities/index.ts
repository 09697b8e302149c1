/**
 * Activities: every side effect and everything whose answer can change over
 * time (the calendar, the directory). Built by a factory so the worker hands
 * in nodemailer and the config files, and tests hand in what they need.
 */
import { ApplicationFailure, Context, log } from '@temporalio/activity';
import { memoryArchive, type CaseArchive } from '../src/archive';
import type { WorkingDayCalendar } from '../src/calendar';
import { DEFAULT_DEADLINE_SETTINGS, planDeadline, type DeadlinePlan, type DeadlineSettings } from '../src/deadlines';
import { resolveRole, type Directory } from '../src/directory';
import { composeReminder, messageIdFor } from './email';
import { memoryLedger, type Ledger } from './ledger';
import type { Mailer } from './mailer';
import type { ArchiveRequest, AttentionNoticeRequest, IncidentActivities, PlanError, PlanRequest, ReminderRequest, ReminderResult } from './types';

export type { IncidentActivities } from './types';

export interface ActivityDeps {
  mailer: Mailer;
  /** Read at every call, so a changed file applies to open cases. */
  directory: () => Promise<Directory>;
  calendar: () => Promise<WorkingDayCalendar>;
  /** The real clock, for "today" in email text when a reminder goes out late. */
  now?: () => Date;
  /** Configurable timescales (website retention); the guide's values when absent. */
  deadlineSettings?: DeadlineSettings;
  /** Where each email is recorded before and after sending, so a retry does not send it twice. */
  ledger?: Ledger;
  /** The durable case archive (the worker's SQLite file or PostgreSQL); in memory when absent. */
  archive?: CaseArchive;
}

/** Tell Temporal this attempt is alive every 2 s while `work` runs (the heartbeat timeout is 10 s). */
async function whileHeartbeating<T>(work: () => Promise<T>): Promise<T> {
  const ctx = Context.current();
  ctx.heartbeat();
  const timer = setInterval(() => ctx.heartbeat(), 2_000);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

export function createActivities(deps: ActivityDeps): IncidentActivities {
  const ledger = deps.ledger ?? memoryLedger();
  const archive = deps.archive ?? memoryArchive();
  return {
    async planDeadlines(request: PlanRequest) {
      const calendar = await deps.calendar();
      const now = new Date(request.now);
      const settings = deps.deadlineSettings ?? DEFAULT_DEADLINE_SETTINGS;
      // One deadline that cannot be computed (a date the calendar does not cover) does not stop the others.
      return request.deadlines.map((d): DeadlinePlan | PlanError => {
        try {
          return planDeadline(d, now, calendar, settings);
        } catch (err) {
          if (!(err instanceof RangeError)) throw err;
          log.warn('a deadline cannot be computed', { timescale: d.clock.timescale, error: err.message });
          return { error: err.message };
        }
      });
    },

    async sendReminder(request: ReminderRequest): Promise<ReminderResult> {
      const known = await ledger.lookup(request.identity);
      if (known?.state === 'sent') {
        log.info('reminder already sent; not sending again', { ref: request.ref, deadline: request.deadline.name, level: request.level, occurrence: request.occurrence });
        return { messageId: known.messageId, recipients: known.recipients ?? 0 };
      }
      if (known?.state === 'pending') {
        log.warn('a previous attempt may have sent this reminder; sending again with the same Message-ID', { ref: request.ref, deadline: request.deadline.name, level: request.level });
      }
      const [directory, calendar] = await Promise.all([deps.directory(), deps.calendar()]);
      const unresolved: string[] = [];
      const people = request.to.flatMap((role) => {
        try {
          return [resolveRole(directory, role)];
        } catch (err) {
          unresolved.push((err as Error).message);
          return [];
        }
      });
      if (unresolved.length)
        throw ApplicationFailure.create({ type: 'RecipientUnresolvable', nonRetryable: true, message: `${unresolved.join('; ')}: add it to the directory (KSCP_DIRECTORY_FILE) or correct the case` });
      const to = [...new Set(people.map((p) => p.email))];
      // "Today" for the email text: the slot's time, or later if the reminder is going out late.
      const today = new Date(Math.max(Date.parse(request.scheduledAt), (deps.now ?? Date.now)().valueOf()));
      const email = composeReminder(request, today, calendar);
      await ledger.record({ identity: request.identity, state: 'pending', messageId: email.messageId, at: new Date().toISOString() });
      await whileHeartbeating(() => deps.mailer.send({
        from: directory.from,
        to,
        subject: email.subject,
        text: email.text,
        html: email.html,
        attachments: [{ filename: email.calendar.filename, content: email.calendar.content, contentType: 'text/calendar; charset=utf-8; method=PUBLISH' }],
        messageId: email.messageId,
        headers: { 'X-KSCP-Case': request.ref, 'X-KSCP-Deadline': request.deadline.name, 'X-KSCP-Level': String(request.level) },
      }));
      await ledger.record({ identity: request.identity, state: 'sent', messageId: email.messageId, at: new Date().toISOString(), recipients: to.length });
      log.info('reminder sent', {
        ref: request.ref,
        deadline: request.deadline.name,
        due: request.deadline.due,
        level: request.level,
        occurrence: request.occurrence,
        recipients: to.length,
      });
      return { messageId: email.messageId, recipients: to.length };
    },

    async sendAttentionNotice(request: AttentionNoticeRequest): Promise<ReminderResult> {
      const known = await ledger.lookup(request.identity);
      if (known?.state === 'sent') return { messageId: known.messageId, recipients: known.recipients ?? 0 };
      const directory = await deps.directory();
      const to = [resolveRole(directory, 'business-manager').email];
      const cc = [resolveRole(directory, 'business-unit').email];
      const messageId = messageIdFor(request.identity);
      await ledger.record({ identity: request.identity, state: 'pending', messageId, at: new Date().toISOString() });
      await deps.mailer.send({
        from: directory.from,
        to: [...to, ...cc],
        subject: `[${request.ref}] NEEDS ATTENTION: ${request.problem.slice(0, 120)}`,
        text: `Case reference: ${request.ref}\n\nThe case needs attention: ${request.problem}.\n\nWhat to do: ${request.fix}.\n\nThe case carries on with everything else. kscp doctor lists every case that needs attention.\n`,
        messageId,
        headers: { 'X-KSCP-Case': request.ref, 'X-KSCP-Attention': 'true' },
      });
      await ledger.record({ identity: request.identity, state: 'sent', messageId, at: new Date().toISOString(), recipients: to.length + cc.length });
      log.warn('attention notice sent to the Business Manager', { ref: request.ref });
      return { messageId, recipients: to.length + cc.length };
    },

    async archiveCase(request: ArchiveRequest): Promise<void> {
      await archive.save(request);
      log.info('case archived', { ref: request.view.ref, stage: request.view.stage });
    },
  };
}
