/**
 * Activities: every side effect and everything whose answer can change over
 * time (the calendar, the directory). Built by a factory so the worker hands
 * in nodemailer and the config files, and tests hand in what they need.
 */
import { log } from '@temporalio/activity';
import type { WorkingDayCalendar } from '../src/calendar';
import { DEFAULT_DEADLINE_SETTINGS, planDeadline, type DeadlineSettings } from '../src/deadlines';
import { resolveRole, type Directory } from '../src/directory';
import { composeReminder } from './email';
import type { Mailer } from './mailer';
import type { IncidentActivities, PlanRequest, ReminderRequest, ReminderResult } from './types';

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
}

export function createActivities(deps: ActivityDeps): IncidentActivities {
  return {
    async planDeadlines(request: PlanRequest) {
      const calendar = await deps.calendar();
      const now = new Date(request.now);
      const settings = deps.deadlineSettings ?? DEFAULT_DEADLINE_SETTINGS;
      return request.deadlines.map(({ clock, progress }) => planDeadline(clock, progress, now, calendar, settings));
    },

    async sendReminder(request: ReminderRequest): Promise<ReminderResult> {
      const [directory, calendar] = await Promise.all([deps.directory(), deps.calendar()]);
      const people = request.to.map((role) => resolveRole(directory, role));
      const to = [...new Set(people.map((p) => p.email))];
      // "Today" for the email text: the slot's time, or later if the reminder is going out late.
      const today = new Date(Math.max(Date.parse(request.scheduledAt), (deps.now ?? Date.now)().valueOf()));
      const email = composeReminder(request, today, calendar);
      await deps.mailer.send({
        from: directory.from,
        to,
        subject: email.subject,
        text: email.text,
        messageId: email.messageId,
        headers: { 'X-KSCP-Case': request.ref, 'X-KSCP-Deadline': request.deadline.name, 'X-KSCP-Level': String(request.level) },
      });
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
  };
}
