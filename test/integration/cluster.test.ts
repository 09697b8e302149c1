/**
 * The production topology as a user runs it: `npm run start:cluster` (dist/workers/startCluster.js)
 * brings up PostgreSQL, the Temporal server v1.29.1 as four processes on it, the namespace with the
 * case board's search attributes, the read-only Web UI server wired to the codec server, the mail
 * catcher and two workers; the real `kscp` records cases against it unchanged; the README's
 * case-board queries run on PostgreSQL visibility, through the Temporal API and through the UI; a worker killed outright is started again; Ctrl-C stops everything in order; a second
 * run carries on with the same data. Ports and the data folder are moved so the test never touches a
 * real setup.
 */
import { Client, Connection } from '@temporalio/client';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { StatusJson } from '../../src/cli/commands/status';
import { addDays } from '../../src/process/dates';
import { londonDate } from '../../src/london';
import { portAnswers } from '../../src/toolchain/process';
import { TEMPORAL_SERVER_VERSION } from '../../src/toolchain/deployment';
import { fictionalForm, nextRef, REPO_ROOT } from '../helpers/fixtures';
import { freePort, kscp, startNode, type Child } from '../helpers/processes';
import { temporalCliPath } from '../helpers/toolchain';

const data = mkdtempSync(path.join(os.tmpdir(), 'kscp-cluster-'));
const clusterDir = path.join(data, 'cluster');
let env: NodeJS.ProcessEnv;
let ports: Record<'temporal' | 'ui' | 'smtp' | 'mailUi' | 'codec' | 'postgres', number>;
let cluster: Child | undefined;
const today = londonDate(new Date());
const by = 'Cluster Officer';

/** The `temporal` CLI against the cluster; its JSON output parsed. */
function temporalCli(args: string[]): Promise<unknown> {
  return new Promise((resolve, reject) => {
    execFile(temporalCliPath(), [...args, '--address', `127.0.0.1:${ports.temporal}`, '-o', 'json'], { timeout: 30_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`temporal ${args.join(' ')}: ${stderr || err.message}`)) : resolve(JSON.parse(stdout)),
    );
  });
}

function pidsFile(): Record<string, { pid: number; match: string }> {
  return JSON.parse(readFileSync(path.join(clusterDir, 'pids.json'), 'utf8')) as Record<string, { pid: number; match: string }>;
}

async function startCluster(): Promise<Child> {
  const child = startNode('dist/workers/startCluster.js', env);
  await child.waitForOutput(/Press Ctrl-C to stop/, 240_000);
  return child;
}

beforeAll(async () => {
  ports = { temporal: await freePort(), ui: await freePort(), smtp: await freePort(), mailUi: await freePort(), codec: await freePort(), postgres: await freePort() };
  env = {
    KSCP_DATA_DIR: data,
    KSCP_TEMPORAL_PORT: String(ports.temporal),
    KSCP_TEMPORAL_UI_PORT: String(ports.ui),
    KSCP_MAIL_PORT: String(ports.smtp),
    KSCP_MAIL_UI_PORT: String(ports.mailUi),
    KSCP_CODEC_PORT: String(ports.codec),
    KSCP_POSTGRES_PORT: String(ports.postgres),
    KSCP_ENCRYPTION_KEYS: '',
    KSCP_CODEC_TOKEN: '',
    KSCP_ARCHIVE_URL: '',
    TEMPORAL_ADDRESS: '',
    SMTP_HOST: '',
  };
  cluster = await startCluster();
}, 300_000);

afterAll(async () => {
  await cluster?.stop('SIGINT');
});

interface MaildevEmail {
  subject: string;
  headers: Record<string, string>;
}

async function caughtMail(ref: string): Promise<MaildevEmail[]> {
  const res = await fetch(`http://127.0.0.1:${ports.mailUi}/api/email`);
  return ((await res.json()) as MaildevEmail[]).filter((m) => m.subject.startsWith(`[${ref}]`));
}

async function record(args: string[]): Promise<void> {
  const run = await kscp(args, env);
  expect({ args, code: run.code, stderr: run.stderr }).toEqual({ args, code: 0, stderr: '' });
}

