/**
 * The incident workflow on Temporal's time-skipping test server: when each
 * reminder goes out (09:00 London, working days only) and to whom.
 *
 * The server's clock only moves forward and is shared by the tests in this
 * file, so the cases are set in the future (Christmas 2032, summer 2033) and
 * the tests run in date order.
 */
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { WorkingDayCalendar, type BankHoliday } from '../../src/calendar';
import { loadDirectory } from '../../src/directory';
import { workflowIdFor, type IncidentInput } from '../../src/process/incident';
import { laDecisionUpdate, stateQuery } from '../../src/process/messages';
import type { LaDecision } from '../../src/process/schemas';
import { KscpNextDeadlineName, KscpOverdue, KscpStage } from '../../src/process/searchAttributes';
import { addSearchAttributes } from '../../src/toolchain/serverSetup';
import type { incident } from '../../workflows';
import { captureMailer } from '../helpers/captureMailer';
import { ADDRESS, fictionalForm, SHIPPED_DIRECTORY } from '../helpers/fixtures';
import { quietRuntime, testServerPath } from '../helpers/toolchain';

const TASK_QUEUE = 'incident-workflow-test';
let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
const mailer = captureMailer();
const extraHolidays: BankHoliday[] = [];

beforeAll(async () => {
  quietRuntime();
  env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: testServerPath() } } });
  await addSearchAttributes(env.connection, 'default');
  const bundle: WorkflowBundleWithSourceMap = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: new DefaultLogger('WARN') });
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: TASK_QUEUE,
    workflowBundle: bundle,
    activities: createActivities({
      mailer,
      directory: () => loadDirectory(SHIPPED_DIRECTORY),
      calendar: async () => new WorkingDayCalendar(extraHolidays),
    }),
  });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
});


async function skipTo(instant: string): Promise<void> {
  const now = await env.currentTimeMs();
  const target = Date.parse(instant);
  if (target < now) throw new Error(`the test server clock is already past ${instant}`);
  await env.sleep(target - now);
}

async function open(input: IncidentInput): Promise<WorkflowHandle<typeof incident>> {
  return env.client.workflow.start<typeof incident>('incident', {
    workflowId: workflowIdFor(input.form.ref),
    taskQueue: TASK_QUEUE,
    args: [input],
  });
}

/** Emails about one case, as [server time, level header, sorted recipients]. */
function emailsFor(ref: string): Array<[string, string, string[]]> {
  return mailer.sent.filter((m) => m.headers['X-KSCP-Case'] === ref).map((m) => [m.at.slice(0, 16), m.headers['X-KSCP-Level']!, [...m.to].sort()]);
}

