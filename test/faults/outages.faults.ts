/**
 * Outages, on real parts: the Temporal dev server stopped and restarted on the same database in the
 * middle of a deadline; the mail server down for a stretch and back; Temporal unreachable for kscp.
 * Each counts what was lost and duplicated.
 */
import { temporal } from '@temporalio/proto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { StatusJson } from '../../src/cli/commands/status';
import { dataConverter, loadKeys } from '../../src/codec';
import { addDays } from '../../src/process/dates';
import { workflowIdFor } from '../../src/process/incident';
import { londonDate } from '../../src/london';
import { startDevServer, type DevServer } from '../../src/toolchain/devServer';
import { fictionalForm, nextRef, TEST_KEYS } from '../helpers/fixtures';
import { freePort, kscp, startNode, type Child } from '../helpers/processes';
import { startMailbox, type Mailbox } from '../helpers/smtp';
import { temporalCliPath } from '../helpers/toolchain';
import { report } from './report';

const NAMESPACE = 'kscp-outages';
const today = () => londonDate(new Date());

function formFile(dir: string, ref: string): string {
  const f = fictionalForm({ ref, incidentDate: addDays(today(), -1), knownAt: new Date(Date.now() - 3_600_000).toISOString(), laAwareOn: today() });
  const file = path.join(dir, `${ref}.json`);
  writeFileSync(file, JSON.stringify(f));
  return file;
}

describe('the dev server stopped and restarted on the same database mid-deadline', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'kscp-restart-'));
  let server: DevServer;
  let worker: Child;
  let mailbox: Mailbox;

  afterAll(async () => {
    await worker?.stop();
    await mailbox?.close();
    await server?.stop();
  });

  it('keeps the case and its deadlines; the worker reconnects; nothing is lost or sent twice', async () => {
    const port = await freePort();
    const start = () => startDevServer({ binary: temporalCliPath(), port, namespace: NAMESPACE, dbFile: path.join(tmp, 'temporal.db'), logFile: path.join(tmp, 'temporal.log') });
    server = await start();
    mailbox = await startMailbox();
    const env = { KSCP_DATA_DIR: tmp, KSCP_ENCRYPTION_KEYS: TEST_KEYS, TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: NAMESPACE, SMTP_HOST: '127.0.0.1', SMTP_PORT: String(mailbox.port) };
    worker = startNode('dist/workers/main.js', env);
    await worker.waitForOutput(/kscp worker: task queue/);
    const ref = nextRef(2026);
    expect(await kscp(['notify', '--file', formFile(tmp, ref)], env)).toMatchObject({ code: 0 });
    await mailbox.waitFor((m) => m.headers.get('x-kscp-deadline') === 'panel-notification');
    const before = JSON.parse((await kscp(['status', ref, '--json'], env)).stdout) as StatusJson;

    await server.stop();
    const down = await kscp(['status', ref], env);
    expect(down.code).toBe(5);
    await new Promise((r) => setTimeout(r, 5000));
    server = await start();

    const after = JSON.parse((await kscp(['status', ref, '--json'], env)).stdout) as StatusJson;
    expect(after.deadlines).toEqual(before.deadlines);
    expect(after.stage).toBe('LA_DECISION');
    const decided = await kscp(['la-decision', ref, '--notifiable', 'yes', '--panel-notified', today(), '--by', 'Fault Officer'], env);
    expect(decided.stderr).toBe('');
    expect(decided.code).toBe(0);
    await mailbox.waitFor((m) => m.headers.get('x-kscp-deadline') === 'rapid-review', 60_000);
    await new Promise((r) => setTimeout(r, 2000));
    const ids = mailbox.messages.filter((m) => m.subject?.startsWith(`[${ref}]`)).map((m) => m.messageId);
    const status = JSON.parse((await kscp(['status', ref, '--json'], env)).stdout) as StatusJson;
    const lost = status.reminders.filter((r) => !ids.includes(r.messageId)).length;
    const duplicated = ids.length - new Set(ids).size;
    report(`dev server stopped 5 s and restarted on the same database: ${status.reminders.length} reminders recorded, ${new Set(ids).size} received, lost ${lost}, duplicated ${duplicated}; worker still running: ${worker.process.exitCode === null}`);
    expect(status.reminders).toHaveLength(2);
    expect(lost).toBe(0);
    expect(duplicated).toBe(0);
    expect(worker.process.exitCode).toBeNull();
  }, 300_000);
});

