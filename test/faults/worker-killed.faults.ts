/**
 * The worker SIGKILLed at 20 points of a lifecycle compressed into one day (every step recorded
 * today, on the real dev server) and restarted each time: right after a message is recorded (the
 * workflow task or the planning activity in flight), while an email is being handed to the mail
 * server (held at the greeting), and while idle. The real worker process, the real email ledger (in
 * the case archive's SQLite file), a real SMTP server. Counts what was lost and what was duplicated.
 * Kills after the mail server accepted an email, with two workers sharing the ledger, are in
 * two-workers-killed-sending.faults.ts.
 */
import { Client, Connection } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dataConverter, loadKeys } from '../../src/codec';
import { addDays } from '../../src/process/dates';
import { workflowIdFor, type IncidentView } from '../../src/process/incident';
import { londonDate } from '../../src/london';
import { stateQuery, updates, type MessageInputs, type MessageName } from '../../src/process/messages';
import { startDevServer, type DevServer } from '../../src/toolchain/devServer';
import type { incident } from '../../workflows';
import { fictionalForm, nextRef, TEST_KEYS } from '../helpers/fixtures';
import { freePort, startNode, type Child } from '../helpers/processes';
import { startMailbox, type Mailbox } from '../helpers/smtp';
import { temporalCliPath } from '../helpers/toolchain';
import { report } from './report';

type Kill = 'after-message' | 'while-sending' | 'idle';
type Step = { [N in MessageName]: [N, MessageInputs[N], Kill[]] }[MessageName];

const NAMESPACE = 'kscp-faults';
const TASK_QUEUE = 'faults-worker-killed';
const by = 'Fault Officer';
const tmp = mkdtempSync(path.join(os.tmpdir(), 'kscp-faults-'));
let server: DevServer;
let client: Client;
let mailbox: Mailbox;
let worker: Child;
let workerEnv: NodeJS.ProcessEnv;

async function startWorker(): Promise<void> {
  worker = startNode('dist/workers/main.js', workerEnv);
  await worker.waitForOutput(/kscp worker: task queue/);
}

beforeAll(async () => {
  server = await startDevServer({ binary: temporalCliPath(), port: await freePort(), namespace: NAMESPACE, logFile: path.join(tmp, 'temporal.log') });
  client = new Client({ connection: await Connection.connect({ address: server.address }), namespace: NAMESPACE, dataConverter: dataConverter(loadKeys('', { KSCP_ENCRYPTION_KEYS: TEST_KEYS })) });
  mailbox = await startMailbox();
  workerEnv = {
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_NAMESPACE: NAMESPACE,
    KSCP_TASK_QUEUE: TASK_QUEUE,
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(mailbox.port),
    KSCP_ENCRYPTION_KEYS: TEST_KEYS,
    KSCP_DATA_DIR: tmp,
    KSCP_LOG_LEVEL: 'WARN',
  };
  await startWorker();
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  await client?.connection.close();
  await mailbox?.close();
  await server?.stop();
});

