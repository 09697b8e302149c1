/**
 * Benchmark 2: the real `kscp` (bin/kscp.js as a subprocess) recording one LA decision, against the
 * Go `temporal workflow signal` (the toolchain's CLI) sending the same decision to another case.
 */
import { execFile } from 'node:child_process';
import { workflowIdFor, type IncidentView } from '../src/process/incident';
import { londonDate } from '../src/london';
import { stateQuery } from '../src/process/messages';
import { REPO_ROOT } from '../test/helpers/fixtures';
import { kscp } from '../test/helpers/processes';
import { temporalCliPath } from '../test/helpers/toolchain';
import type { incident } from '../workflows';
import { benchForm, NAMESPACE, workerEnv, type Bench } from './context';
import type { MailSink } from './mailSink';
import { median, type Figure } from './report';
import { THROUGHPUT_TASK_QUEUE } from './throughput';

export const KSCP_NAME = '`kscp` latency for one message vs Go `temporal workflow signal`';

function timed(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) =>
    execFile(file, args, { cwd: REPO_ROOT, env: { ...process.env, ...env }, timeout: 60_000 }, (err, _stdout, stderr) => {
      if (err) reject(new Error(`${file} ${args.join(' ')} failed: ${stderr || err.message}`));
      else resolve(performance.now() - started);
    }),
  );
}

export async function kscpLatency(bench: Bench, mail: MailSink, rounds: number, year: number): Promise<Figure> {
  const { client } = bench;
  const env = workerEnv(bench, THROUGHPUT_TASK_QUEUE, mail, bench.tmp);
  const today = londonDate(new Date());
  const open = async (n: number) => {
    const form = benchForm(year, n);
    await client.workflow.start<typeof incident>('incident', { workflowId: workflowIdFor(form.ref), taskQueue: THROUGHPUT_TASK_QUEUE, args: [{ form, formReceivedAt: new Date().toISOString() }] });
    return form.ref;
  };
  const decision = { notifiable: true, panelNotifiedOn: today, decidedBy: 'Bench Officer' };
  const kscpMs: number[] = [];
  const goMs: number[] = [];
  // Round 0 is a warm-up (file cache, the worker's first tasks) and is not counted.
  for (let round = 0; round <= rounds; round++) {
    const viaKscp = await open(2 * round + 1);
    const viaGo = await open(2 * round + 2);
    const k = await kscp(['la-decision', viaKscp, '--notifiable', 'yes', '--panel-notified', today, '--by', 'Bench Officer'], env);
    if (k.code !== 0) throw new Error(`kscp la-decision failed (${k.code}): ${k.stderr}`);
    const g = await timed(temporalCliPath(), ['workflow', 'signal', '--address', bench.server.address, '--namespace', NAMESPACE, '--workflow-id', workflowIdFor(viaGo), '--name', 'laDecision', '--input', JSON.stringify(decision)], {});
    if (round > 0) {
      kscpMs.push(k.ms);
      goMs.push(g);
    }
    // Both must have recorded the decision, or the comparison means nothing.
    for (const ref of [viaKscp, viaGo]) {
      const handle = client.workflow.getHandle<typeof incident>(workflowIdFor(ref));
      let view: IncidentView | undefined;
      for (let i = 0; i < 100 && view?.stage !== 'RAPID_REVIEW'; i++) {
        view = await handle.query(stateQuery);
        if (view.stage !== 'RAPID_REVIEW') await new Promise((r) => setTimeout(r, 100));
      }
      if (view?.stage !== 'RAPID_REVIEW') throw new Error(`${ref}: the LA decision was not recorded (stage ${view?.stage}; events: ${JSON.stringify(view?.events.slice(-2))})`);
    }
  }
  // What bounds it: Node's own start-up, and loading the Temporal client (gRPC, protobuf definitions).
  const nodeMs: number[] = [];
  const clientMs: number[] = [];
  for (let i = 0; i < Math.max(3, rounds); i++) {
    nodeMs.push(await timed(process.execPath, ['-e', '0'], {}));
    clientMs.push(await timed(process.execPath, ['-e', "require('@temporalio/client')"], {}));
  }
  const nodeStart = median(nodeMs);
  const clientLoad = median(clientMs) - nodeStart;
  bench.log(`  node -e 0: ${nodeStart.toFixed(0)} ms; loading @temporalio/client: ${clientLoad.toFixed(0)} ms more`);
  const k = median(kscpMs);
  const g = median(goMs);
  const ratio = k / g;
  bench.log(`  kscp la-decision: ${kscpMs.map((x) => x.toFixed(0)).join(', ')} ms; temporal workflow signal: ${goMs.map((x) => x.toFixed(0)).join(', ')} ms`);
  return {
    name: KSCP_NAME,
    value: `${ratio.toFixed(2)}x (${k.toFixed(0)} ms vs ${g.toFixed(0)} ms)`,
    goal: '<= 2x',
    met: ratio <= 2,
    detail:
      `median wall time of ${rounds} runs each (after one warm-up), alternating, each on a freshly opened case: ` +
      '`kscp la-decision <ref> --notifiable yes --panel-notified <today> --by ...` (bin/kscp.js as a subprocess: Node start-up, checks, describe, the encrypted `laDecision` update answered by the real worker, the printed result) ' +
      'against `temporal workflow signal --name laDecision --input {...}` with the same decision (Temporal CLI v1.5.1; server acceptance only, no worker round trip, no encryption). Both decisions are checked as recorded. ' +
        `What bounds kscp: Node's own start-up (\`node -e 0\`: ${nodeStart.toFixed(0)} ms here) and loading the Temporal TypeScript client with its gRPC and protobuf definitions (${clientLoad.toFixed(0)} ms more), before any work; ` +
        'kscp already loads nothing else it does not need (no date-holidays, no worker package, other commands\' modules only when run).',
  };
}
