/**
 * A case stuck in a workflow-task failure loop, on real parts (the dev server, the worker as its own
 * process, real SMTP, the real `kscp` and the real Temporal CLI): reading commands never crash on it
 * (they flag it with the reason and show the others), and the repair `kscp doctor` prints, run as
 * printed, brings the case back with every recorded step (DESIGN.md §7; docs/operations.md).
 *
 * How the case gets stuck, for real: it was written by an earlier release of the workflow code
 * (test/fixtures/earlier-release: one timer more at the start, a change made without `patched`), and
 * the worker now runs the current release, which cannot replay it. The first message after the
 * upgrade (a signal, as the Web UI sends it) needs a workflow task, and that task fails with a
 * non-determinism error on every attempt.
 */
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DoctorJson } from '../../src/cli/commands/doctor';
import type { OpenDeadline } from '../../src/cli/commands/deadlines';
import type { ListedCase } from '../../src/cli/commands/list';
import type { ReportJson } from '../../src/cli/commands/report';
import type { StatusJson } from '../../src/cli/commands/status';
import type { TimelineJson } from '../../src/cli/commands/timeline';
import { dataConverter, loadKeys } from '../../src/codec';
import { londonDate } from '../../src/london';
import { addDays } from '../../src/process/dates';
import { workflowIdFor } from '../../src/process/incident';
import { signals } from '../../src/process/messages';
import { WORKFLOW_BUNDLE, workflowBundleOptions } from '../../workers/bundle';
import { fictionalForm, nextRef, REPO_ROOT, SHIPPED_CALENDAR, TEST_KEYS } from '../helpers/fixtures';
import { kscp, startNode, type Child, type Run } from '../helpers/processes';
import { startStack, type Stack } from '../helpers/stack';

const NAMESPACE = 'kscp-stuck';
const tmp = mkdtempSync(path.join(os.tmpdir(), 'kscp-stuck-'));
const earlierRelease = path.join(tmp, 'earlier-release.js');
const calendarFile = path.join(tmp, 'calendar.json');
copyFileSync(SHIPPED_CALENDAR, calendarFile);
let stack: Stack;
let current: Child | undefined;
let client: Client;
let env: NodeJS.ProcessEnv;

const today = londonDate(new Date());
const by = 'Test Officer';
let stuck: string;
let rapidReview: string;
let waiting: string;

beforeAll(async () => {
  const { code } = await bundleWorkflowCode({ ...workflowBundleOptions(), workflowsPath: require.resolve('../fixtures/earlier-release') });
  writeFileSync(earlierRelease, code);
  // The earlier release runs first (a production worker on its bundle)...
  stack = await startStack({ namespace: NAMESPACE, dataDir: tmp, env: { NODE_ENV: 'production', KSCP_WORKFLOW_BUNDLE: earlierRelease } });
  env = { ...stack.env, KSCP_WORKFLOW_BUNDLE: WORKFLOW_BUNDLE, KSCP_CALENDAR_FILE: calendarFile };
  client = new Client({ connection: await Connection.connect({ address: stack.server.address }), namespace: NAMESPACE, dataConverter: dataConverter(loadKeys('', { KSCP_ENCRYPTION_KEYS: TEST_KEYS })) });
  stuck = await openCase();
  await decide(stuck);
  await stack.mailbox.waitFor((m) => m.subject?.startsWith(`[${stuck}]`) === true && m.headers.get('x-kscp-deadline') === 'rapid-review');
  // ...then the current release replaces it, and two cases open on it.
  await stack.worker.stop();
  current = startNode('dist/workers/main.js', env);
  await current.waitForOutput(/kscp worker: task queue/);
  rapidReview = await openCase();
  await decide(rapidReview);
  waiting = await openCase();
}, 180_000);

afterAll(async () => {
  await current?.stop();
  await client?.connection.close();
  await stack?.stop();
});

function ok(run: Run): Run {
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
  return run;
}

async function openCase(): Promise<string> {
  const form = fictionalForm({ ref: nextRef(2026), incidentDate: addDays(today, -3), knownAt: new Date(Date.now() - 2 * 3_600_000).toISOString(), laAwareOn: addDays(today, -1) });
  const file = path.join(tmp, `${form.ref}.json`);
  writeFileSync(file, JSON.stringify(form));
  ok(await kscp(['notify', '--file', file], env));
  return form.ref;
}