async function notify(overrides: Parameters<typeof fictionalForm>[0]): Promise<string> {
  const laAwareOn = overrides?.laAwareOn ?? today;
  const knownAt = new Date(Math.min(Date.parse(`${laAwareOn}T09:00:00Z`), Date.now() - 3_600_000)).toISOString();
  const form = fictionalForm({ ref: nextRef(2026), incidentDate: addDays(laAwareOn, -1), knownAt, laAwareOn, formReceivedAt: knownAt, ...overrides });
  const file = path.join(data, `${form.ref}.json`);
  writeFileSync(file, JSON.stringify(form));
  await record(['notify', '--file', file]);
  return form.ref;
}

async function status(ref: string): Promise<StatusJson> {
  const run = await kscp(['status', ref, '--json'], env);
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as StatusJson;
}

it(`runs Temporal ${TEMPORAL_SERVER_VERSION} on PostgreSQL as four processes, as temporal operator cluster describe shows`, async () => {
  const described = (await temporalCli(['operator', 'cluster', 'describe'])) as Record<string, string>;
  expect(described).toMatchObject({ serverVersion: TEMPORAL_SERVER_VERSION, persistenceStore: 'postgres12', visibilityStore: 'postgres12' });
  const pids = pidsFile();
  const services = ['history', 'matching', 'frontend', 'worker'].map((s) => pids[`Temporal ${s} service`]?.pid);
  expect(new Set(services).size).toBe(4);
  for (const pid of services) expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toContain('temporal-server');
  expect(cluster!.output()).toContain(`Created a PostgreSQL cluster in ${path.join(clusterDir, 'postgres', 'data')}`);
});

it('serves the read-only Web UI on the UI port, wired to the codec server, in front of the cluster', async () => {
  const settings = (await (await fetch(`http://127.0.0.1:${ports.ui}/api/v1/settings`)).json()) as { Codec: { Endpoint: string }; DisableWriteActions: boolean; StartWorkflowDisabled: boolean };
  expect(settings.Codec.Endpoint).toBe(`http://127.0.0.1:${ports.codec}`);
  expect(settings).toMatchObject({ DisableWriteActions: true, StartWorkflowDisabled: true });
  expect(cluster!.output()).toContain(`Temporal Web UI (cases):   http://127.0.0.1:${ports.ui}/namespaces/kscp/workflows`);
  expect((await fetch(`http://127.0.0.1:${ports.ui}/namespaces/kscp/workflows`)).status).toBe(200);
});

it('has two workers polling the task queue, as temporal task-queue describe shows', async () => {
  const pids = pidsFile();
  const workerPids = [pids['worker 1']!.pid, pids['worker 2']!.pid];
  const described = (await temporalCli(['task-queue', 'describe', '--task-queue', 'kscp-incidents', '--namespace', 'kscp'])) as {
    pollers: Array<{ identity: string; taskQueueType: string }>;
  };
  const workflowPollers = described.pollers.filter((p) => /workflow/i.test(p.taskQueueType)).map((p) => Number(p.identity.split('@')[0]));
  expect(workflowPollers.sort()).toEqual(workerPids.sort());
});

const refs: Record<'overdue' | 'decision' | 'rapidReview' | 'lcspr' | 'closed', string> = {} as never;

