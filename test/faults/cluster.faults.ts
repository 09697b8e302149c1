/**
 * Faults on the production topology (src/toolchain/cluster.ts: PostgreSQL, the Temporal server as
 * four processes, the setup scripts of docker-compose.yml): two workers on separate data folders
 * sharing the email ledger in the cluster's PostgreSQL, the sending one SIGKILLed (the scenario of
 * test/faults/twoWorkers.ts); the history service SIGKILLed and restarted while reminder timers
 * fall due; PostgreSQL restarted under the running server and workers. Each counts what was lost
 * and what was duplicated, in test-artifacts/faults-report.md.
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createActivities } from '../../activities';
import { postgresLedger } from '../../activities/emailLedger';
import { createSmtpMailer } from '../../activities/mailer';
import type { StatusJson } from '../../src/cli/commands/status';
import { loadCalendar } from '../../src/calendar';
import { dataConverter, loadKeys } from '../../src/codec';
import { REMINDER_TIME } from '../../src/deadlines';
import { loadDirectory } from '../../src/directory';
import { londonDate, londonInstant } from '../../src/london';
import { addDays } from '../../src/process/dates';
import { workflowIdFor } from '../../src/process/incident';
import { stateQuery } from '../../src/process/messages';
import { startTemporalCluster, type TemporalCluster } from '../../src/toolchain/cluster';
import { findPostgres } from '../../src/toolchain/postgres';
import { findTemporalServer } from '../../src/toolchain/temporalServer';
import type { incident } from '../../workflows';
import { fictionalForm, nextRef, REPO_ROOT, SHIPPED_CALENDAR, SHIPPED_DIRECTORY, TEST_KEYS } from '../helpers/fixtures';
import { freePort, kscp, startNode, type Child } from '../helpers/processes';
import { shiftedActivities } from '../helpers/shiftedClock';
import { startMailbox, type Mailbox } from '../helpers/smtp';
import { quietRuntime, temporalCliPath } from '../helpers/toolchain';
import { twoWorkers } from './twoWorkers';
import { report } from './report';

const NAMESPACE = 'kscp';
const tmp = mkdtempSync(path.join(os.tmpdir(), 'kscp-cluster-faults-'));
let cluster: TemporalCluster;
let mailbox: Mailbox;
let client: Client;
const converter = dataConverter(loadKeys('', { KSCP_ENCRYPTION_KEYS: TEST_KEYS }));

beforeAll(async () => {
  quietRuntime();
  const tools = findTemporalServer();
  const postgresBin = findPostgres();
  if (!tools || !postgresBin) throw new Error('no Temporal server or PostgreSQL: run `npm run toolchain -- ensure` (npm test does it first)');
  cluster = await startTemporalCluster({
    tools,
    cli: temporalCliPath(),
    postgresBin,
    dir: path.join(tmp, 'cluster'),
    frontendPort: await freePort(),
    postgresPort: await freePort(),
    namespace: NAMESPACE,
    retentionDays: 30,
    log: () => undefined,
  });
  mailbox = await startMailbox();
  client = new Client({ connection: await Connection.connect({ address: cluster.address }), namespace: NAMESPACE, dataConverter: converter });
}, 180_000);

afterAll(async () => {
  await client?.connection.close();
  await mailbox?.close();
  await cluster?.stop();
});

describe('two workers sharing the ledger in the cluster\'s PostgreSQL; the sending one SIGKILLed', () => {
  let scenario: ReturnType<typeof twoWorkers>;
  beforeAll(() => {
    scenario = twoWorkers({ address: cluster.address, namespace: NAMESPACE, taskQueue: 'cluster-faults-two-workers', archiveUrl: cluster.archiveUrl, client, mailbox, tmp });
  });
  afterAll(async () => {
    await scenario?.stopAll();
  });

  it('right after the mail server accepted (250), before the ledger says sent: the other worker carries on; nothing lost, the one documented copy with the same Message-ID', async () => {
    const c = await scenario.killWhileSending('after-smtp-accepted', 'on');
    report(
      `Temporal cluster on PostgreSQL, two workers, sender killed after-smtp-accepted (IN THE DOCUMENTED WINDOW): ${scenario.describeCount(c)}; ` +
        `the other worker took the claim over ${c.secondsToRecover.toFixed(0)} s after the kill`,
    );
    expect(c.recorded).toHaveLength(2);
    expect(c.lost).toEqual([]);
    const first = c.recorded[0]!;
    expect(c.duplicated).toEqual([{ messageId: first, copies: 2, deadline: 'panel-notification', level: '1' }]);
    expect(c.tookOver).toBe(true);
  });

  it('after the ledger said sent: the other worker carries on, nothing lost, nothing duplicated', async () => {
    const c = await scenario.killWhileSending('after-ledger-sent', 'on');
    report(`Temporal cluster on PostgreSQL, two workers, sender killed after-ledger-sent: ${scenario.describeCount(c)}; the other worker's retry found "sent" ${c.secondsToRecover.toFixed(0)} s after the kill`);
    expect(c.recorded).toHaveLength(2);
    expect(c.lost).toEqual([]);
    expect(c.duplicated).toEqual([]);
    expect(c.foundSent).toBe(true);
  });

  it('proof the count can fail here too: the same kill with the ledger off (KSCP_EMAIL_LEDGER=off) duplicates', async () => {
    const c = await scenario.killWhileSending('after-ledger-sent', 'off');
    report(`Temporal cluster on PostgreSQL, two workers, LEDGER OFF (proof the test can fail), sender killed after-ledger-sent: ${scenario.describeCount(c)}`);
    expect(c.lost).toEqual([]);
    expect(c.duplicated).toEqual([{ messageId: c.recorded[0], copies: 2, deadline: 'panel-notification', level: '1' }]);
  });
});

const mailAbout = (ref: string) => mailbox.messages.filter((m) => m.headers.get('x-kscp-case') === ref);

describe('the history service SIGKILLed and restarted while reminders fall due', () => {
  const TASK_QUEUE = 'cluster-faults-timers';
  const CASES = 6;

  it('fires every timer once the service is back, none twice', async () => {
    const calendar = await loadCalendar(SHIPPED_CALENDAR);
    const shifts = new Map<string, number>();
    const connection = await NativeConnection.connect({ address: cluster.address });
    const mailer = createSmtpMailer({ host: '127.0.0.1', port: mailbox.port, secure: false });
    // The email ledger where the cluster's workers keep it: the case archive's database on the cluster's PostgreSQL.
    const ledger = postgresLedger(cluster.archiveUrl);
    const worker = await Worker.create({
      connection,
      namespace: NAMESPACE,
      taskQueue: TASK_QUEUE,
      dataConverter: converter,
      workflowBundle: { codePath: path.join(REPO_ROOT, 'dist', 'workflow-bundle.js') },
      activities: shiftedActivities(
        createActivities({
          mailer,
          directory: () => loadDirectory(SHIPPED_DIRECTORY),
          calendar: () => loadCalendar(SHIPPED_CALENDAR),
          ledger,
        }),
        shifts,
      ),
    });
    const running = worker.run();
    try {
      // A working day in the past whose 09:00 (the Panel notification's "due today", level 4) stands for a moment soon.
      const due = calendar.subtractWorkingDays(londonDate(new Date()), 3);
      const laAwareOn = calendar.subtractWorkingDays(due, 5);
      const nineAm = londonInstant(due, REMINDER_TIME).getTime();
      const t0 = Date.now();
      const cases: Array<{ ref: string; scheduled: number }> = [];
      for (let i = 0; i < CASES; i++) {
        const scheduled = t0 + 10_000 + i * 4_000;
        const form = fictionalForm({ ref: nextRef(2026), incidentDate: addDays(laAwareOn, -1), knownAt: londonInstant(laAwareOn, '08:00:00').toISOString(), laAwareOn });
        shifts.set(workflowIdFor(form.ref), scheduled - nineAm);
        await client.workflow.start<typeof incident>('incident', {
          workflowId: workflowIdFor(form.ref),
          taskQueue: TASK_QUEUE,
          args: [{ form, formReceivedAt: londonInstant(laAwareOn, '09:00:00').toISOString(), checkedAt: new Date().toISOString() }],
        });
        cases.push({ ref: form.ref, scheduled });
      }
      // Down from 12 s to 22 s: the timers due at 14 s and 18 s fall due while history is gone.
      await new Promise((r) => setTimeout(r, t0 + 12_000 - Date.now()));
      await cluster.services.history.stop('SIGKILL');
      const killedAt = Date.now();
      await new Promise((r) => setTimeout(r, 10_000));
      await cluster.services.history.start();
      const downFor = (Date.now() - killedAt) / 1000;
      const levelFour = (ref: string) => mailAbout(ref).filter((m) => m.headers.get('x-kscp-deadline') === 'panel-notification' && m.headers.get('x-kscp-level') === '4');
      await mailbox.waitFor(() => cases.every((c) => levelFour(c.ref).length > 0), 180_000);
      await new Promise((r) => setTimeout(r, 3_000));

      let lost = 0;
      let duplicated = 0;
      let fired = 0;
      const late: number[] = [];
      for (const c of cases) {
        const state = await client.workflow.getHandle(workflowIdFor(c.ref)).query(stateQuery);
        const recorded = state.reminders.map((r) => r.messageId);
        const received = mailAbout(c.ref).map((m) => m.messageId!);
        lost += recorded.filter((id) => !received.includes(id)).length;
        duplicated += received.length - new Set(received).size;
        const four = levelFour(c.ref);
        if (four.length > 0) fired++;
        late.push((four[0]!.date!.getTime() - c.scheduled) / 1000);
        expect({ ref: c.ref, received: [...new Set(received)].sort() }).toEqual({ ref: c.ref, received: [...recorded].sort() });
      }
      report(
        `history service SIGKILLed for ${downFor.toFixed(0)} s while ${CASES} reminder timers fell due (Temporal cluster on PostgreSQL): ` +
          `${fired}/${CASES} fired, latest ${Math.max(...late).toFixed(0)} s after its instant; lost ${lost}, duplicated ${duplicated}`,
      );
      expect(fired).toBe(CASES);
      expect(lost).toBe(0);
      expect(duplicated).toBe(0);
    } finally {
      worker.shutdown();
      await running;
      mailer.close();
      await ledger.close();
      await connection.close();
    }
  }, 300_000);
});

describe('PostgreSQL restarted under the running server and workers', () => {
  const TASK_QUEUE = 'cluster-faults-postgres';
  const workers: Child[] = [];
  let env: NodeJS.ProcessEnv;

  afterAll(async () => {
    for (const w of workers) await w.stop();
  });

  it('the server and both workers carry on by themselves: the case moves on, each email once', async () => {
    env = {
      TEMPORAL_ADDRESS: cluster.address,
      TEMPORAL_NAMESPACE: NAMESPACE,
      KSCP_TASK_QUEUE: TASK_QUEUE,
      KSCP_ARCHIVE_URL: cluster.archiveUrl,
      KSCP_ENCRYPTION_KEYS: TEST_KEYS,
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(mailbox.port),
      NODE_ENV: 'production',
      KSCP_LOG_LEVEL: 'WARN',
    };
    for (const n of [1, 2]) {
      const w = startNode('dist/workers/main.js', { ...env, KSCP_DATA_DIR: path.join(tmp, `pg-worker-${n}`) });
      workers.push(w);
      await w.waitForOutput(/kscp worker: task queue/, 120_000);
    }
    const servicePids = Object.values(cluster.services).map((s) => s.pid);
    const today = londonDate(new Date());
    const form = fictionalForm({ ref: nextRef(2026), incidentDate: addDays(today, -1), knownAt: new Date(Date.now() - 3_600_000).toISOString(), laAwareOn: today });
    const file = path.join(tmp, `${form.ref}.json`);
    writeFileSync(file, JSON.stringify(form));
    expect(await kscp(['notify', '--file', file], env)).toMatchObject({ code: 0 });
    await mailbox.waitFor((m) => m.headers.get('x-kscp-case') === form.ref && m.headers.get('x-kscp-deadline') === 'panel-notification');

    await cluster.postgres.stop('fast');
    const down = await kscp(['status', form.ref], env);
    expect(down.code).not.toBe(0);
    await new Promise((r) => setTimeout(r, 10_000));
    await cluster.postgres.start();
    const backAt = Date.now();

    // Nobody restarts anything: kscp is asked again while Temporal cannot answer (exit 5) or fails (1).
    const decide = () => kscp(['la-decision', form.ref, '--notifiable', 'yes', '--panel-notified', today, '--ofsted', 'not-required', '--by', 'Fault Officer'], env);
    let decided = await decide();
    while ([1, 5].includes(decided.code) && Date.now() - backAt < 120_000) {
      await new Promise((r) => setTimeout(r, 2_000));
      decided = await decide();
    }
    const recoveredIn = (Date.now() - backAt) / 1000;
    expect({ code: decided.code, stderr: decided.stderr }).toEqual({ code: 0, stderr: '' });
    await mailbox.waitFor((m) => m.headers.get('x-kscp-case') === form.ref && m.headers.get('x-kscp-deadline') === 'rapid-review', 120_000);
    await new Promise((r) => setTimeout(r, 3_000));

    const status = JSON.parse((await kscp(['status', form.ref, '--json'], env)).stdout) as StatusJson;
    const received = mailAbout(form.ref).map((m) => m.messageId!);
    const lost = status.reminders.filter((r) => !received.includes(r.messageId)).length;
    const duplicated = received.length - new Set(received).size;
    const workersAlive = workers.filter((w) => w.process.exitCode === null && w.process.signalCode === null).length;
    const servicesSame = Object.values(cluster.services).every((s, i) => s.running && s.pid === servicePids[i]);
    report(
      `PostgreSQL stopped 10 s under the Temporal cluster and 2 workers, then started again: the next step was recorded ${recoveredIn.toFixed(0)} s after, with no restart of any service or worker ` +
        `(services unchanged: ${servicesSame}, workers running: ${workersAlive}/2); ${status.reminders.length} reminders recorded, lost ${lost}, duplicated ${duplicated}`,
    );
    expect(status.stage).toBe('RAPID_REVIEW');
    expect(status.reminders).toHaveLength(2);
    expect(lost).toBe(0);
    expect(duplicated).toBe(0);
    expect(workersAlive).toBe(2);
    expect(servicesSame).toBe(true);
  }, 400_000);
});
