/**
 * Every other route of a case on the time-skipping server (the full LCSPR
 * lifecycle is in lifecycle.test.ts; not notifiable and a bank holiday added
 * mid-case are in incident.test.ts). Each lists every email about the case:
 * [UTC time, deadline, level, recipients] with BU Business Unit, BM Business
 * Manager, LA the LA lead, <agency> its contact and <agency>-SL its
 * safeguarding lead. 09:00 London is 09:00Z in winter, 08:00Z in summer.
 *
 * One server clock for the file, so the cases run in date order: 2035, then 2036.
 */
import type { IncidentView } from '../../src/process/incident';
import { KscpOverdue, KscpNextDeadlineName, KscpRoute, KscpStage } from '../../src/process/searchAttributes';
import { stateQuery } from '../../src/process/messages';
import { fictionalForm } from '../helpers/fixtures';
import { deadlineTable, startTimeSkipping, type CaseHandle, type Sent, type TimeSkipping } from '../helpers/timeSkipping';

let ts: TimeSkipping;
beforeAll(async () => {
  ts = await startTimeSkipping('routes-test');
});
afterAll(async () => ts?.shutdown());

const by = 'Test Officer';
const at = (instant: string) => ts.skipTo(instant);

/** Notify at 10:00, LA decision at 11:00 on day 0; Rapid Review submitted next day; the Panel answers the day after. */
async function toPanelResponse(day0: string, day1: string, day2: string, outcome: 'local-review' | 'recommend-national-review' | 'no-further-review', decision: 'local-review' | 'national-review' | 'no-further-review') {
  const form = fictionalForm({ incidentDate: day0, knownAt: `${day0}T08:00:00Z`, laAwareOn: day0 });
  await at(`${day0}T10:00:00Z`);
  const handle = await ts.open({ form, formReceivedAt: `${day0}T10:00:00Z` });
  await at(`${day0}T11:00:00Z`);
  await ts.send(handle, 'laDecision', { notifiable: true, panelNotifiedOn: day0, decidedBy: by });
  await at(`${day1}T11:00:00Z`);
  await ts.send(handle, 'rapidReview', { meetingOn: day0, submittedOn: day1, outcome, rationale: 'Fictional rationale.', by });
  await at(`${day2}T11:00:00Z`);
  const view = await ts.send(handle, 'panelResponse', { receivedOn: day2, decision, by });
  const opening: Sent[] = [
    [`${day0}T10:00`, 'panel-notification', 1, 'LA'],
    [`${day0}T11:00`, 'rapid-review', 1, 'BU'],
    [`${day1}T11:00`, 'panel-response', 1, 'BU'],
  ];
  return { form, handle, view, opening };
}

async function expectSent(ref: string, expected: Sent[]): Promise<void> {
  await ts.waitForSent(ref, expected.length);
  expect(ts.sent(ref)).toEqual(expected);
}

