/**
 * Records encrypted histories of a case on the declared process model (patch process-model-v3)
 * that receives signals (one applied, several refused: not encrypted, an unknown name, a bad
 * correction), an unknown update, and continues as new: the replay test replays both runs with the
 * worker's data converter. Real dev server (continue-as-new suggested after 150 events), real SMTP,
 * the worker with the production converters. Run `npm run histories:record`; see
 * docs/changing-workflows.md.
 */
import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter, type UpdateDefinition } from '@temporalio/common';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createActivities } from '../../activities';
import { memoryLedger } from '../../activities/emailLedger';
import { createSmtpMailer } from '../../activities/mailer';
import { loadCalendar } from '../../src/calendar';
import { dataConverter, loadKeys } from '../../src/codec';
import { loadDirectory } from '../../src/directory';
import { londonDate } from '../../src/london';
import { addDays } from '../../src/process/dates';
import { workflowIdFor, type IncidentView } from '../../src/process/incident';
import { signals, updates, type MessageInputs, type MessageName } from '../../src/process/messages';
import { startDevServer, type DevServer } from '../../src/toolchain/devServer';
import type { incident } from '../../workflows';
import { workflowBundleOptions } from '../../workers/bundle';
import { fictionalForm, nextRef, SHIPPED_CALENDAR, SHIPPED_DIRECTORY, TEST_KEYS } from '../helpers/fixtures';
import { freePort } from '../helpers/processes';
import { startMailbox, type Mailbox } from '../helpers/smtp';
import { quietRuntime, temporalCliPath } from '../helpers/toolchain';

const NAMESPACE = 'kscp-record';
const TASK_QUEUE = 'record-hostile';
let server: DevServer;
let mailbox: Mailbox;
let worker: Worker;
let workerConnection: NativeConnection;
let running: Promise<void>;
let client: Client;

beforeAll(async () => {
  quietRuntime();
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'kscp-record-'));
  server = await startDevServer({
    binary: temporalCliPath(),
    port: await freePort(),
    namespace: NAMESPACE,
    logFile: path.join(tmp, 'temporal.log'),
    extraArgs: ['--dynamic-config-value', 'limit.historyCount.suggestContinueAsNew=150'],
  });
  mailbox = await startMailbox();
  const keys = loadKeys('', { KSCP_ENCRYPTION_KEYS: TEST_KEYS });
  worker = await Worker.create({
    connection: (workerConnection = await NativeConnection.connect({ address: server.address })),
    namespace: NAMESPACE,
    taskQueue: TASK_QUEUE,
    dataConverter: dataConverter(keys, 'worker'),
    workflowBundle: await bundleWorkflowCode(workflowBundleOptions()),
    activities: createActivities({
      mailer: createSmtpMailer({ host: '127.0.0.1', port: mailbox.port, secure: false }),
      directory: () => loadDirectory(SHIPPED_DIRECTORY),
      calendar: () => loadCalendar(SHIPPED_CALENDAR),
      ledger: memoryLedger(),
    }),
  });
  running = worker.run();
  client = new Client({ connection: await Connection.connect({ address: server.address }), namespace: NAMESPACE, dataConverter: dataConverter(keys) });
}, 120_000);

afterAll(async () => {
  worker?.shutdown();
  await running;
  // The worker does not own its connection: left open, the SDK's native runtime (and Jest) never exits.
  await workerConnection?.close();
  await client?.connection.close();
  await mailbox?.close();
  await server?.stop();
});

it('records a case with applied and refused signals, an unknown update, and a continue-as-new (encrypted)', async () => {
  const today = londonDate(new Date());
  const by = 'Recording Officer';
  const form = fictionalForm({ ref: nextRef(2026), incidentDate: addDays(today, -1), knownAt: new Date(Date.now() - 3_600_000).toISOString(), laAwareOn: today });
  const handle = await client.workflow.start<typeof incident>('incident', {
    workflowId: workflowIdFor(form.ref),
    taskQueue: TASK_QUEUE,
    args: [{ form, formReceivedAt: new Date().toISOString(), checkedAt: new Date().toISOString() }],
  });
  const firstRun = handle.firstExecutionRunId;
  const settle = () => new Promise((r) => setTimeout(r, 500));
  const send = async <N extends MessageName>(name: N, input: MessageInputs[N]) => {
    await handle.executeUpdate(updates[name] as UpdateDefinition<IncidentView, [unknown]>, { args: [input] });
    await settle();
  };

  // Refused: a withdrawal without the keys (as the Go CLI sends it), an unknown signal, a correction of __proto__.
  await client.workflowService.signalWorkflowExecution({
    namespace: NAMESPACE,
    workflowExecution: { workflowId: handle.workflowId },
    signalName: 'withdraw',
    input: { payloads: [defaultPayloadConverter.toPayload({ reason: 'recorded-in-error', detail: 'Fictional.', by })] },
    identity: 'recorder-without-keys',
  });
  await handle.signal('closeCase', {});
  await handle.signal(signals.amend, { field: '__proto__', value: 'x', reason: 'Fictional.', by });
  await settle();
  // Applied: the LA decision as a signal; then an unknown update, refused and recorded.
  await handle.signal(signals.laDecision, { notifiable: true, panelNotifiedOn: today, ofsted: 'required', decidedBy: by });
  await settle();
  await expect(handle.executeUpdate('closeCase', { args: [{}] })).rejects.toThrow();
  await send('rapidReview', { meetingOn: today, submittedOn: today, outcome: 'local-review', rationale: 'Fictional.', by });
  await send('partnersInformed', { on: today, by });
  await send('panelResponse', { receivedOn: today, decision: 'local-review', by });
  await send('lcsprStart', { initiatedOn: today, methodology: 'thematic', by });
  for (let i = 0; i < 30 && (await handle.describe()).runId === firstRun; i++) {
    await send('infoRequest', { agency: 'police', requestedOn: today, dueOn: addDays(today, 1), by });
    await send('infoReceived', { agency: 'police', receivedOn: today, by });
  }
  expect((await handle.describe()).runId).not.toBe(firstRun);
  // The continued run: a refused signal, a step, the Ofsted notification, then the case is withdrawn.
  await handle.signal(signals.views, { from: 'family', on: addDays(today, 3), by });
  await send('views', { from: 'family', on: today, by });
  await send('ofstedNotified', { on: today, by });
  await send('withdraw', { reason: 'other', detail: 'Fictional: end of the recording.', by });
  await handle.result();

  // Both runs: the first (it continued as new) and the second (it closed).
  const runs: string[] = [];
  for await (const w of client.workflow.list({ query: `WorkflowId = '${handle.workflowId}'` })) runs.push(w.runId);
  expect(runs).toHaveLength(2);
  const second = runs.find((r) => r !== firstRun)!;
  for (const [n, runId] of [[1, firstRun], [2, second]] as const) {
    const history = await client.workflow.getHandle(handle.workflowId, runId).fetchHistory();
    writeFileSync(path.join(__dirname, `signals-refusals-continued.run${n}.encrypted.json`), JSON.stringify(JSON.parse(historyToJSON(history)), null, 1) + '\n');
  }
}, 240_000);
