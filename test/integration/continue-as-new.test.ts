/**
 * A long-lived case continues-as-new when Temporal suggests it, carrying its
 * plain-JSON state: forced on the real dev server by lowering the history
 * length at which the server suggests it, then driving a case through many
 * messages. Nothing is lost, nothing is sent twice, and the case goes on.
 */
import { Client, Connection } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Worker } from '@temporalio/worker';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createActivities } from '../../activities';
import { createSmtpMailer } from '../../activities/mailer';
import { loadCalendar } from '../../src/calendar';
import { dataConverter, loadKeys } from '../../src/codec';
import { addDays } from '../../src/process/dates';
import { loadDirectory } from '../../src/directory';
import { workflowIdFor, type IncidentView } from '../../src/process/incident';
import { londonDate } from '../../src/london';
import { stateQuery, updates, type MessageInputs, type MessageName } from '../../src/process/messages';
import { startDevServer, type DevServer } from '../../src/toolchain/devServer';
import type { incident } from '../../workflows';
import { fictionalForm, nextRef, SHIPPED_CALENDAR, SHIPPED_DIRECTORY, TEST_KEYS } from '../helpers/fixtures';
import { freePort } from '../helpers/processes';
import { startMailbox, type Mailbox } from '../helpers/smtp';
import { quietRuntime, temporalCliPath } from '../helpers/toolchain';

const NAMESPACE = 'kscp-can';
const TASK_QUEUE = 'continue-as-new-test';
let server: DevServer;
let mailbox: Mailbox;
let worker: Worker;
let workerConnection: NativeConnection;
let running: Promise<void>;
let client: Client;

beforeAll(async () => {
  quietRuntime();
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'kscp-can-'));
  server = await startDevServer({
    binary: temporalCliPath(),
    port: await freePort(),
    namespace: NAMESPACE,
    logFile: path.join(tmp, 'temporal.log'),
    extraArgs: ['--dynamic-config-value', 'limit.historyCount.suggestContinueAsNew=60'],
  });
  mailbox = await startMailbox();
  const converter = dataConverter(loadKeys('', { KSCP_ENCRYPTION_KEYS: TEST_KEYS }));
  worker = await Worker.create({
    connection: (workerConnection = await NativeConnection.connect({ address: server.address })),
    namespace: NAMESPACE,
    taskQueue: TASK_QUEUE,
    dataConverter: converter,
    workflowBundle: await bundleWorkflowCode({
      workflowsPath: require.resolve('../../workflows'),
      failureConverterPath: converter.failureConverterPath,
      logger: new DefaultLogger('WARN'),
    }),
    activities: createActivities({
      mailer: createSmtpMailer({ host: '127.0.0.1', port: mailbox.port, secure: false }),
      directory: () => loadDirectory(SHIPPED_DIRECTORY),
      calendar: () => loadCalendar(SHIPPED_CALENDAR),
    }),
  });
  running = worker.run();
  client = new Client({ connection: await Connection.connect({ address: server.address }), namespace: NAMESPACE, dataConverter: converter });
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

it('continues-as-new mid-lifecycle with its state, and carries on', async () => {
  const today = londonDate(new Date());
  const tomorrow = addDays(today, 1);
  const form = fictionalForm({ ref: nextRef(2026), incidentDate: addDays(today, -1), knownAt: new Date(Date.now() - 3_600_000).toISOString(), laAwareOn: today });
  const handle = await client.workflow.start<typeof incident>('incident', {
    workflowId: workflowIdFor(form.ref),
    taskQueue: TASK_QUEUE,
    args: [{ form, formReceivedAt: new Date().toISOString(), checkedAt: new Date().toISOString() }],
  });
  const firstRun = handle.firstExecutionRunId;
  const mine = () => mailbox.messages.filter((m) => m.subject?.startsWith(`[${form.ref}]`));
  /** Send a message; when it starts a clock, wait for that clock's notice (as the Business Unit works: one step at a time). */
  const send = async <N extends MessageName>(name: N, input: MessageInputs[N], opensDeadline = true) => {
    const before = mine().length;
    await handle.executeUpdate(updates[name] as UpdateDefinition<IncidentView, [unknown]>, { args: [input] });
    if (opensDeadline) await mailbox.waitFor(() => mine().length > before);
  };
  const by = 'Test Officer';

  await mailbox.waitFor(() => mine().length === 1);
  await send('laDecision', { notifiable: true, panelNotifiedOn: today, ofsted: 'not-required', decidedBy: by });
  await send('rapidReview', { meetingOn: today, submittedOn: today, outcome: 'local-review', rationale: 'Fictional.', by });
  await send('panelResponse', { receivedOn: today, decision: 'local-review', by }, false);
  await send('lcsprStart', { initiatedOn: today, methodology: 'thematic', by });
  let rounds = 0;
  while ((await handle.describe()).runId === firstRun && rounds < 15) {
    await send('infoRequest', { agency: 'police', requestedOn: today, dueOn: tomorrow, by });
    await send('infoReceived', { agency: 'police', receivedOn: today, by }, false);
    rounds++;
  }
  const current = await handle.describe();
  expect(current.runId).not.toBe(firstRun);
  expect(current.status.name).toBe('RUNNING');

  const first = client.workflow.getHandle(handle.workflowId, firstRun);
  const history = await first.fetchHistory();
  expect(history.events?.at(-1)?.eventType).toBe(temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW);

  // The new run carries the whole case on: and accepts the next message.
  await send('infoRequest', { agency: 'health', requestedOn: today, dueOn: tomorrow, by });
  const state = await handle.query(stateQuery);
  expect(state.stage).toBe('LCSPR');
  expect(state.events).toHaveLength(1 + 4 + 2 * rounds + 1);
  expect(state.deadlines.filter((d) => d.name.startsWith('info-request:police')).map((d) => d.status)).toEqual(Array(rounds).fill('met'));
  expect(state.deadlines.at(-1)).toMatchObject({ name: 'info-request:health', status: 'open' });

  // Every notice went once, before and after the new run.
  const notices = 1 + 1 + 1 + 1 + 1 + rounds + 1; // panel-notification, rapid-review, panel-response, partners-informed, lcspr-publication, each info request
  await new Promise((r) => setTimeout(r, 1000));
  const ids = mine().map((m) => m.messageId);
  expect(new Set(ids).size).toBe(ids.length);
  expect(ids).toHaveLength(notices);
}, 180_000);
