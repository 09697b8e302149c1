/**
 * A worker on Temporal's time-skipping test server, with a mailer that keeps
 * every email and the server time it went out. For workflow tests.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Worker } from '@temporalio/worker';
import { readFileSync } from 'node:fs';
import { createActivities } from '../../activities';
import { WorkingDayCalendar, type BankHoliday } from '../../src/calendar';
import type { DeadlineSettings } from '../../src/deadlines';
import { loadDirectory, type Directory } from '../../src/directory';
import { workflowIdFor, type IncidentInput, type IncidentView } from '../../src/process/incident';
import { updates, type MessageInputs, type MessageName } from '../../src/process/messages';
import { addSearchAttributes } from '../../src/toolchain/serverSetup';
import type { incident } from '../../workflows';
import { captureMailer } from './captureMailer';
import { SHIPPED_DIRECTORY } from './fixtures';
import { quietRuntime, testServerPath } from './toolchain';

export type CaseHandle = WorkflowHandle<typeof incident>;
/** [UTC time to the minute, deadline, level, recipients as short codes] */
export type Sent = [string, string, number, string];

/** Short codes for the fictional directory's people: BU, BM, LA, police, police-SL, ... */
function codes(directory: Directory): Map<string, string> {
  const m = new Map<string, string>();
  const short: Record<string, string> = { 'business-unit': 'BU', 'business-manager': 'BM', 'la-lead': 'LA', 'cspr-subgroup-chair': 'CSPR', 'executive-chair': 'EXEC', 'learning-subgroup': 'LDS' };
  for (const [role, p] of Object.entries(directory.roles)) m.set(p.email, short[role] ?? role);
  for (const [id, a] of Object.entries(directory.agencies)) {
    m.set(a.contact.email, id);
    m.set(a.safeguardingLead.email, `${id}-SL`);
  }
  return m;
}

export interface TimeSkipping {
  env: TestWorkflowEnvironment;
  extraHolidays: BankHoliday[];
  skipTo(instant: string): Promise<void>;
  open(input: IncidentInput): Promise<CaseHandle>;
  send<N extends MessageName>(handle: CaseHandle, name: N, input: MessageInputs[N]): Promise<IncidentView>;
  /** Every email about a case, sorted by time then deadline. */
  sent(ref: string): Sent[];
  /** Wait (in real time) until `n` emails about a case have gone. */
  waitForSent(ref: string, n: number): Promise<Sent[]>;
  mailer: ReturnType<typeof captureMailer>;
  shutdown(): Promise<void>;
}

export async function startTimeSkipping(taskQueue: string, deadlineSettings?: DeadlineSettings): Promise<TimeSkipping> {
  quietRuntime();
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: testServerPath() } } });
  await addSearchAttributes(env.connection, 'default');
  const mailer = captureMailer();
  const extraHolidays: BankHoliday[] = [];
  const directory = JSON.parse(readFileSync(SHIPPED_DIRECTORY, 'utf8')) as Directory;
  const code = codes(directory);
  let calendar: { content: string; built: WorkingDayCalendar } | undefined;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: new DefaultLogger('WARN') }),
    activities: createActivities({
      mailer,
      directory: () => loadDirectory(SHIPPED_DIRECTORY),
      // Rebuilt when a test adds a holiday, reused otherwise (as loadCalendar reuses it while the file is unchanged).
      calendar: async () => {
        const content = JSON.stringify(extraHolidays);
        if (calendar?.content !== content) calendar = { content, built: new WorkingDayCalendar([...extraHolidays]) };
        return calendar.built;
      },
      deadlineSettings,
    }),
  });
  const running = worker.run();
  const sent = (ref: string): Sent[] =>
    mailer.sent
      .filter((m) => m.headers['X-KSCP-Case'] === ref)
      .map((m): Sent => [m.at.slice(0, 16), m.headers['X-KSCP-Deadline']!, Number(m.headers['X-KSCP-Level']), m.to.map((a) => code.get(a) ?? a).sort().join(' ')])
      .sort((a, b) => a[0].localeCompare(b[0]) || a[1].localeCompare(b[1]));
  return {
    env,
    extraHolidays,
    mailer,
    async skipTo(instant) {
      const now = await env.currentTimeMs();
      const target = Date.parse(instant);
      if (Number.isNaN(target) || target < now) throw new Error(`cannot skip to ${instant}: the test server clock is at ${new Date(now).toISOString()}`);
      await env.sleep(target - now);
    },
    // kscp notify stamps when it checked the form; here that is the test server's clock.
    open: async (input) =>
      env.client.workflow.start<typeof incident>('incident', {
        workflowId: workflowIdFor(input.form.ref),
        taskQueue,
        args: [{ checkedAt: new Date(await env.currentTimeMs()).toISOString(), ...input }],
      }),
    send: (handle, name, input) => handle.executeUpdate(updates[name] as UpdateDefinition<IncidentView, [unknown]>, { args: [input] }),
    sent,
    async waitForSent(ref, n) {
      const until = Date.now() + 20_000;
      while (sent(ref).length < n && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      return sent(ref);
    },
    async shutdown() {
      worker.shutdown();
      await running;
      await env.teardown();
    },
  };
}

/** The deadlines of a case as [name, due, status]. */
export function deadlineTable(view: IncidentView): Array<[string, string | undefined, string]> {
  return view.deadlines.map((d) => [d.name, d.due, d.status]);
}