async function eventually<T>(fn: () => Promise<T> | T, ok: (t: T) => boolean, ms = 20_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const decision = (overrides: Partial<LaDecision> = {}): LaDecision => ({
  notifiable: true,
  panelNotifiedOn: '2033-01-05',
  decidedBy: 'Test Officer',
  recordedAt: '2033-01-05T12:00:00Z',
  ...overrides,
});

describe('a 5-working-day Panel notification across Christmas 2032', () => {
  const form = fictionalForm();
  const sorted = (...a: string[]) => a.sort();
  let handle: WorkflowHandle<typeof incident>;

  it('sends the notice at once to the LA lead when the case is recorded', async () => {
    await skipTo('2032-12-22T10:00:00Z');
    handle = await open({ form, formReceivedAt: '2032-12-22T10:00:00Z' });
    const sent = await eventually(() => emailsFor(form.ref), (e) => e.length >= 1);
    expect(sent).toEqual([['2032-12-22T10:00', '1', [ADDRESS.laLead]]]);
    const state = await handle.query(stateQuery);
    expect(state.stage).toBe('LA_DECISION');
    expect(state.deadlines.map((d) => [d.name, d.due, d.status])).toEqual([
      ['ecase-form', '2032-12-23', 'met'],
      ['panel-notification', '2032-12-31', 'open'],
      ['rapid-review', '2033-01-17', 'open'],
    ]);
    expect(state.deadlines[0]!.onTime).toBe(true);
  });

  it('reminds, warns, says due today and then overdue at 09:00 on working days only, escalating', async () => {
    await skipTo('2033-01-05T11:00:00Z');
    // Dec 25 (Sat) and 26 (Sun) give substitute days Mon 27 and Tue 28; 1 Jan 2033 (Sat) gives Mon 3 Jan.
    expect(emailsFor(form.ref)).toEqual([
      ['2032-12-22T10:00', '1', [ADDRESS.laLead]],
      ['2032-12-29T09:00', '2', [ADDRESS.laLead]],
      ['2032-12-30T09:00', '3', sorted(ADDRESS.laLead, ADDRESS.businessUnit)],
      ['2032-12-31T09:00', '4', sorted(ADDRESS.laLead, ADDRESS.businessUnit, ADDRESS.businessManager)],
      ['2033-01-04T09:00', '5', sorted(ADDRESS.laLead, ADDRESS.businessManager)],
      ['2033-01-05T09:00', '5', sorted(ADDRESS.laLead, ADDRESS.businessManager)],
    ]);
    const subjects = mailer.sent.filter((m) => m.headers['X-KSCP-Case'] === form.ref).map((m) => m.subject);
    expect(subjects[0]).toBe(`[${form.ref}] Notice: LA notification of the serious incident to the National Panel due by Friday 31 December 2032`);
    expect(subjects[5]).toBe(`[${form.ref}] OVERDUE: LA notification of the serious incident to the National Panel was due Friday 31 December 2032`);
    const description = await handle.describe();
    expect(description.typedSearchAttributes.get(KscpOverdue)).toBe(true);
    expect(description.typedSearchAttributes.get(KscpNextDeadlineName)).toBe('panel-notification');
    expect((await handle.query(stateQuery)).deadlines[1]!.status).toBe('overdue');
  });

  it('records a late Panel notification, moves to RAPID_REVIEW and starts chasing the Rapid Review', async () => {
    const view = await handle.executeUpdate(laDecisionUpdate, { args: [decision()] });
    expect(view.stage).toBe('RAPID_REVIEW');
    expect(view.deadlines[1]).toMatchObject({ name: 'panel-notification', status: 'met', metOn: '2033-01-05', onTime: false });
    const sent = await eventually(() => emailsFor(form.ref), (e) => e.length >= 7);
    expect(sent[6]).toEqual(['2033-01-05T11:00', '1', [ADDRESS.businessUnit]]);
    const description = await eventually(() => handle.describe(), (d) => d.typedSearchAttributes.get(KscpOverdue) === false);
    expect(description.typedSearchAttributes.get(KscpStage)).toBe('RAPID_REVIEW');
    expect(description.typedSearchAttributes.get(KscpNextDeadlineName)).toBe('rapid-review');
  });

  it('refuses a second LA decision with the reason, changing nothing', async () => {
    const before = await handle.query(stateQuery);
    const refused = await handle.executeUpdate(laDecisionUpdate, { args: [decision({ notifiable: false, panelNotifiedOn: undefined, rationale: 'x' })] }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
    expect((refused as WorkflowUpdateFailedError).cause?.message).toMatch(`case ${form.ref} is at stage RAPID_REVIEW: the LA decision was already recorded`);
    expect(await handle.query(stateQuery)).toEqual(before);
  });

  it('chases the Rapid Review (15 working days from the same day 0) and stops the Panel notification reminders', async () => {
    await skipTo('2033-01-18T12:00:00Z');
    const rapidReview = emailsFor(form.ref).slice(6);
    expect(rapidReview).toEqual([
      ['2033-01-05T11:00', '1', [ADDRESS.businessUnit]],
      ['2033-01-06T09:00', '2', [ADDRESS.businessUnit]],
      ['2033-01-14T09:00', '3', [ADDRESS.businessUnit]],
      ['2033-01-17T09:00', '4', sorted(ADDRESS.businessUnit, ADDRESS.businessManager)],
      ['2033-01-18T09:00', '5', sorted(ADDRESS.businessUnit, ADDRESS.businessManager, ADDRESS.laLead)],
    ]);
    const headers = mailer.sent.filter((m) => m.headers['X-KSCP-Case'] === form.ref).map((m) => m.headers['X-KSCP-Deadline']);
    expect(headers.slice(6).every((h) => h === 'rapid-review')).toBe(true);
  });
});

describe('an incident that is not notifiable', () => {
  it('closes with the rationale, cancels both clocks and sends nothing more', async () => {
    await skipTo('2033-02-01T09:30:00Z');
    const form = fictionalForm({ incidentDate: '2033-01-31', knownAt: '2033-01-31T15:00:00Z', laAwareOn: '2033-02-01' });
    const handle = await open({ form, formReceivedAt: '2033-02-01T09:30:00Z' });
    await eventually(() => emailsFor(form.ref), (e) => e.length >= 1);
    const view = await handle.executeUpdate(laDecisionUpdate, {
      args: [decision({ notifiable: false, panelNotifiedOn: undefined, rationale: 'Criteria not met (fictional).', recordedAt: '2033-02-01T10:00:00Z' })],
    });
    expect(view.stage).toBe('CLOSED');
    const result = await handle.result();
    expect(result.closedBecause).toBe('not notifiable');
    expect(result.deadlines.filter((d) => d.name !== 'ecase-form').map((d) => [d.name, d.status])).toEqual([
      ['panel-notification', 'cancelled'],
      ['rapid-review', 'cancelled'],
    ]);
    await skipTo('2033-02-15T12:00:00Z');
    expect(emailsFor(form.ref)).toHaveLength(1);
    expect((await handle.describe()).typedSearchAttributes.get(KscpStage)).toBe('CLOSED');
  });
});

describe('a case in British Summer Time, when a bank holiday is announced mid-case', () => {
  it('sends 09:00 BST reminders (08:00 UTC), flags a late eCase form, and moves the deadline when the calendar changes', async () => {
    await skipTo('2033-06-06T13:00:00Z');
    // Known Friday 3 June 15:00 BST; form arrives Monday: more than 24 hours.
    const form = fictionalForm({ incidentDate: '2033-06-03', knownAt: '2033-06-03T14:00:00Z', laAwareOn: '2033-06-06' });
    const handle = await open({ form, formReceivedAt: '2033-06-06T13:00:00Z' });
    await eventually(() => emailsFor(form.ref), (e) => e.length >= 1);
    const state = await handle.query(stateQuery);
    expect(state.deadlines[0]).toMatchObject({ name: 'ecase-form', status: 'met', onTime: false });
    expect(state.deadlines[1]!.due).toBe('2033-06-13');

    // Wednesday 8 June becomes a bank holiday after the case opened: day 5 moves to Tuesday 14 June,
    // and the half-way reminder (day 3) to Friday 10 June.
    extraHolidays.push({ date: '2033-06-08', name: 'A one-off bank holiday (test)' });
    await skipTo('2033-06-14T12:00:00Z');
    extraHolidays.length = 0;
    expect(emailsFor(form.ref).map(([at, level]) => [at, level])).toEqual([
      ['2033-06-06T13:00', '1'],
      ['2033-06-10T08:00', '2'],
      ['2033-06-13T08:00', '3'],
      ['2033-06-14T08:00', '4'],
    ]);
    expect((await handle.query(stateQuery)).deadlines[1]!.due).toBe('2033-06-14');
  });
});

describe('the LA decision sent as a signal from the Web UI', () => {
  it('records a decision that does not fit as refused, changing nothing else, and applies one that fits', async () => {
    await skipTo('2033-07-04T10:00:00Z');
    const form = fictionalForm({ incidentDate: '2033-07-01', knownAt: '2033-07-01T15:00:00Z', laAwareOn: '2033-07-04' });
    const handle = await open({ form, formReceivedAt: '2033-07-01T16:00:00Z' });
    await eventually(() => emailsFor(form.ref), (e) => e.length >= 1);
    const before = await handle.query(stateQuery);

    await handle.signal('laDecision', { notifiable: true, panelNotifiedOn: '2033-07-01', decidedBy: 'Test Officer' });
    const refused = await eventually(() => handle.query(stateQuery), (s) => s.events.length > before.events.length);
    expect(refused.events.at(-1)?.what).toBe(
      'la-decision sent as a signal was refused: panelNotifiedOn: the Panel cannot have been notified (2033-07-01) before the LA became aware (2033-07-04)',
    );
    expect({ ...refused, events: before.events }).toEqual(before);

    await handle.signal('laDecision', { notifiable: true, panelNotifiedOn: '2033-07-04', decidedBy: 'Test Officer' });
    const applied = await eventually(() => handle.query(stateQuery), (s) => s.stage === 'RAPID_REVIEW');
    expect(applied.stage).toBe('RAPID_REVIEW');
    // Typed in the Web UI without recordedAt: the workflow's clock fills it in.
    expect(applied.laDecision?.recordedAt).toMatch(/^2033-07-04T10:/);
    expect(applied.deadlines[1]).toMatchObject({ status: 'met', onTime: true });
  });
});
