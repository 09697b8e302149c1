/**
 * Real activities whose planning clock is shifted, per workflow, so that a 09:00 reminder falls due
 * seconds from now on a real server (benchmarks and fault tests only): the planning activity is
 * asked about the instant `now - shift` and its answers are shifted back, so the real workflow
 * sleeps on a real Temporal timer until the real instant its 09:00 reminder stands for, then plans
 * and emails it through the real SMTP path. A case that plans in the workflow gets a calendar
 * snapshot whose London clock is shifted the same way.
 */
import { Context } from '@temporalio/activity';
import type { IncidentActivities } from '../../activities/types';

/** `real` with each workflow's planning clock shifted back by its entry in `shifts` (ms). */
export function shiftedActivities(real: IncidentActivities, shifts: Map<string, number>): IncidentActivities {
  return {
    ...real,
    // Cases that plan in the workflow (patch plan-in-workflow): a snapshot whose London clock is shifted.
    async calendarSnapshot(request) {
      const shift = shifts.get(Context.current().info.workflowExecution?.workflowId ?? '') ?? 0;
      const snapshot = await real.calendarSnapshot({});
      if ('unchanged' in snapshot || shift === 0) return snapshot;
      const version = `${snapshot.version}+shift${shift}`;
      return request.have === version ? { version, unchanged: true } : { ...snapshot, version, shiftMs: shift };
    },
    async planDeadlines(request) {
      const shift = shifts.get(Context.current().info.workflowExecution?.workflowId ?? '') ?? 0;
      const earlier = (iso: string | undefined) => (iso === undefined ? undefined : new Date(Date.parse(iso) - shift).toISOString());
      const later = (iso: string) => new Date(Date.parse(iso) + shift).toISOString();
      const plans = await real.planDeadlines({
        now: earlier(request.now)!,
        deadlines: request.deadlines.map(({ clock, progress }) => ({
          clock,
          progress: { remindersFrom: earlier(progress.remindersFrom), remindedUpTo: earlier(progress.remindedUpTo) },
        })),
      });
      return plans.map((p) =>
        'error' in p
          ? p
          : {
              ...p,
              dueAt: later(p.dueAt),
              wakeAt: p.wakeAt === undefined ? undefined : later(p.wakeAt),
              sendNow: p.sendNow === undefined ? undefined : { ...p.sendNow, at: later(p.sendNow.at) },
            },
      );
    },
  };
}