it('loses and duplicates no reminder when the worker is killed at 20 points and restarted', async () => {
  const today = londonDate(new Date());
  const soon = addDays(today, 7);
  /** [message, input, kills after it, the clocks it starts (whose notices must arrive before the next step)] */
  const steps: Array<[...Step, string[]]> = [
    ['laDecision', { notifiable: true, panelNotifiedOn: today, ofsted: 'not-required', decidedBy: by }, ['while-sending'], ['rapid-review']],
    ['infoRequest', { agency: 'police', requestedOn: today, dueOn: soon, by }, ['after-message'], ['info-request:police']],
    ['infoReceived', { agency: 'police', receivedOn: today, by }, ['after-message', 'idle'], []],
    ['rapidReview', { meetingOn: today, submittedOn: today, outcome: 'local-review', rationale: 'Fictional.', by }, ['while-sending'], ['panel-response', 'partners-informed']],
    ['partnersInformed', { on: today, by }, [], []],
    ['panelResponse', { receivedOn: today, decision: 'local-review', by }, ['after-message', 'idle'], []],
    ['lcsprStart', { initiatedOn: today, methodology: 'case-authored', by }, ['after-message', 'idle'], ['lcspr-publication']],
    ['infoRequest', { agency: 'health', requestedOn: today, dueOn: soon, by }, ['while-sending'], ['info-request:health']],
    ['infoReceived', { agency: 'health', receivedOn: today, by }, ['after-message'], []],
    ['views', { from: 'practitioners', on: today, by }, ['idle'], []],
    ['subgroupAgreed', { on: today, by }, ['after-message'], []],
    ['executiveSignoff', { on: today, decision: 'publish', plannedPublicationOn: addDays(today, 30), by }, ['while-sending'], ['report-to-panel', 'report-to-secretary-of-state']],
    ['reportSent', { sentOn: today, to: 'both', by }, ['after-message', 'idle'], []],
    ['published', { on: today, url: 'https://kscp.example.org/reviews/fictional', by }, ['while-sending'], ['website-removal', 'learning-dissemination', 'staff-informed']],
    ['learningShared', { on: today, by }, ['after-message'], []],
    ['staffInformed', { on: today, by }, ['after-message'], []],
    ['removedFromWebsite', { on: today, by }, ['after-message'], []],
  ];
  expect(steps.flatMap((s) => s[2])).toHaveLength(20);

  const form = fictionalForm({ ref: nextRef(2026), incidentDate: addDays(today, -1), knownAt: new Date(Date.now() - 3_600_000).toISOString(), laAwareOn: today });
  const handle = await client.workflow.start<typeof incident>('incident', {
    workflowId: workflowIdFor(form.ref),
    taskQueue: TASK_QUEUE,
    args: [{ form, formReceivedAt: new Date().toISOString(), checkedAt: new Date().toISOString() }],
  });
  const mine = () => mailbox.messages.filter((m) => m.subject?.startsWith(`[${form.ref}]`));
  await mailbox.waitFor(() => mine().length === 1);

  /**
   * Every kill happens while the mail server holds new connections at the greeting, so no email
   * can be half-delivered when the worker dies. Kills after the mail server accepted, including the
   * one window the ledger cannot close, are in two-workers-killed-sending.faults.ts.
   */
  let kills = 0;
  const killAndRestart = async (stall: ReturnType<Mailbox['stall']>, waitForSending: boolean, after: string) => {
    if (waitForSending) await Promise.race([stall.connected, new Promise((_, reject) => setTimeout(() => reject(new Error(`no email was being sent after ${after}`)), 30_000))]);
    await worker.stop('SIGKILL');
    kills++;
    stall.release();
    await startWorker();
  };
  for (const [name, input, modes, clocks] of steps) {
    const held = modes.includes('while-sending') || modes.includes('after-message') ? mailbox.stall() : undefined;
    await handle.executeUpdate(updates[name] as UpdateDefinition<IncidentView, [unknown]>, { args: [input] });
    if (held) await killAndRestart(held, modes.includes('while-sending'), name);
    // The Business Unit works one step at a time: the notices of new clocks arrive before the next step.
    for (const clock of clocks) await mailbox.waitFor((m) => m.subject?.startsWith(`[${form.ref}]`) === true && m.headers.get('x-kscp-deadline') === clock, 120_000);
    if (modes.includes('idle')) await killAndRestart(mailbox.stall(), false, name);
  }
  // The worker restarted moments ago: give it time to poll before asking it.
  let state: IncidentView | undefined;
  for (let i = 0; i < 60 && !state; i++) state = await handle.query(stateQuery).catch(() => new Promise<undefined>((r) => setTimeout(() => r(undefined), 500)));
  expect(state?.stage).toBe('CLOSED');
  if (!state) return;

  await new Promise((r) => setTimeout(r, 3000));
  const received = mine().map((m) => m.messageId!);
  const unique = new Set(received);
  const recorded = state.reminders.map((r) => r.messageId);
  const lost = recorded.filter((id) => !unique.has(id));
  const duplicated = received.length - unique.size;
  report(`worker SIGKILLed at ${kills} points of a lifecycle (17 messages, one day): ${recorded.length} reminders recorded (12 expected), ${unique.size} received, lost ${lost.length}, duplicated ${duplicated}`);
  expect(kills).toBe(20);
  expect(recorded).toHaveLength(12);
  expect(lost).toEqual([]);
  expect(duplicated).toBe(0);
  expect([...unique].sort()).toEqual([...recorded].sort());
}, 900_000);