/** The case board's stage and route, once the workflow has caught up (waits up to 10 s for `expected`). */
async function stageAndRoute(handle: CaseHandle, expected: [string, string]): Promise<[unknown, unknown]> {
  const until = Date.now() + 10_000;
  for (;;) {
    const sa = (await handle.describe()).typedSearchAttributes;
    const got: [unknown, unknown] = [sa.get(KscpStage), sa.get(KscpRoute)];
    if (JSON.stringify(got) === JSON.stringify(expected) || Date.now() > until) return got;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const deadline = (view: IncidentView, name: string) => view.deadlines.find((d) => d.name === name);

/** The case board's overdue flag, once the workflow has caught up (waits up to 10 s for `expected`). */
async function overdueFlag(handle: CaseHandle, expected: boolean): Promise<boolean | undefined> {
  const until = Date.now() + 10_000;
  for (;;) {
    const flag = (await handle.describe()).typedSearchAttributes.get(KscpOverdue);
    if (flag === expected || Date.now() > until) return flag;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('an LCSPR published late, with the reasons for the delay sent to the Panel (2035)', () => {
  let handle: CaseHandle;
  let ref: string;
  let opening: Sent[];

  it('warns a month and two weeks before, then escalates weekly and opens the delay-reasons task', async () => {
    ({ handle, opening, form: { ref } } = await toPanelResponse('2035-01-08', '2035-01-09', '2035-01-10', 'local-review', 'local-review'));
    await at('2035-01-10T12:00:00Z');
    await ts.send(handle, 'lcsprStart', { initiatedOn: '2035-01-10', methodology: 'thematic', by });
    await at('2035-07-17T12:00:00Z');
    await expectSent(ref, [
      ...opening,
      ['2035-01-10T12:00', 'lcspr-publication', 1, 'BU'],
      ['2035-02-09T09:00', 'lcspr-publication', 2, 'BU'], // 10 February is a Saturday
      ['2035-03-09T09:00', 'lcspr-publication', 2, 'BU'],
      ['2035-04-10T08:00', 'lcspr-publication', 2, 'BU'],
      ['2035-05-10T08:00', 'lcspr-publication', 2, 'BU'],
      ['2035-06-08T08:00', 'lcspr-publication', 3, 'BU'], // a month before is Sunday 10 June
      ['2035-06-26T08:00', 'lcspr-publication', 3, 'BU'],
      ['2035-07-10T08:00', 'lcspr-publication', 4, 'BM BU'],
      ['2035-07-17T08:00', 'delay-reasons', 1, 'BU'],
      ['2035-07-17T08:00', 'lcspr-publication', 5, 'BM BU LA'],
    ]);
    const view = await handle.query(stateQuery);
    expect(deadline(view, 'lcspr-publication')).toMatchObject({ due: '2035-07-10', status: 'overdue' });
    expect(deadline(view, 'delay-reasons')).toMatchObject({ due: '2035-07-24', status: 'open' });
    expect(await overdueFlag(handle, true)).toBe(true);
    expect((await handle.describe()).typedSearchAttributes.get(KscpNextDeadlineName)).toBe('lcspr-publication');
  });

  it('records the reasons sent, keeps chasing publication weekly, and records it published late', async () => {
    await at('2035-07-19T10:00:00Z');
    await ts.send(handle, 'delay', { sentOn: '2035-07-19', reason: 'Fictional: awaiting a partner agency report.', by });
    await at('2035-07-30T10:00:00Z');
    await ts.send(handle, 'subgroupAgreed', { on: '2035-07-30', by });
    await at('2035-07-31T10:00:00Z');
    await ts.send(handle, 'executiveSignoff', { on: '2035-07-31', decision: 'improvements-only', plannedPublicationOn: '2035-09-28', reasons: 'Fictional reasons.', by });
    await at('2035-07-31T11:00:00Z');
    await ts.send(handle, 'reportSent', { sentOn: '2035-07-31', by });
    await at('2035-08-01T10:00:00Z');
    const view = await ts.send(handle, 'published', { on: '2035-08-01', url: 'https://kscp.example.org/reviews/fictional-2', by });
    expect(view.stage).toBe('PUBLISHED');
    await ts.waitForSent(ref, opening.length + 16);
    expect(ts.sent(ref).slice(opening.length + 10)).toEqual([
      ['2035-07-24T08:00', 'lcspr-publication', 5, 'BM BU LA'],
      ['2035-07-31T08:00', 'lcspr-publication', 5, 'BM BU LA'],
      ['2035-07-31T10:00', 'report-to-panel', 1, 'BU'],
      ['2035-08-01T10:00', 'learning-dissemination', 1, 'BU'],
      ['2035-08-01T10:00', 'staff-informed', 1, 'BU'],
      ['2035-08-01T10:00', 'website-removal', 1, 'BU'],
    ]);
    expect(deadline(view, 'delay-reasons')).toMatchObject({ status: 'met', metOn: '2035-07-19', onTime: true });
    expect(deadline(view, 'lcspr-publication')).toMatchObject({ status: 'met', metOn: '2035-08-01', onTime: false });
    expect(await overdueFlag(handle, false)).toBe(false);
    // The rest of this case (learning, website removal) is covered elsewhere; stop its reminders.
    await ts.send(handle, 'withdraw', { reason: 'other', detail: 'Fictional: end of the test.', by });
  });
});

describe('a national review (2035)', () => {
  it("follows the Panel's reviewer and an agency's late contribution, then learning, then closes", async () => {
    const { handle, opening, form, view } = await toPanelResponse('2035-09-03', '2035-09-04', '2035-09-05', 'recommend-national-review', 'national-review');
    expect(view.stage).toBe('NATIONAL_REVIEW');
    // Nothing is due until the Panel appoints its reviewer: the board still shows the new stage and route.
    expect(await stageAndRoute(handle, ['NATIONAL_REVIEW', 'national-review'])).toEqual(['NATIONAL_REVIEW', 'national-review']);
    await at('2035-09-10T10:00:00Z');
    await ts.send(handle, 'nationalReviewer', { reviewer: 'Panel-appointed reviewer', appointedOn: '2035-09-10', by });
    await at('2035-09-10T10:30:00Z');
    await ts.send(handle, 'infoRequest', { agency: 'education', requestedOn: '2035-09-10', dueOn: '2035-09-17', by });
    await at('2035-09-19T10:00:00Z');
    await ts.send(handle, 'infoReceived', { agency: 'education', receivedOn: '2035-09-19', by });
    await at('2035-10-15T10:00:00Z');
    expect((await ts.send(handle, 'nationalReport', { receivedOn: '2035-10-15', by })).stage).toBe('LEARNING');
    await at('2035-10-16T10:00:00Z');
    await ts.send(handle, 'learningShared', { on: '2035-10-16', by });
    await at('2035-10-17T10:00:00Z');
    const closed = await ts.send(handle, 'staffInformed', { on: '2035-10-17', by });
    expect(closed.stage).toBe('CLOSED');
    expect(closed.route).toBe('national-review');
    await expectSent(form.ref, [
      ...opening,
      ['2035-09-10T10:30', 'info-request:education', 1, 'education'],
      ['2035-09-13T08:00', 'info-request:education', 2, 'education'],
      ['2035-09-14T08:00', 'info-request:education', 3, 'BU education'],
      ['2035-09-17T08:00', 'info-request:education', 4, 'BM BU education education-SL'],
      ['2035-09-18T08:00', 'info-request:education', 5, 'BM LA education education-SL'],
      ['2035-09-19T08:00', 'info-request:education', 5, 'BM LA education education-SL'],
      ['2035-10-15T10:00', 'learning-dissemination', 1, 'BU'],
      ['2035-10-15T10:00', 'staff-informed', 1, 'BU'],
    ]);
    expect(deadlineTable(closed).slice(4)).toEqual([
      ['info-request:education', '2035-09-17', 'met'],
      ['learning-dissemination', '2035-10-29', 'met'],
      ['staff-informed', '2035-10-29', 'met'],
    ]);
  });
});

describe('no further review (2035)', () => {
  it('goes straight to learning, chases it every 10 working days without calling it overdue, and closes when done', async () => {
    const { handle, opening, form, view } = await toPanelResponse('2035-11-05', '2035-11-06', '2035-11-07', 'no-further-review', 'no-further-review');
    expect(view.stage).toBe('LEARNING');
    expect(view.route).toBe('no-further-review');
    await at('2035-11-22T10:00:00Z');
    await ts.send(handle, 'learningShared', { on: '2035-11-22', by });
    await at('2035-12-05T12:00:00Z');
    expect(await overdueFlag(handle, false)).toBe(false);
    await at('2035-12-06T10:00:00Z');
    expect((await ts.send(handle, 'staffInformed', { on: '2035-12-06', by })).stage).toBe('CLOSED');
    await expectSent(form.ref, [
      ...opening.slice(0, 2),
      ['2035-11-06T11:00', 'panel-response', 1, 'BU'],
      ['2035-11-07T11:00', 'learning-dissemination', 1, 'BU'],
      ['2035-11-07T11:00', 'staff-informed', 1, 'BU'],
      ['2035-11-21T09:00', 'learning-dissemination', 2, 'BU'],
      ['2035-11-21T09:00', 'staff-informed', 2, 'BU'],
      ['2035-12-05T09:00', 'staff-informed', 2, 'BU'],
    ]);
  });
});

describe('withdrawal mid-review (2036)', () => {
  it('stops every open reminder, keeps the record, and refuses anything more', async () => {
    const { handle, opening, form } = await toPanelResponse('2036-01-07', '2036-01-08', '2036-01-09', 'local-review', 'local-review');
    await at('2036-01-09T12:00:00Z');
    await ts.send(handle, 'lcsprStart', { initiatedOn: '2036-01-09', methodology: 'learning-event', by });
    await at('2036-01-14T10:00:00Z');
    await ts.send(handle, 'infoRequest', { agency: 'police', requestedOn: '2036-01-14', dueOn: '2036-01-28', by });
    await at('2036-01-22T10:00:00Z');
    const view = await ts.send(handle, 'withdraw', { reason: 'recorded-in-error', detail: 'Fictional: duplicate of another case.', by });
    expect(view.stage).toBe('CLOSED');
    expect(view.route).toBe('withdrawn');
    expect(view.withdrawal).toMatchObject({ reason: 'recorded-in-error' });
    expect(deadlineTable(view).slice(4)).toEqual([
      ['lcspr-publication', '2036-07-09', 'cancelled'],
      ['info-request:police', '2036-01-28', 'cancelled'],
    ]);
    await at('2036-02-01T12:00:00Z');
    await expectSent(form.ref, [
      ...opening,
      ['2036-01-09T12:00', 'lcspr-publication', 1, 'BU'],
      ['2036-01-14T10:00', 'info-request:police', 1, 'police'],
      ['2036-01-21T09:00', 'info-request:police', 2, 'police'],
    ]);
    expect((await handle.describe()).status.name).toBe('COMPLETED');
    await expect(ts.send(handle, 'infoReceived', { agency: 'police', receivedOn: '2036-01-30', by })).rejects.toThrow(/not found|completed/i);
  });
});

describe('a corrected awareness date and a corrected information-request due date (2036)', () => {
  it('recomputes the open deadlines and their reminders from the corrected dates', async () => {
    const form = fictionalForm({ incidentDate: '2036-01-31', knownAt: '2036-02-04T08:00:00Z', laAwareOn: '2036-02-04' });
    await at('2036-02-04T10:00:00Z');
    const handle = await ts.open({ form, formReceivedAt: '2036-02-04T10:00:00Z' });
    await ts.waitForSent(form.ref, 1);
    expect(deadline(await handle.query(stateQuery), 'panel-notification')?.due).toBe('2036-02-11');

    await at('2036-02-05T10:00:00Z');
    const amended = await ts.send(handle, 'amend', { field: 'laAwareOn', value: '2036-02-01', reason: 'Fictional: date typed wrongly.', by });
    expect(amended.amendments).toEqual([expect.objectContaining({ field: 'laAwareOn', from: '2036-02-04', to: '2036-02-01' })]);
    await at('2036-02-08T10:00:00Z');
    let view = await ts.send(handle, 'laDecision', { notifiable: true, panelNotifiedOn: '2036-02-08', decidedBy: by });
    expect(deadline(view, 'panel-notification')).toMatchObject({ due: '2036-02-08', onTime: true });
    await at('2036-02-08T10:30:00Z');
    await ts.send(handle, 'infoRequest', { agency: 'health', requestedOn: '2036-02-08', dueOn: '2036-02-13', by });
    await at('2036-02-11T10:00:00Z');
    await ts.send(handle, 'amend', { field: 'info-request:health', value: '2036-02-20', reason: 'Fictional: agency asked for more time.', by });
    await at('2036-02-15T10:00:00Z');
    view = await ts.send(handle, 'infoReceived', { agency: 'health', receivedOn: '2036-02-15', by });
    expect(deadlineTable(view)).toEqual([
      ['ecase-form', '2036-02-05', 'met'],
      ['panel-notification', '2036-02-08', 'met'],
      ['rapid-review', '2036-02-22', 'open'],
      ['info-request:health', '2036-02-20', 'met'],
    ]);
    await expectSent(form.ref, [
      ['2036-02-04T10:00', 'panel-notification', 1, 'LA'],
      ['2036-02-06T09:00', 'panel-notification', 2, 'LA'],
      ['2036-02-07T09:00', 'panel-notification', 3, 'BU LA'],
      ['2036-02-08T09:00', 'panel-notification', 4, 'BM BU LA'],
      ['2036-02-08T10:00', 'rapid-review', 1, 'BU'],
      ['2036-02-08T10:30', 'info-request:health', 1, 'health'],
      ['2036-02-13T09:00', 'rapid-review', 2, 'BU'],
      ['2036-02-14T09:00', 'info-request:health', 2, 'health'],
    ]);
    await ts.send(handle, 'withdraw', { reason: 'other', detail: 'Fictional: end of the test.', by });
  });
});

describe('publication deferred by criminal proceedings (2036)', () => {
  it('moves the report to the Panel with the new publication date, keeps the statutory LCSPR date, and records the Panel was told', async () => {
    const { handle, opening, form } = await toPanelResponse('2036-03-03', '2036-03-04', '2036-03-05', 'local-review', 'local-review');
    await at('2036-03-05T12:00:00Z');
    await ts.send(handle, 'lcsprStart', { initiatedOn: '2036-03-05', methodology: 'case-authored', by });
    await at('2036-03-06T10:00:00Z');
    await ts.send(handle, 'subgroupAgreed', { on: '2036-03-06', by });
    await at('2036-03-06T11:00:00Z');
    let view = await ts.send(handle, 'executiveSignoff', { on: '2036-03-06', decision: 'publish', plannedPublicationOn: '2036-04-30', by });
    await at('2036-03-20T10:00:00Z');
    expect(deadline(await handle.query(stateQuery), 'report-to-panel')?.due).toBe('2036-04-21');
    view = await ts.send(handle, 'defer', { reason: 'Fictional: criminal trial listed.', newDate: '2036-06-30', panelToldOn: '2036-03-20', by });
    expect(view.deferrals).toEqual([expect.objectContaining({ newDate: '2036-06-30', panelToldOn: '2036-03-20' })]);
    expect(view.signOff?.executive?.plannedPublicationOn).toBe('2036-06-30');
    await at('2036-06-09T10:00:00Z');
    await ts.send(handle, 'reportSent', { sentOn: '2036-06-09', by });
    await at('2036-06-30T10:00:00Z');
    view = await ts.send(handle, 'published', { on: '2036-06-30', url: 'https://kscp.example.org/reviews/fictional-3', by });
    expect(deadline(view, 'report-to-panel')).toMatchObject({ due: '2036-06-19', status: 'met', onTime: true });
    expect(deadline(view, 'lcspr-publication')).toMatchObject({ due: '2036-09-05', status: 'met', onTime: true });
    await expectSent(form.ref, [
      ...opening,
      ['2036-03-05T12:00', 'lcspr-publication', 1, 'BU'],
      ['2036-03-06T11:00', 'report-to-panel', 1, 'BU'],
      ['2036-04-04T08:00', 'lcspr-publication', 2, 'BU'],
      ['2036-04-29T08:00', 'report-to-panel', 2, 'BU'], // half-way to the new date; 27 March before the deferral
      ['2036-05-02T08:00', 'lcspr-publication', 2, 'BU'], // 5 May is a bank holiday
      ['2036-06-05T08:00', 'lcspr-publication', 2, 'BU'],
      ['2036-06-30T10:00', 'learning-dissemination', 1, 'BU'],
      ['2036-06-30T10:00', 'staff-informed', 1, 'BU'],
      ['2036-06-30T10:00', 'website-removal', 1, 'BU'],
    ]);
  });
});
