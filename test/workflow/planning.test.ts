/**
 * A case plans its deadlines in the workflow (patch `plan-in-workflow`), from a calendar snapshot
 * the worker answers as a local activity: no planDeadlines activity, no extra round trip to the
 * server, and a bank holiday added to the calendar still moves an open deadline at the next wake.
 */
import type { temporal } from '@temporalio/proto';
import { stateQuery } from '../../src/process/messages';
import { fictionalForm } from '../helpers/fixtures';
import { startTimeSkipping, type CaseHandle, type TimeSkipping } from '../helpers/timeSkipping';

let ts: TimeSkipping;
beforeAll(async () => {
  ts = await startTimeSkipping('planning-test');
});
afterAll(async () => ts?.shutdown());

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const events = async (handle: CaseHandle): Promise<HistoryEvent[]> => (await handle.fetchHistory()).events ?? [];
const activitiesScheduled = (history: HistoryEvent[], name: string): number => history.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === name).length;
/** The local activity results recorded in the history, by size: a whole snapshot is about 20 KB, "unchanged" a few hundred bytes. */
const snapshotMarkers = (history: HistoryEvent[]): number[] =>
  history
    .filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity')
    .map((e) => Object.values(e.markerRecordedEventAttributes?.details ?? {}).reduce((n, p) => n + (p.payloads ?? []).reduce((m, x) => m + (x.data?.length ?? 0), 0), 0));

describe('deadlines planned in the workflow from a calendar snapshot', () => {
  const form = fictionalForm({ notifyingAgency: 'police', policeInvestigation: true, incidentDate: '2034-01-08', knownAt: '2034-01-09T08:00:00Z', laAwareOn: '2034-01-09' });
  const by = 'Test Officer';
  let handle: CaseHandle;

  it('plans every wake without the planDeadlines activity, the snapshot recorded once and only its version after', async () => {
    await ts.skipTo('2034-01-09T10:00:00Z');
    handle = await ts.open({ form, formReceivedAt: '2034-01-09T10:00:00Z' });
    await ts.waitForSent(form.ref, 1);
    await ts.skipTo('2034-01-11T10:00:00Z');
    const view = await ts.send(handle, 'laDecision', { notifiable: true, panelNotifiedOn: '2034-01-11', ofsted: 'not-required', decidedBy: by });
    // 15 working days from 9 January: the same due date the activity computes (test/workflow/lifecycle.test.ts).
    expect(view.deadlines.find((d) => d.name === 'rapid-review')).toMatchObject({ due: '2034-01-30', status: 'open' });
    expect(view.deadlines.find((d) => d.name === 'panel-notification')).toMatchObject({ due: '2034-01-16', status: 'met', onTime: true });
    await ts.skipTo('2034-01-13T10:00:00Z');

    const history = await events(handle);
    expect(activitiesScheduled(history, 'planDeadlines')).toBe(0);
    const markers = snapshotMarkers(history);
    expect(markers.length).toBeGreaterThanOrEqual(3); // the start, the LA's decision, a reminder's wake
    expect(markers.filter((bytes) => bytes > 5000)).toHaveLength(1);
    expect(markers.filter((bytes) => bytes <= 500)).toHaveLength(markers.length - 1);
  });

  it('moves an open deadline at the next wake when a bank holiday is added to the calendar', async () => {
    ts.extraHolidays.push({ date: '2034-01-20', name: 'A fictional one-off bank holiday' });
    await ts.skipTo('2034-01-16T10:00:00Z');
    const view = await ts.send(handle, 'infoRequest', { agency: 'police', requestedOn: '2034-01-16', dueOn: '2034-01-23', by });
    expect(view.deadlines.find((d) => d.name === 'rapid-review')).toMatchObject({ due: '2034-01-31', status: 'open' });
    expect((await handle.query(stateQuery)).deadlines.find((d) => d.name === 'rapid-review')?.due).toBe('2034-01-31');
    const history = await events(handle);
    expect(activitiesScheduled(history, 'planDeadlines')).toBe(0);
    // The new calendar is recorded once more, in full.
    expect(snapshotMarkers(history).filter((bytes) => bytes > 5000)).toHaveLength(2);
  });
});