const decide = async (ref: string): Promise<Run> =>
  ok(await kscp(['la-decision', ref, '--notifiable', 'yes', '--panel-notified', addDays(today, -1), '--ofsted', 'not-required', '--by', by], env));

/** No stack trace and no "unexpected error": a reading command fails, if at all, with one clear line. */
function noCrash(run: Run): Run {
  expect(run.stderr).not.toMatch(/unexpected error|\n\s+at /);
  expect(run.code).not.toBe(1);
  return run;
}

const NON_DETERMINISM = /the case's workflow task has failed \d+ times? in a row \(attempt \d+ [a-z ]+\): non deterministic error: \[TMPRL1100\] Nondeterminism error/;

describe('a case whose workflow task fails on every attempt', () => {
  it('gets stuck on its first task under the current release (a signal sent as the Web UI sends one)', async () => {
    const handle = client.workflow.getHandle(workflowIdFor(stuck));
    await handle.signal(signals.infoRequest, { agency: 'police', requestedOn: today, dueOn: addDays(today, 7), by: 'Web UI user' });
    const deadline = Date.now() + 60_000;
    let attempt = 0;
    while (attempt < 3 && Date.now() < deadline) {
      attempt = (await handle.describe()).raw.pendingWorkflowTask?.attempt ?? 0;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(attempt).toBeGreaterThanOrEqual(3);
  });

  it('kscp list shows every case, the stuck one flagged with the reason', async () => {
    const cases = JSON.parse(ok(await kscp(['list', '--json'], env)).stdout) as ListedCase[];
    expect(cases.map((k) => k.ref).sort()).toEqual([stuck, rapidReview, waiting].sort());
    const flagged = cases.find((k) => k.ref === stuck)!;
    expect(flagged.needsAttention).toEqual([expect.objectContaining({ kind: 'workflow-task-failing', problem: expect.stringMatching(NON_DETERMINISM) })]);
    expect(cases.filter((k) => k.ref !== stuck).every((k) => k.needsAttention.length === 0)).toBe(true);
    const table = ok(await kscp(['list'], env)).stdout;
    expect(table).toMatch(new RegExp(`${stuck} .*NEEDS ATTENTION\\n`));
    expect(table).toMatch(new RegExp(`\\n  ${stuck}  the case's workflow task has failed`));
  });

  it('kscp deadlines lists the others, names the stuck case and why on stderr, and exits 7', async () => {
    const run = noCrash(await kscp(['deadlines', '--json'], env));
    expect(run.code).toBe(7);
    const rows = JSON.parse(run.stdout) as OpenDeadline[];
    expect([...new Set(rows.map((d) => d.ref))].sort()).toEqual([rapidReview, waiting].sort());
    expect(run.stderr).toMatch(new RegExp(`^kscp: the deadlines of 1 open case could not be read and are not listed \\(the others are\\): ${stuck}: the case's workflow task has failed`));
    const text = noCrash(await kscp(['deadlines'], env));
    expect(text.code).toBe(7);
    expect(text.stdout).toContain(`${rapidReview}  rapid-review`);
    expect(text.stdout).toMatch(new RegExp(`NEEDS ATTENTION: 1 case \\(kscp doctor says how to repair each\\):\\n  ${stuck}  the case's workflow task has failed`));
    const ics = noCrash(await kscp(['deadlines', '--ics'], env));
    expect(ics.code).toBe(7);
    expect(ics.stdout).toContain(`UID:${waiting}.panel-notification@kscp.deadlines`);
  });

  it('kscp report counts the stuck case from its last archived record, says so, and exits 7', async () => {
    const run = noCrash(await kscp(['report', '--from', addDays(today, -30), '--to', today, '--json'], env));
    expect(run.code).toBe(7);
    const report = JSON.parse(run.stdout) as ReportJson;
    expect(report.cases).toBe(3);
    expect(report.sources).toEqual({ temporal: 2, archive: 1 });
    expect(report.unread).toEqual([{ ref: stuck, problem: expect.stringMatching(NON_DETERMINISM), countedFromArchive: true }]);
    expect(run.stderr).toContain(`kscp: 1 open case could not be read (${stuck}: the case's workflow task has failed`);
  });

  it('kscp status and timeline show the stuck case from the archive with the reason and the repair, and exit 7', async () => {
    const run = noCrash(await kscp(['status', stuck, '--json'], env));
    expect(run.code).toBe(7);
    const s = JSON.parse(run.stdout) as StatusJson;
    expect(s).toMatchObject({ ref: stuck, source: 'archive', workflowStatus: 'RUNNING', liveUnreadable: true, stage: 'RAPID_REVIEW' });
    expect(s.needsAttention).toEqual([expect.objectContaining({ kind: 'workflow-task-failing', commands: [expect.stringMatching(/ workflow reset --workflow-id /), `kscp status ${stuck}`] })]);
    const text = noCrash(await kscp(['status', stuck], env));
    expect(text.stdout).toMatch(new RegExp(`^Case ${stuck}: stage RAPID_REVIEW \\(workflow incident-${stuck}, running, CANNOT BE READ: shown from the case archive, recorded .*\\)\\n\\nNEEDS ATTENTION:\\n  - the case's workflow task has failed`));
    expect(text.stderr).toMatch(new RegExp(`^kscp: case ${stuck} needs attention: it cannot be read \\(the case's workflow task has failed`));
    const timeline = noCrash(await kscp(['timeline', stuck, '--json'], env));
    expect(timeline.code).toBe(7);
    expect((JSON.parse(timeline.stdout) as TimelineJson).entries.map((e) => e.kind)).toContain('recorded');
    expect((await kscp(['status', rapidReview], env)).code).toBe(0);
  });

  it('a step for the stuck case is refused at once with the reason (exit 7), nothing recorded', async () => {
    const run = noCrash(await kscp(['info-request', stuck, '--agency', 'health', '--requested', today, '--due', addDays(today, 7), '--by', by], env));
    expect(run.code).toBe(7);
    expect(run.stderr).toMatch(new RegExp(`^kscp: case ${stuck} needs attention: its workflow task has failed \\d+ times in a row, so it cannot take a step now; nothing was recorded\\.`));
    expect(run.ms).toBeLessThan(10_000);
  });

  it('kscp doctor names the case, the reason and the reset that keeps its recorded steps; run as printed, the case recovers', async () => {
    const run = noCrash(await kscp(['doctor', '--json'], env));
    expect(run.code).toBe(7);
    const report = JSON.parse(run.stdout) as DoctorJson;
    expect(report.needsAttention.map((p) => [p.ref, p.kind])).toEqual([[stuck, 'workflow-task-failing']]);
    const [reset] = report.needsAttention[0]!.commands;
    expect(reset).toMatch(
      new RegExp(
        `^\\S*temporal workflow reset --workflow-id incident-${stuck} --type FirstWorkflowTask --reason 'kscp doctor: re-run the case on the current workflow code, re-applying its recorded steps' --address ${stack.server.address} --namespace ${NAMESPACE}$`,
      ),
    );
    const text = await kscp(['doctor'], env);
    expect(text.stdout).toContain(`    ${reset}\n`);

    // The operator runs the command exactly as printed, in a shell.
    const shell = await new Promise<{ code: number; out: string }>((resolve) =>
      execFile('sh', ['-c', reset!], { cwd: REPO_ROOT, env: { ...process.env, ...env } }, (err, stdout, stderr) => resolve({ code: err ? 1 : 0, out: stdout + stderr })),
    );
    expect(shell).toEqual({ code: 0, out: expect.stringMatching(/^Resetting workflow incident-.* to event ID \d+\n$/) });

    const deadline = Date.now() + 60_000;
    let after = await kscp(['status', stuck, '--json'], env);
    while (after.code !== 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      after = await kscp(['status', stuck, '--json'], env);
    }
    const s = JSON.parse(ok(after).stdout) as StatusJson;
    expect(s).toMatchObject({ source: 'temporal', stage: 'RAPID_REVIEW', liveUnreadable: false, needsAttention: [] });
    // Every recorded step is still there: the LA decision (an update) and the Web UI's request (a signal).
    expect(s.events.map((e) => e.what)).toEqual([
      expect.stringMatching(/^eCase form recorded/),
      expect.stringMatching(/^LA decided the incident is notifiable/),
      expect.stringMatching(/^Information requested from police on /),
    ]);
    expect(s.deadlines.find((d) => d.name === 'info-request:police')).toMatchObject({ status: 'open' });
    await stack.mailbox.waitFor((m) => m.subject?.startsWith(`[${stuck}]`) === true && m.headers.get('x-kscp-deadline') === 'info-request:police');
    // No reminder went twice: the email ledger kept those the earlier release had sent.
    const ids = stack.mailbox.messages.map((m) => m.messageId);
    expect(ids.length).toBe(new Set(ids).size);
    expect(stack.mailbox.messages.filter((m) => m.subject?.startsWith(`[${stuck}]`)).map((m) => m.headers.get('x-kscp-deadline')).sort()).toEqual(['info-request:police', 'panel-notification', 'rapid-review']);

    const healthy = await kscp(['doctor'], env);
    expect({ code: healthy.code, stderr: healthy.stderr }).toEqual({ code: 0, stderr: '' });
    expect(healthy.stdout).toMatch(/^Nothing needs attention: 3 open cases checked/);
  });
});

describe('a case whose activity keeps failing', () => {
  it('is flagged with the activity, its failure and the fix, while the case still reads; it clears once the cause is fixed', async () => {
    // The worker's calendar file is damaged: planning due dates fails on every attempt.
    writeFileSync(calendarFile, '{ "extraHolidays": [ this is not JSON');
    ok(await kscp(['info-request', rapidReview, '--agency', 'health', '--requested', today, '--due', addDays(today, 7), '--by', by], env));
    let report: DoctorJson | undefined;
    for (const end = Date.now() + 60_000; Date.now() < end; await new Promise((r) => setTimeout(r, 1000))) {
      report = JSON.parse((await kscp(['doctor', '--json'], env)).stdout) as DoctorJson;
      if (report.needsAttention.length) break;
    }
    expect(report!.needsAttention).toEqual([
      expect.objectContaining({
        kind: 'activity-failing',
        ref: rapidReview,
        problem: expect.stringMatching(new RegExp(`^planDeadlines has failed \\d+ times and is being retried \\(last failure: calendar file ${calendarFile}: not valid JSON \\(.* is not valid JSON\\)\\)$`)),
        fix: expect.stringContaining(`the calendar file it reads (KSCP_CALENDAR_FILE, default ${calendarFile}) is most likely missing or not valid`),
        commands: [`kscp calendar bank-holidays ${new Date().getUTCFullYear()}`],
      }),
    ]);
    // The check it prints says what is wrong with the file kscp reads (the same file here).
    const check = await kscp(['calendar', 'bank-holidays', String(new Date().getUTCFullYear())], env);
    expect(check.code).toBe(2);
    expect(check.stderr).toContain('(KSCP_CALENDAR_FILE)');
    // The case itself still answers, and says it needs attention.
    const s = JSON.parse(ok(await kscp(['status', rapidReview, '--json'], env)).stdout) as StatusJson;
    expect(s.needsAttention.map((p) => p.kind)).toEqual(['activity-failing']);

    copyFileSync(SHIPPED_CALENDAR, calendarFile);
    let after = await kscp(['doctor'], env);
    for (const end = Date.now() + 90_000; after.code !== 0 && Date.now() < end; await new Promise((r) => setTimeout(r, 2000))) after = await kscp(['doctor'], env);
    expect({ code: after.code, stderr: after.stderr }).toEqual({ code: 0, stderr: '' });
    const planned = JSON.parse(ok(await kscp(['status', rapidReview, '--json'], env)).stdout) as StatusJson;
    expect(planned.deadlines.find((d) => d.name === 'info-request:health')).toMatchObject({ status: 'open', due: addDays(today, 7) });
  }, 180_000);
});

describe('no worker polling the task queue', () => {
  it('is reported once, for every case, with how to start the worker (exit 7)', async () => {
    // A worker that polls another queue than kscp uses is, for these cases, no worker at all.
    const run = noCrash(await kscp(['doctor', '--json'], { ...env, KSCP_TASK_QUEUE: 'kscp-nobody-polls' }));
    expect(run.code).toBe(7);
    const report = JSON.parse(run.stdout) as DoctorJson;
    expect(report.worker).toEqual({ polling: false, lastSeen: null });
    expect(report.needsAttention[0]).toMatchObject({
      kind: 'no-worker',
      ref: null,
      problem: 'no worker is polling task queue kscp-nobody-polls in namespace kscp-stuck (as far as the server remembers): no case records a step, sends a reminder or answers',
      commands: ['npm start', 'npm run worker', 'docker compose up -d worker', expect.stringMatching(/ task-queue describe --task-queue kscp-nobody-polls --address /)],
    });
    expect(run.stderr).toBe('kscp: the worker needs attention (above, with the repairs)\n');
  });
});
