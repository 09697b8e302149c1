/**
 * The case archive and the timeliness report on real parts: the Temporal dev server, the worker
 * as its own process writing to the SQLite archive in its data folder, a real SMTP server, and the
 * real `kscp` run as a subprocess. Three fictional cases whose LA became aware 20 working days ago:
 *   A: Panel notified 2 working days late, Rapid Review on time, then withdrawn (closed);
 *   B: not notifiable (closed at once), then deleted from Temporal, as its retention would;
 *   C: Panel notified on time, Rapid Review not submitted: overdue by 5 working days today.
 */
import { startStack, type Stack } from '../helpers/stack';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { postgresArchive, sealerFor, sqliteArchive, type ArchivedCase, type CaseArchive } from '../../src/archive';
import { loadCalendar } from '../../src/calendar';
import type { ReportJson } from '../../src/cli/commands/report';
import type { StatusJson } from '../../src/cli/commands/status';
import { loadKeys } from '../../src/codec';
import { londonDate } from '../../src/london';
import type { IncidentForm } from '../../src/process/schemas';
import { type DevServer } from '../../src/toolchain/devServer';
import { nextRef, SHIPPED_CALENDAR, TEST_KEYS } from '../helpers/fixtures';
import { startPostgres, type TestPostgres } from '../helpers/postgres';
import { kscp, startNode, type Child } from '../helpers/processes';
import { temporalCliPath } from '../helpers/toolchain';

const NAMESPACE = 'kscp-archive-it';
const tmp = mkdtempSync(path.join(os.tmpdir(), 'kscp-archive-it-'));
let stack: Stack;
let server: DevServer;
let worker: Child;
let env: NodeJS.ProcessEnv;
let archive: CaseArchive;

const today = londonDate(new Date());
const by = ['--by', 'Test Officer'];
let aware: string;
let panelLate: string;
let panelOnTime: string;
let rapidReviewDue: string;

beforeAll(async () => {
  const cal = await loadCalendar(SHIPPED_CALENDAR);
  aware = cal.subtractWorkingDays(today, 20);
  panelLate = cal.addWorkingDays(aware, 7);
  panelOnTime = cal.addWorkingDays(aware, 3);
  rapidReviewDue = cal.addWorkingDays(aware, 15);
  stack = await startStack({ namespace: NAMESPACE, dataDir: tmp });
  ({ server, worker, env } = stack);
  archive = sqliteArchive(path.join(tmp, 'archive.db'), sealerFor(loadKeys('', { KSCP_ENCRYPTION_KEYS: TEST_KEYS })));
}, 180_000);

afterAll(async () => {
  await archive?.close();
  await stack?.stop();
});

function form(ref: string, overrides: Partial<IncidentForm> = {}): string {
  const knownAt = new Date(`${aware}T08:00:00Z`);
  const content: IncidentForm & { formReceivedAt: string } = {
    ref,
    notifyingAgency: 'health',
    notifier: { name: 'Test Notifier', email: 'test.notifier@health.example.org', role: 'Named Nurse' },
    incidentDate: aware,
    knownAt: knownAt.toISOString(),
    laAwareOn: aware,
    formReceivedAt: new Date(knownAt.valueOf() + 3_600_000).toISOString(),
    criteria: ['serious-harm'],
    childDied: false,
    policeInvestigation: false,
    agenciesInvolved: ['health'],
    summary: 'Fictional test incident.',
    ...overrides,
  };
  const file = path.join(tmp, `${ref}.json`);
  writeFileSync(file, JSON.stringify(content));
  return file;
}

async function ok(args: string[]): Promise<string> {
  const run = await kscp(args, env);
  expect({ args, stderr: run.stderr, code: run.code }).toEqual({ args, stderr: '', code: 0 });
  return run.stdout;
}