describe('the mail server down for a stretch and back', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'kscp-smtp-down-'));
  let server: DevServer;
  let worker: Child;
  let mailbox: Mailbox | undefined;

  afterAll(async () => {
    await worker?.stop();
    await mailbox?.close();
    await server?.stop();
  });

  it('retries with growing intervals, fails no workflow, and delivers once when the server is back', async () => {
    server = await startDevServer({ binary: temporalCliPath(), port: await freePort(), namespace: NAMESPACE, logFile: path.join(tmp, 'temporal.log') });
    const smtpPort = await freePort();
    const env = { KSCP_DATA_DIR: tmp, KSCP_ENCRYPTION_KEYS: TEST_KEYS, TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: NAMESPACE, SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtpPort) };
    worker = startNode('dist/workers/main.js', env);
    await worker.waitForOutput(/kscp worker: task queue/);
    const ref = nextRef(2026);
    expect(await kscp(['notify', '--file', formFile(tmp, ref)], env)).toMatchObject({ code: 0 });

    const client = new Client({ connection: await Connection.connect({ address: server.address }), namespace: NAMESPACE, dataConverter: dataConverter(loadKeys('', { KSCP_ENCRYPTION_KEYS: TEST_KEYS })) });
    const handle = client.workflow.getHandle(workflowIdFor(ref));
    /** Wait until the sending activity has failed `n` times; returns the gap before its next attempt, in ms. */
    const afterFailures = async (n: number): Promise<number> => {
      for (;;) {
        const pending = (await handle.describe()).raw.pendingActivities ?? [];
        const send = pending.find((a) => a.activityType?.name === 'sendReminder');
        if (send && (send.attempt ?? 0) > n && send.lastFailure) {
          const ms = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) => Number(t?.seconds ?? 0) * 1000 + Math.round((t?.nanos ?? 0) / 1e6);
          return ms(send.nextAttemptScheduleTime) - ms(send.lastAttemptCompleteTime);
        }
        await new Promise((r) => setTimeout(r, 250));
      }
    };
    const firstGap = await afterFailures(1);
    const secondGap = await afterFailures(2);
    expect(secondGap).toBeGreaterThan(firstGap);
    expect((await handle.describe()).status.name).toBe('RUNNING');

    mailbox = await startMailbox(smtpPort);
    const notice = await mailbox.waitFor((m) => m.subject?.startsWith(`[${ref}]`) === true, 120_000);
    expect(notice.headers.get('x-kscp-deadline')).toBe('panel-notification');
    await new Promise((r) => setTimeout(r, 2000));
    const ids = mailbox.messages.filter((m) => m.subject?.startsWith(`[${ref}]`)).map((m) => m.messageId);
    const history = await handle.fetchHistory();
    const failedWorkflow = history.events?.some((e) => e.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED);
    report(`mail server down then back: retries ${Math.round(firstGap / 1000)} s then ${Math.round(secondGap / 1000)} s apart; delivered ${ids.length}, lost ${1 - new Set(ids).size}, duplicated ${ids.length - new Set(ids).size}; workflow failed: ${failedWorkflow}`);
    expect(ids).toHaveLength(1);
    expect(failedWorkflow).toBe(false);
    expect((await handle.describe()).status.name).toBe('RUNNING');
    await client.connection.close();
  }, 300_000);
});

describe('Temporal unreachable', () => {
  it('makes kscp fail within 10 s with one sentence saying so', async () => {
    const run = await kscp(['status', 'KSCP-2026-999'], { KSCP_ENCRYPTION_KEYS: TEST_KEYS, TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}` });
    report(`Temporal unreachable: kscp exited ${run.code} after ${(run.ms / 1000).toFixed(1)} s: ${run.stderr.trim()}`);
    expect(run.code).toBe(5);
    expect(run.ms).toBeLessThan(10_000);
    expect(run.stderr).toMatch(/^kscp: cannot reach Temporal at 127\.0\.0\.1:\d+ .*\n$/);
  });
});
