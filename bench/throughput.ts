/**
 * Benchmark 1: start + LA decision of incident workflows (the real worker process, real email)
 * against a no-op workflow doing start + one update round trip, the same way, on the same server.
 */
import type { Client } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { workflowIdFor, type IncidentView } from '../src/process/incident';
import { londonDate } from '../src/london';
import type { IncidentForm } from '../src/process/schemas';
import { updates } from '../src/process/messages';
import { startNode } from '../test/helpers/processes';
import type { incident } from '../workflows';
import { benchForm, pool, workerEnv, type Bench } from './context';
import type { MailSink } from './mailSink';
import { noopUpdate, type noop } from './noopWorkflow';
import type { Figure } from './report';

export const THROUGHPUT_NAME = 'Incident throughput vs no-op workflow (start + LA decision)';
export const THROUGHPUT_TASK_QUEUE = 'bench-incidents';
const NOOP_TASK_QUEUE = 'bench-noop';

/** Time `cases` runs of `one` (after a few untimed ones: connections, caches, first tasks); cases per second. */
export async function measureRate(log: (line: string) => void, what: string, cases: number, concurrency: number, one: (i: number) => Promise<void>): Promise<number> {
  await pool(Math.min(10, cases), concurrency, (i) => one(-1 - i));
  const started = performance.now();
  await pool(cases, concurrency, one);
  const seconds = (performance.now() - started) / 1000;
  const perSecond = cases / seconds;
  log(`  ${what}: ${cases} in ${seconds.toFixed(1)} s, ${perSecond.toFixed(1)}/s`);
  return perSecond;
}

/** One measured case: `client.workflow.start(incident)` then the LA decision update, which must move it to RAPID_REVIEW. */
export async function startAndDecide(client: Client, taskQueue: string, form: IncidentForm): Promise<void> {
  const decision = { notifiable: true, panelNotifiedOn: londonDate(new Date()), ofsted: 'not-required', decidedBy: 'Bench Officer' };
  const handle = await client.workflow.start<typeof incident>('incident', {
    workflowId: workflowIdFor(form.ref),
    taskQueue,
    args: [{ form, formReceivedAt: new Date().toISOString(), checkedAt: new Date().toISOString() }],
  });
  const view = await handle.executeUpdate(updates.laDecision as UpdateDefinition<IncidentView, [unknown]>, { args: [decision] });
  if (view.stage !== 'RAPID_REVIEW') throw new Error(`${form.ref}: the LA decision left the case at ${view.stage}`);
}

/** The figure, and the incident rate alone (the cluster benchmark reports it beside its own). */
export async function throughput(bench: Bench, mail: MailSink, cases: number, concurrency: number, year: number): Promise<Figure & { incidentRate: number }> {
  const { client } = bench;
  const noopWorker = startNode('dist/bench/noopWorker.js', workerEnv(bench, NOOP_TASK_QUEUE, mail, bench.tmp));
  await noopWorker.waitForOutput(/bench no-op worker: task queue/, 120_000);
  const run = (what: string, one: (i: number) => Promise<void>): Promise<number> => measureRate(bench.log, what, cases, concurrency, one);
  const noopRun = (round: number) =>
    run(`no-op workflows, start + update (round ${round})`, async (i) => {
      const handle = await client.workflow.start<typeof noop>('noop', { workflowId: `bench-noop-${round}-${i}`, taskQueue: NOOP_TASK_QUEUE });
      await handle.executeUpdate(noopUpdate, { args: [{ notifiable: true, decidedBy: 'Bench Officer' }] });
    });
  let serial = 0;
  const incidentRun = (round: number) =>
    run(`incident workflows, start + LA decision (round ${round})`, () => startAndDecide(client, THROUGHPUT_TASK_QUEUE, benchForm(year, ++serial)));
  try {
    // Interleaved, so that load from elsewhere on the machine falls on both alike.
    const noopRates = [await noopRun(1)];
    const incidentRates = [await incidentRun(1)];
    noopRates.push(await noopRun(2));
    incidentRates.push(await incidentRun(2));
    const noopRate = (noopRates[0]! + noopRates[1]!) / 2;
    const incidentRate = (incidentRates[0]! + incidentRates[1]!) / 2;
    const ratio = incidentRate / noopRate;
    return {
      incidentRate,
      name: THROUGHPUT_NAME,
      value: `${ratio.toFixed(2)} (${incidentRate.toFixed(1)}/s vs ${noopRate.toFixed(1)}/s)`,
      goal: '>= 0.5',
      met: ratio >= 0.5,
      detail:
        `cases per second, ${cases} per round, ${concurrency} at a time, two interleaved rounds each (averaged). ` +
        'Incident: `client.workflow.start(incident)` then the `laDecision` update (validated, applied, the real worker process from workers/main.ts planning deadlines and emailing the notices to a real SMTP server), the project\'s encrypting data converter. ' +
        'No-op: a bench-only workflow started the same way with one update round trip, on its own worker process with the same data converter.',
    };
  } finally {
    await noopWorker.stop();
  }
}