/** The archived record of `ref` once it reaches `stage` (the worker writes it beside the case). */
async function archivedAt(ref: string, stage: string, store = archive): Promise<ArchivedCase> {
  for (let i = 0; i < 150; i++) {
    const found = await store.latest(ref);
    if (found?.view.stage === stage) return found;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${ref} was not archived at stage ${stage}; last: ${(await store.latest(ref))?.view.stage}`);
}

async function deleteFromTemporal(ref: string): Promise<void> {
  await promisify(execFile)(temporalCliPath(), ['workflow', 'delete', '--workflow-id', `incident-${ref}`, '--namespace', NAMESPACE, '--address', server.address]);
  // Deletion is asynchronous: wait until Temporal no longer knows the workflow.
  for (let i = 0; i < 150; i++) {
    const run = await kscp(['status', ref], env);
    if (run.stdout.includes('from the archive')) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}

const A = nextRef(2026);
const B = nextRef(2026);
const C = nextRef(2026);

describe('the archive is written at every stage change and at closing', () => {
  it('keeps case A as it opens, reaches the Rapid Review, waits for the Panel and closes', async () => {
    await ok(['notify', '--file', form(A)]);
    expect((await archivedAt(A, 'LA_DECISION')).summary).toMatchObject({ ref: A, laAwareOn: aware, closed: false });
    await ok(['la-decision', A, '--notifiable', 'yes', '--panel-notified', panelLate, ...by]);
    const rapid = await archivedAt(A, 'RAPID_REVIEW');
    expect(rapid.summary.deadlines.find((d) => d.name === 'panel-notification')).toMatchObject({ status: 'met', metOn: panelLate, onTime: false });
    await ok(['rapid-review', A, '--meeting', rapidReviewDue, '--submitted', rapidReviewDue, '--outcome', 'local-review', '--rationale', 'Fictional rationale.', ...by]);
    await archivedAt(A, 'PANEL_RESPONSE');
    await ok(['withdraw', A, '--reason', 'other', '--detail', 'Fictional test: closing the case.', ...by]);
    const closed = await archivedAt(A, 'CLOSED');
    expect(closed.summary).toMatchObject({ route: 'withdrawn', closed: true });
    // The archived record is the case as Temporal holds it, decrypted with the keys.
    const live = JSON.parse(await ok(['status', A, '--json'])) as StatusJson;
    expect(live.source).toBe('temporal');
    expect(closed.view.events).toEqual(live.events);
    expect(closed.view.deadlines.map((d) => [d.name, d.status, d.onTime])).toEqual(live.deadlines.map((d) => [d.name, d.status, d.onTime]));
    expect(closed.view.events.map((e) => e.by)).toContain('Test Officer');
  });

  it('keeps case B, not notifiable, closed at once', async () => {
    await ok(['notify', '--file', form(B, { criteria: ['died-abuse-neglect'], childDied: true })]);
    await ok(['la-decision', B, '--notifiable', 'no', '--rationale', 'Fictional: criteria not met.', ...by]);
    expect((await archivedAt(B, 'CLOSED')).summary).toMatchObject({ route: 'not-notifiable', closed: true });
  });

  it('keeps case C, open at the Rapid Review', async () => {
    await ok(['notify', '--file', form(C)]);
    await ok(['la-decision', C, '--notifiable', 'yes', '--panel-notified', panelOnTime, ...by]);
    await archivedAt(C, 'RAPID_REVIEW');
  });
});

describe('the timeliness report', () => {
  let report: ReportJson;
  const measure = (name: string) => report.measures.find((m) => m.deadline === name)!;

  beforeAll(async () => {
    report = JSON.parse(await ok(['report', '--from', aware, '--to', aware, '--json'])) as ReportJson;
  });

  it('counts the three cases of the period, open and closed', () => {
    expect(report).toMatchObject({ cases: 3, openCases: 1, closedCases: 2 });
    expect(report.byRoute).toMatchObject({ withdrawn: 1, 'not-notifiable': 1, undecided: 1 });
    expect(report.byCriterion).toMatchObject({ 'serious-harm': 2, 'died-abuse-neglect': 1 });
  });

  it('shows the Panel notification late by 2 working days in one case of two (B was not notifiable)', () => {
    expect(measure('panel-notification')).toMatchObject({ count: 2, onTime: 1, percentOnTime: 50, late: 1, medianWorkingDaysLate: 2 });
  });

  it('shows the Rapid Review on time for A and still overdue by 5 working days for C', () => {
    expect(measure('rapid-review')).toMatchObject({ count: 2, onTime: 1, late: 1, stillOverdue: 1, medianWorkingDaysLate: 5 });
  });

  it('shows every eCase form on time', () => {
    expect(measure('ecase-form')).toMatchObject({ count: 3, onTime: 3, percentOnTime: 100 });
  });

  it('prints the same as a table and as CSV', async () => {
    const text = await ok(['report', '--from', aware, '--to', aware]);
    expect(text).toMatch(/^Cases: 3 \(1 open, 2 closed; 2 from the archive\)/m);
    expect(text).toMatch(/National Panel notified within 5 working days\s+2\s+1\s+50%\s+1\s+2\s+0\s+0/);
    const csv = await ok(['report', '--from', aware, '--to', aware, '--csv']);
    expect(csv.split('\n')).toContain('measure,rapid-review,2,1,50,1,5,1,0');
  });

  it('leaves out cases outside the period', async () => {
    const before = JSON.parse(await ok(['report', '--from', '2020-01-01', '--to', londonDate(new Date(Date.parse(`${aware}T12:00:00Z`) - 86_400_000)), '--json'])) as ReportJson;
    expect(before.cases).toBe(0);
  });
});

describe('after Temporal has deleted a closed case', () => {
  beforeAll(() => deleteFromTemporal(B), 60_000);

  it('status reads it from the archive and says so', async () => {
    const text = await ok(['status', B]);
    expect(text).toMatch(new RegExp(`^Case ${B}: stage CLOSED \\(from the archive: workflow incident-${B} is no longer in Temporal`));
    expect(text).toContain('LA decided the incident is not notifiable');
    const json = JSON.parse(await ok(['status', B, '--json'])) as StatusJson;
    expect(json).toMatchObject({ source: 'archive', workflowStatus: 'ARCHIVED', stage: 'CLOSED', record: { route: 'not-notifiable' } });
  });

  it('timeline reads it from the archive too: who recorded what, and the reminders sent', async () => {
    const text = await ok(['timeline', B]);
    expect(text).toMatch(new RegExp(`^Case ${B}: stage CLOSED \\(from the archive: workflow incident-${B} is no longer in Temporal\\)`));
    expect(text).toContain('LA decided the incident is not notifiable');
    const json = JSON.parse(await ok(['timeline', B, '--json'])) as { source: string; entries: Array<{ kind: string }> };
    expect(json.source).toBe('archive');
    expect(json.entries.filter((e) => e.kind === 'recorded').length).toBeGreaterThanOrEqual(2);
  });

  it('the report still counts it', async () => {
    const report = JSON.parse(await ok(['report', '--from', aware, '--to', aware, '--json'])) as ReportJson;
    expect(report).toMatchObject({ cases: 3, closedCases: 2, byRoute: { 'not-notifiable': 1 } });
  });

  it('a reference neither Temporal nor the archive knows is exit 4', async () => {
    const run = await kscp(['status', 'KSCP-2026-999'], env);
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/no case KSCP-2026-999: there is no workflow incident-KSCP-2026-999 and nothing in the case archive/);
  });
});

describe('with the archive in PostgreSQL (KSCP_ARCHIVE_URL)', () => {
  let pg: TestPostgres;
  let pgArchive: CaseArchive;
  const D = nextRef(2026);

  beforeAll(async () => {
    pg = await startPostgres();
    await worker.stop();
    env = { ...env, KSCP_ARCHIVE_URL: pg.url };
    worker = startNode('dist/workers/main.js', env);
    await worker.waitForOutput(/kscp worker: task queue .*; case archive postgres:\/\/postgres@127\.0\.0\.1/);
    pgArchive = postgresArchive(pg.url, sealerFor(loadKeys('', { KSCP_ENCRYPTION_KEYS: TEST_KEYS })));
  }, 120_000);

  afterAll(async () => {
    await worker?.stop();
    await pgArchive?.close();
    await pg?.stop();
  });

  it('the worker writes each stage there, status reads a deleted case from it, and the report counts it', async () => {
    await ok(['notify', '--file', form(D, { laAwareOn: today, incidentDate: today, knownAt: new Date(Date.now() - 3_600_000).toISOString(), formReceivedAt: new Date().toISOString() } as Partial<IncidentForm>)]);
    await archivedAt(D, 'LA_DECISION', pgArchive);
    await ok(['la-decision', D, '--notifiable', 'no', '--rationale', 'Fictional: criteria not met.', ...by]);
    await archivedAt(D, 'CLOSED', pgArchive);
    await deleteFromTemporal(D);
    expect(await ok(['status', D])).toMatch(new RegExp(`^Case ${D}: stage CLOSED \\(from the archive`));
    const report = JSON.parse(await ok(['report', '--from', today, '--to', today, '--json'])) as ReportJson;
    expect(report).toMatchObject({ cases: 1, closedCases: 1, sources: { temporal: 0, archive: 1 }, byRoute: { 'not-notifiable': 1 } });
    expect(report.measures[0]).toMatchObject({ deadline: 'ecase-form', count: 1, onTime: 1 });
  });
});
