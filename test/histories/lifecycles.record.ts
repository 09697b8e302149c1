/**
 * Records the histories that the replay test (test/workflow/replay.test.ts)
 * replays against the current workflow code. Run `npm run histories:record`
 * after a deliberate change of workflow behaviour, and commit the files; see
 * docs/changing-workflows.md. Fictional cases on the time-skipping server.
 */
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { MessageInputs, MessageName } from '../../src/process/messages';
import { fictionalForm } from '../helpers/fixtures';
import { startTimeSkipping, type TimeSkipping } from '../helpers/timeSkipping';

type Step = { [N in MessageName]: [string, N, MessageInputs[N]] }[MessageName];

let ts: TimeSkipping;
beforeAll(async () => {
  ts = await startTimeSkipping('record-histories');
});
afterAll(async () => ts?.shutdown());

const by = 'Recording Officer';

async function record(file: string, day0: string, steps: Step[], end: string, incidentDate = day0): Promise<void> {
  const form = fictionalForm({ incidentDate, knownAt: `${day0}T08:00:00Z`, laAwareOn: day0 });
  await ts.skipTo(`${day0}T10:00:00Z`);
  const handle = await ts.open({ form, formReceivedAt: `${day0}T10:00:00Z` });
  for (const [at, name, input] of steps) {
    await ts.skipTo(at);
    await ts.send(handle, name, input as never);
  }
  await ts.skipTo(end);
  const history = await handle.fetchHistory();
  writeFileSync(path.join(__dirname, file), JSON.stringify(JSON.parse(historyToJSON(history)), null, 1) + '\n');
}

it('records a 13-month LCSPR lifecycle, with information requests, sign-off, publication, learning and website removal', async () => {
  await record('lcspr-lifecycle.json', '2034-01-09', [
    ['2034-01-11T10:00:00Z', 'laDecision', { notifiable: true, panelNotifiedOn: '2034-01-11', decidedBy: by }],
    ['2034-01-11T10:30:00Z', 'infoRequest', { agency: 'police', requestedOn: '2034-01-11', dueOn: '2034-01-18', by }],
    ['2034-01-16T10:00:00Z', 'infoReceived', { agency: 'police', receivedOn: '2034-01-16', by }],
    ['2034-01-19T12:00:00Z', 'rapidReview', { meetingOn: '2034-01-17', submittedOn: '2034-01-19', outcome: 'local-review', rationale: 'Fictional.', by }],
    ['2034-02-06T10:00:00Z', 'panelResponse', { receivedOn: '2034-02-06', decision: 'local-review', by }],
    ['2034-02-13T10:00:00Z', 'lcsprStart', { initiatedOn: '2034-02-13', methodology: 'case-authored', by }],
    ['2034-03-06T10:00:00Z', 'infoRequest', { agency: 'health', requestedOn: '2034-03-06', dueOn: '2034-03-20', by }],
    ['2034-03-21T10:00:00Z', 'infoReceived', { agency: 'health', receivedOn: '2034-03-21', by }],
    ['2034-04-03T10:00:00Z', 'views', { from: 'family', on: '2034-04-03', by }],
    ['2034-06-05T10:00:00Z', 'subgroupAgreed', { on: '2034-06-05', by }],
    ['2034-06-19T10:00:00Z', 'executiveSignoff', { on: '2034-06-19', decision: 'publish', plannedPublicationOn: '2034-07-31', by }],
    ['2034-07-10T10:00:00Z', 'reportSent', { sentOn: '2034-07-10', by }],
    ['2034-07-31T10:00:00Z', 'published', { on: '2034-07-31', url: 'https://kscp.example.org/reviews/fictional', by }],
    ['2034-08-14T10:00:00Z', 'learningShared', { on: '2034-08-14', by }],
    ['2034-08-21T10:00:00Z', 'staffInformed', { on: '2034-08-21', by }],
    ['2035-01-31T10:00:00Z', 'removedFromWebsite', { on: '2035-01-31', by }],
  ], '2035-02-01T10:00:00Z');
});

it('records a national review with a corrected date, a late agency, and learning', async () => {
  await record('national-review-amended.json', '2035-09-03', [
    ['2035-09-04T10:00:00Z', 'amend', { field: 'laAwareOn', value: '2035-08-31', reason: 'Fictional correction.', by }],
    ['2035-09-05T10:00:00Z', 'laDecision', { notifiable: true, panelNotifiedOn: '2035-09-05', decidedBy: by }],
    ['2035-09-06T10:00:00Z', 'rapidReview', { meetingOn: '2035-09-05', submittedOn: '2035-09-06', outcome: 'recommend-national-review', rationale: 'Fictional.', by }],
    ['2035-09-20T10:00:00Z', 'panelResponse', { receivedOn: '2035-09-20', decision: 'national-review', by }],
    ['2035-09-24T10:00:00Z', 'nationalReviewer', { reviewer: 'Panel-appointed reviewer', appointedOn: '2035-09-24', by }],
    ['2035-09-24T10:30:00Z', 'infoRequest', { agency: 'education', requestedOn: '2035-09-24', dueOn: '2035-10-01', by }],
    ['2035-10-03T10:00:00Z', 'infoReceived', { agency: 'education', receivedOn: '2035-10-03', by }],
    ['2035-11-05T10:00:00Z', 'nationalReport', { receivedOn: '2035-11-05', by }],
    ['2035-11-06T10:00:00Z', 'learningShared', { on: '2035-11-06', by }],
    ['2035-11-27T10:00:00Z', 'staffInformed', { on: '2035-11-27', by }],
  ], '2035-11-28T10:00:00Z', '2035-08-30');
});