it('takes cases through kscp unchanged: each notice email sent once, though two workers run them', async () => {
  // Day 0 six weeks ago, notified by the police: its 5- and 15-working-day clocks have run out.
  refs.overdue = await notify({ laAwareOn: addDays(today, -42), notifyingAgency: 'police' });
  refs.decision = await notify({});
  refs.rapidReview = await notify({});
  await record(['la-decision', refs.rapidReview, '--notifiable', 'yes', '--panel-notified', today, '--ofsted', 'not-required', '--by', by]);
  refs.lcspr = await notify({});
  await record(['la-decision', refs.lcspr, '--notifiable', 'yes', '--panel-notified', today, '--ofsted', 'not-required', '--by', by]);
  await record(['rapid-review', refs.lcspr, '--meeting', today, '--submitted', today, '--outcome', 'local-review', '--rationale', 'Fictional.', '--by', by]);
  await record(['panel-response', refs.lcspr, '--received', today, '--decision', 'local-review', '--by', by]);
  await record(['lcspr-start', refs.lcspr, '--initiated', today, '--methodology', 'case-authored', '--by', by]);
  refs.closed = await notify({});
  await record(['la-decision', refs.closed, '--notifiable', 'no', '--ofsted', 'not-required', '--rationale', 'Fictional: criteria not met.', '--by', by]);

  const stages = Object.fromEntries(await Promise.all(Object.values(refs).map(async (ref) => [ref, (await status(ref)).stage])));
  expect(stages).toEqual({
    [refs.overdue]: 'LA_DECISION',
    [refs.decision]: 'LA_DECISION',
    [refs.rapidReview]: 'RAPID_REVIEW',
    [refs.lcspr]: 'LCSPR',
    [refs.closed]: 'CLOSED',
  });
  const list = await kscp(['list'], env);
  expect(list.code).toBe(0);
  for (const ref of [refs.overdue, refs.decision, refs.rapidReview, refs.lcspr]) expect(list.stdout).toContain(ref);
  expect(list.stdout).not.toContain(refs.closed);

  // Every reminder the cases recorded reached the mail catcher, once.
  for (const ref of Object.values(refs)) {
    const recorded = [...new Set((await status(ref)).reminders.map((r) => r.messageId))].sort();
    let caught: MaildevEmail[] = [];
    for (let i = 0; i < 100; i++) {
      caught = await caughtMail(ref);
      if (caught.length >= recorded.length) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect({ ref, caught: caught.map((m) => m.headers['message-id']).sort() }).toEqual({ ref, caught: recorded });
  }
}, 180_000);

/** The list queries the README gives managers, exactly as written there. */
function readmeQueries(): string[] {
  const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const block = /<!-- ui-queries:start -->\s*```\n([\s\S]*?)```\s*<!-- ui-queries:end -->/.exec(readme);
  if (!block) throw new Error('README.md has no ui-queries block');
  return block[1]!.split('\n').filter((l) => l.trim() !== '');
}

it("answers every case-board query of the README from PostgreSQL visibility, each finding the cases it should", async () => {
  const queries = readmeQueries();
  expect(queries).toHaveLength(8);
  // "Dates are UTC instants: put this week's dates in", as the README tells managers.
  const dated = (q: string): string =>
    q.replace(/BETWEEN '[^']+' AND '[^']+'/, `BETWEEN '${today}T00:00:00Z' AND '${addDays(today, 10)}T23:59:59Z'`).replace(/CloseTime > '[^']+'/, `CloseTime > '${today.slice(0, 4)}-01-01T00:00:00Z'`);
  const id = (ref: string): string => `incident-${ref}`;
  // The two that depend on the calendar, from each case's own record (kscp status): the soonest open deadline, and any overdue one.
  const records = await Promise.all(Object.values(refs).map(async (ref) => ({ ref, s: await status(ref) })));
  const open = (s: StatusJson) => s.deadlines.filter((d) => (d.status === 'open' || d.status === 'overdue') && d.dueAt);
  const from = Date.parse(`${today}T00:00:00Z`);
  const to = Date.parse(`${addDays(today, 10)}T23:59:59Z`);
  const running = records.filter(({ s }) => s.workflowStatus === 'RUNNING');
  const nextDueWithin = running.filter(({ s }) => {
    const next = Math.min(...open(s).map((d) => Date.parse(d.dueAt!)));
    return next >= from && next <= to;
  });
  const overdue = running.filter(({ s }) => s.deadlines.some((d) => d.status === 'overdue'));
  expect(overdue.map((r) => r.ref)).toEqual([refs.overdue]);
  expect(nextDueWithin.map((r) => r.ref)).toContain(refs.decision);
  // None of these cases needs attention (every email can go): the query must run on PostgreSQL
  // visibility (KscpAttention registered by the cluster's setup) and find none; attention.test.ts
  // shows it finding one on the dev server.
  const attention = running.filter(({ s }) => s.needsAttention.length > 0);
  expect(attention).toEqual([]);
  const expected: string[][] = [
    overdue.map((r) => id(r.ref)), // overdue and running
    attention.map((r) => id(r.ref)), // needing attention, running
    [id(refs.rapidReview)], // in Rapid Review
    nextDueWithin.map((r) => id(r.ref)).sort(), // next deadline in the next 10 days
    [id(refs.lcspr)], // reviews on track
    [id(refs.overdue)], // notified by the police, running
    [id(refs.lcspr)], // local reviews
    [id(refs.closed)], // closed this year
  ];
  const connection = await Connection.connect({ address: `127.0.0.1:${ports.temporal}` });
  try {
    const client = new Client({ connection, namespace: 'kscp' });
    const viaUi = async (query: string): Promise<string[]> => {
      const res = await fetch(`http://127.0.0.1:${ports.ui}/api/v1/namespaces/kscp/workflows?query=${encodeURIComponent(query)}`);
      const body = (await res.json()) as { executions?: Array<{ execution: { workflowId: string } }>; message?: string };
      if (!res.ok) return [`(UI server: ${res.status} ${body.message ?? ''})`];
      return (body.executions ?? []).map((e) => e.execution.workflowId).sort();
    };
    const found: Record<string, { api: string[]; ui: string[] }> = {};
    const want: Record<string, { api: string[]; ui: string[] }> = {};
    const until = Date.now() + 30_000;
    // Visibility is eventually consistent: ask again until it agrees or time is up. The Web UI's list
    // page asks its server's API, which asks the same frontend: it must answer alike.
    for (;;) {
      for (const [i, query] of queries.entries()) {
        const api: string[] = [];
        for await (const wf of client.workflow.list({ query: dated(query) })) api.push(wf.workflowId);
        found[query] = { api: api.sort(), ui: await viaUi(dated(query)) };
        want[query] = { api: expected[i]!, ui: expected[i]! };
      }
      if (JSON.stringify(found) === JSON.stringify(want) || Date.now() > until) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(found).toEqual(want);
  } finally {
    await connection.close();
  }
}, 60_000);

it('starts a worker killed outright again, and the cases carry on', async () => {
  const before = pidsFile()['worker 1']!.pid;
  process.kill(before, 'SIGKILL');
  await cluster!.waitForOutput(/The worker 1 stopped unexpectedly \(SIGKILL\); starting it again/, 30_000);
  const until = Date.now() + 60_000;
  while (pidsFile()['worker 1']?.pid === before && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
  expect(pidsFile()['worker 1']!.pid).not.toBe(before);
  await record(['la-decision', refs.decision, '--notifiable', 'yes', '--panel-notified', today, '--ofsted', 'not-required', '--by', by]);
  expect((await status(refs.decision)).stage).toBe('RAPID_REVIEW');
}, 90_000);

it('stops everything in order on Ctrl-C, and a second run carries on with the same cases', async () => {
  const pids = Object.values(pidsFile()).map((p) => p.pid);
  expect(await cluster!.stop('SIGINT')).toBe(0);
  const stops = [...cluster!.output().matchAll(/^ {2}stopped the (.*)$/gm)].map((m) => m[1]);
  expect(stops).toEqual([
    'worker 2',
    'worker 1',
    'mail catcher',
    'Temporal Web UI server',
    'Temporal worker service',
    'Temporal frontend service',
    'Temporal matching service',
    'Temporal history service',
    'PostgreSQL server',
    'codec server',
  ]);
  expect(cluster!.output()).toContain('Stopped. Cases are kept');
  for (const port of Object.values(ports)) expect([port, await portAnswers(port)]).toEqual([port, false]);
  for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();

  cluster = await startCluster();
  expect(cluster.output()).not.toContain('Created a PostgreSQL cluster');
  expect(cluster.output()).not.toContain('Created the encryption key file');
  expect(cluster.output()).toContain('Temporal schemas are up to date.');
  expect((await status(refs.lcspr)).stage).toBe('LCSPR');
  expect((await status(refs.decision)).stage).toBe('RAPID_REVIEW');
}, 300_000);
