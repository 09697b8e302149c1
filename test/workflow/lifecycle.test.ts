/**
 * A serious incident through the whole statutory lifecycle on the time-skipping
 * server: LA decision, Rapid Review with an information request, the Panel's
 * response, an LCSPR published on time, the report to the Panel, publication,
 * learning, and the report taken off the website after 6 months: 13 months in all.
 *
 * Every email is listed with its time (UTC to the minute), deadline, level and
 * recipients. 09:00 London is 09:00Z in winter and 08:00Z in British Summer Time
 * (26 March to 29 October 2034). Recipients: BU Business Unit, BM Business
 * Manager, LA the LA lead, <agency> its contact, <agency>-SL its safeguarding lead.
 */
import { KscpStage } from '../../src/process/searchAttributes';
import { stateQuery } from '../../src/process/messages';
import { fictionalForm } from '../helpers/fixtures';
import { deadlineTable, startTimeSkipping, type CaseHandle, type Sent, type TimeSkipping } from '../helpers/timeSkipping';

let ts: TimeSkipping;
beforeAll(async () => {
  ts = await startTimeSkipping('lifecycle-test');
});
afterAll(async () => ts?.shutdown());

describe('a full 13-month lifecycle: LCSPR published on time, then learning and website removal', () => {
  const form = fictionalForm({ notifyingAgency: 'police', policeInvestigation: true, incidentDate: '2034-01-08', knownAt: '2034-01-09T08:00:00Z', laAwareOn: '2034-01-09' });
  const ref = form.ref;
  const by = 'Test Officer';
  let handle: CaseHandle;
  const expected: Sent[] = [];
  const expect_ = async (...more: Sent[]) => {
    expected.push(...more);
    expected.sort((a, b) => a[0].localeCompare(b[0]) || a[1].localeCompare(b[1]));
    await ts.waitForSent(ref, expected.length);
    expect(ts.sent(ref)).toEqual(expected);
  };

  it('Rapid Review stage: the LA decides, information is requested and received, the template is submitted', async () => {
    await ts.skipTo('2034-01-09T10:00:00Z');
    handle = await ts.open({ form, formReceivedAt: '2034-01-09T10:00:00Z' });
    await expect_(['2034-01-09T10:00', 'panel-notification', 1, 'LA']);

    await ts.skipTo('2034-01-11T10:00:00Z');
    let view = await ts.send(handle, 'laDecision', { notifiable: true, panelNotifiedOn: '2034-01-11', decidedBy: by });
    expect(view.stage).toBe('RAPID_REVIEW');
    await ts.skipTo('2034-01-11T10:30:00Z');
    view = await ts.send(handle, 'infoRequest', { agency: 'police', requestedOn: '2034-01-11', dueOn: '2034-01-18', by });
    await expect_(['2034-01-11T10:00', 'rapid-review', 1, 'BU'], ['2034-01-11T10:30', 'info-request:police', 1, 'police']);

    await ts.skipTo('2034-01-16T10:00:00Z');
    await ts.send(handle, 'infoReceived', { agency: 'police', receivedOn: '2034-01-16', by });
    await expect_(['2034-01-16T09:00', 'info-request:police', 2, 'police']);

    await ts.skipTo('2034-01-19T12:00:00Z');
    view = await ts.send(handle, 'rapidReview', { meetingOn: '2034-01-17', submittedOn: '2034-01-19', outcome: 'local-review', rationale: 'Fictional rationale.', by });
    expect(view.stage).toBe('PANEL_RESPONSE');
    await expect_(['2034-01-19T09:00', 'rapid-review', 2, 'BU'], ['2034-01-19T12:00', 'panel-response', 1, 'BU']);
    const state = await handle.query(stateQuery);
    expect(deadlineTable(state)).toEqual([
      ['ecase-form', '2034-01-10', 'met'],
      ['panel-notification', '2034-01-16', 'met'],
      ['rapid-review', '2034-01-30', 'met'],
      ['info-request:police', '2034-01-18', 'met'],
      ['panel-response', '2034-02-02', 'open'],
    ]);
    expect(state.deadlines.slice(0, 4).map((d) => d.onTime)).toEqual([true, true, true, true]);
  });

  it("the Panel's answer is chased after 10 working days, then the LCSPR starts its 6-month clock", async () => {
    await ts.skipTo('2034-02-06T10:00:00Z');
    let view = await ts.send(handle, 'panelResponse', { receivedOn: '2034-02-06', decision: 'local-review', by });
    expect(view.stage).toBe('LCSPR');
    expect(view.route).toBe('lcspr');
    await ts.skipTo('2034-02-13T10:00:00Z');
    view = await ts.send(handle, 'lcsprStart', { initiatedOn: '2034-02-13', methodology: 'case-authored', by });
    await expect_(['2034-02-02T09:00', 'panel-response', 2, 'BU'], ['2034-02-13T10:00', 'lcspr-publication', 1, 'BU']);
    expect((await handle.query(stateQuery)).deadlines.find((d) => d.name === 'lcspr-publication')?.due).toBe('2034-08-13');
  });

  it('an agency that answers late is escalated to its safeguarding lead and the Business Manager, then the LA lead', async () => {
    await ts.skipTo('2034-03-06T10:00:00Z');
    await ts.send(handle, 'infoRequest', { agency: 'health', requestedOn: '2034-03-06', dueOn: '2034-03-20', by });
    await ts.skipTo('2034-03-21T10:00:00Z');
    await ts.send(handle, 'infoReceived', { agency: 'health', receivedOn: '2034-03-21', by });
    await expect_(
      ['2034-03-06T10:00', 'info-request:health', 1, 'health'],
      ['2034-03-13T09:00', 'info-request:health', 2, 'health'],
      ['2034-03-13T09:00', 'lcspr-publication', 2, 'BU'],
      ['2034-03-17T09:00', 'info-request:health', 3, 'BU health'],
      ['2034-03-20T09:00', 'info-request:health', 4, 'BM BU health health-SL'],
      ['2034-03-21T09:00', 'info-request:health', 5, 'BM LA health health-SL'],
    );
    const health = (await handle.query(stateQuery)).deadlines.find((d) => d.name === 'info-request:health');
    expect(health).toMatchObject({ status: 'met', metOn: '2034-03-21', onTime: false });
  });

  it('monthly progress reminders run through sign-off; the report goes to the Panel 7 working days before publication', async () => {
    await ts.skipTo('2034-04-03T10:00:00Z');
    await ts.send(handle, 'views', { from: 'practitioners', on: '2034-04-03', by });
    await ts.skipTo('2034-06-05T10:00:00Z');
    expect((await ts.send(handle, 'subgroupAgreed', { on: '2034-06-05', by })).stage).toBe('SIGN_OFF');
    await ts.skipTo('2034-06-19T10:00:00Z');
    await ts.send(handle, 'executiveSignoff', { on: '2034-06-19', decision: 'publish', plannedPublicationOn: '2034-07-31', by });
    await ts.skipTo('2034-07-10T10:00:00Z');
    await ts.send(handle, 'reportSent', { sentOn: '2034-07-10', by });
    await ts.skipTo('2034-07-31T10:00:00Z');
    const view = await ts.send(handle, 'published', { on: '2034-07-31', url: 'https://kscp.example.org/reviews/fictional', by });
    expect(view.stage).toBe('PUBLISHED');
    await expect_(
      ['2034-04-13T08:00', 'lcspr-publication', 2, 'BU'],
      ['2034-05-12T08:00', 'lcspr-publication', 2, 'BU'], // 13 May is a Saturday
      ['2034-06-13T08:00', 'lcspr-publication', 2, 'BU'],
      ['2034-06-19T10:00', 'report-to-panel', 1, 'BU'],
      ['2034-07-05T08:00', 'report-to-panel', 2, 'BU'],
      ['2034-07-13T08:00', 'lcspr-publication', 3, 'BU'], // a month before
      ['2034-07-28T08:00', 'lcspr-publication', 3, 'BU'], // two weeks before is Sunday 30 July
      ['2034-07-31T10:00', 'learning-dissemination', 1, 'BU'],
      ['2034-07-31T10:00', 'staff-informed', 1, 'BU'],
      ['2034-07-31T10:00', 'website-removal', 1, 'BU'],
    );
    const state = await handle.query(stateQuery);
    expect(state.deadlines.find((d) => d.name === 'report-to-panel')).toMatchObject({ due: '2034-07-20', status: 'met', onTime: true });
    expect(state.deadlines.find((d) => d.name === 'lcspr-publication')).toMatchObject({ due: '2034-08-13', status: 'met', metOn: '2034-07-31', onTime: true });
    expect(state.deadlines.find((d) => d.name === 'website-removal')?.due).toBe('2035-01-31');
  });

  it('learning is chased until done; the report comes off the website after 6 months and the case closes', async () => {
    await ts.skipTo('2034-08-14T10:00:00Z');
    await ts.send(handle, 'learningShared', { on: '2034-08-14', by });
    await ts.skipTo('2034-08-21T10:00:00Z');
    expect((await ts.send(handle, 'staffInformed', { on: '2034-08-21', by })).stage).toBe('PUBLISHED');
    await ts.skipTo('2035-01-31T10:00:00Z');
    const view = await ts.send(handle, 'removedFromWebsite', { on: '2035-01-31', by });
    expect(view.stage).toBe('CLOSED');
    await expect_(
      ['2034-08-14T08:00', 'learning-dissemination', 2, 'BU'],
      ['2034-08-14T08:00', 'staff-informed', 2, 'BU'],
      ['2034-10-30T09:00', 'website-removal', 2, 'BU'], // half-way; GMT from 29 October
      ['2035-01-30T09:00', 'website-removal', 3, 'BU'],
      ['2035-01-31T09:00', 'website-removal', 4, 'BM BU'],
    );
    await ts.skipTo('2035-03-01T10:00:00Z');
    expect(ts.sent(ref)).toHaveLength(expected.length);
    // (Last: waiting for a result lets the time-skipping server jump to its next timer, years ahead.)
    const result = await handle.result();
    expect(result.closedBecause).toBe('review concluded and its learning shared');
    expect(result.deadlines.every((d) => d.status === 'met')).toBe(true);
    expect((await handle.describe()).typedSearchAttributes.get(KscpStage)).toBe('CLOSED');
  });
});
