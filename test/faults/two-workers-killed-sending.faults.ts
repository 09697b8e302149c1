/**
 * Exactly-once across hosts on the dev server (the scenario: test/faults/twoWorkers.ts): two
 * workers (separate processes, separate data folders) share the email ledger in PostgreSQL
 * (KSCP_ARCHIVE_URL; a private cluster from Debian's programs), on a real Temporal dev server and
 * a real SMTP server; the sending one is SIGKILLed at a chosen point of the send, the other carries
 * on, and the emails are counted by Message-ID.
 *
 * Kill points:
 * - after-claim: the claim is taken, nothing handed to the mail server yet. The other worker
 *   waits for the lease to run out, takes the claim over and sends: 0 lost, 0 duplicated.
 * - after-smtp-accepted: the mail server replied 250 to DATA; the ledger does not say "sent" yet.
 *   This is the one documented window (docs/operations.md, "Email: exactly once"): the other
 *   worker cannot know the email went, takes the claim over once its lease ran out and sends
 *   again. The test expects exactly that duplicate, and that both copies carry the same Message-ID.
 * - after-ledger-sent: the ledger says "sent"; the completion has not reached Temporal. The retry
 *   finds "sent" and returns the recorded result: 0 lost, 0 duplicated.
 * And the proof that the count can fail: after-ledger-sent again with the ledger switched off
 * (KSCP_EMAIL_LEDGER=off, test-only): the retry sends again, and the test sees the duplicate.
 */
import { Client, Connection } from '@temporalio/client';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dataConverter, loadKeys } from '../../src/codec';
import { startDevServer, type DevServer } from '../../src/toolchain/devServer';
import { TEST_KEYS } from '../helpers/fixtures';
import { startPostgres, type TestPostgres } from '../helpers/postgres';
import { freePort } from '../helpers/processes';
import { startMailbox, type Mailbox } from '../helpers/smtp';
import { temporalCliPath } from '../helpers/toolchain';
import { twoWorkers } from './twoWorkers';
import { report } from './report';

const NAMESPACE = 'kscp-faults-two-workers';
const TASK_QUEUE = 'faults-two-workers';
const tmp = mkdtempSync(path.join(os.tmpdir(), 'kscp-faults-two-workers-'));
let pg: TestPostgres;
let server: DevServer;
let client: Client;
let mailbox: Mailbox;
let scenario: ReturnType<typeof twoWorkers>;

beforeAll(async () => {
  pg = await startPostgres('kscp_archive');
  server = await startDevServer({ binary: temporalCliPath(), port: await freePort(), namespace: NAMESPACE, logFile: path.join(tmp, 'temporal.log') });
  client = new Client({ connection: await Connection.connect({ address: server.address }), namespace: NAMESPACE, dataConverter: dataConverter(loadKeys('', { KSCP_ENCRYPTION_KEYS: TEST_KEYS })) });
  mailbox = await startMailbox();
  scenario = twoWorkers({ address: server.address, namespace: NAMESPACE, taskQueue: TASK_QUEUE, archiveUrl: pg.url, client, mailbox, tmp });
}, 180_000);

afterAll(async () => {
  await scenario?.stopAll();
  await client?.connection.close();
  await mailbox?.close();
  await server?.stop();
  await pg?.stop();
});

describe('two workers sharing the ledger in PostgreSQL; the sending one SIGKILLed', () => {
  it('after the claim, before the mail server: the other worker takes the claim over when its lease runs out and sends once', async () => {
    const c = await scenario.killWhileSending('after-claim', 'on');
    report(`two workers, ledger in PostgreSQL, sender killed after-claim: ${scenario.describeCount(c)}; the other worker took the claim over ${c.secondsToRecover.toFixed(0)} s after the kill`);
    expect(c.recorded).toHaveLength(2);
    expect(c.lost).toEqual([]);
    expect(c.duplicated).toEqual([]);
    expect(c.tookOver).toBe(true);
  });

  it('right after the 250 reply to DATA, before the ledger says sent: the documented window, a duplicate with the same Message-ID', async () => {
    const c = await scenario.killWhileSending('after-smtp-accepted', 'on');
    report(
      `two workers, ledger in PostgreSQL, sender killed after-smtp-accepted (IN THE DOCUMENTED WINDOW: the mail server accepted, the ledger did not yet say sent): ${scenario.describeCount(c)}; ` +
        `expected: that one notice twice with the same Message-ID (docs/operations.md, "Email: exactly once")`,
    );
    expect(c.recorded).toHaveLength(2);
    expect(c.lost).toEqual([]);
    // The window: the first notice went twice, as one Message-ID (a mail client shows one email; the copy is recognisable).
    const first = c.recorded[0]!;
    expect(c.duplicated).toEqual([{ messageId: first, copies: 2, deadline: 'panel-notification', level: '1' }]);
    expect(c.copies.get(first)!.map((m) => m.messageId)).toEqual([first, first]);
    expect(c.tookOver).toBe(true);
  });

  it('after the ledger said sent, before the completion reached Temporal: the retry returns the recorded result and sends nothing', async () => {
    const c = await scenario.killWhileSending('after-ledger-sent', 'on');
    report(`two workers, ledger in PostgreSQL, sender killed after-ledger-sent: ${scenario.describeCount(c)}; the other worker's retry found "sent" ${c.secondsToRecover.toFixed(0)} s after the kill`);
    expect(c.recorded).toHaveLength(2);
    expect(c.lost).toEqual([]);
    expect(c.duplicated).toEqual([]);
    // The retry ran on the other worker and the ledger answered it (the killed one could not have completed the notice).
    expect(c.foundSent).toBe(true);
  });

  it('proof the count can fail: the same kill with the ledger switched off (KSCP_EMAIL_LEDGER=off) DOES duplicate', async () => {
    const c = await scenario.killWhileSending('after-ledger-sent', 'off');
    report(`two workers, LEDGER OFF (proof the test can fail), sender killed after-ledger-sent: ${scenario.describeCount(c)}`);
    expect(c.recorded).toHaveLength(2);
    expect(c.lost).toEqual([]);
    expect(c.duplicated).toEqual([{ messageId: c.recorded[0], copies: 2, deadline: 'panel-notification', level: '1' }]);
  });
});
