import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createActivities } from '../../activities';
import { fileLedger } from '../../activities/ledger';
import type { Mailer, OutgoingEmail } from '../../activities/mailer';
import type { ReminderRequest, ReminderResult } from '../../activities/types';
import { WorkingDayCalendar } from '../../src/calendar';
import { loadDirectory } from '../../src/directory';
import { SHIPPED_DIRECTORY } from '../helpers/fixtures';
import { MockActivityEnvironment } from '@temporalio/testing';

const request: ReminderRequest = {
  workflowId: 'incident-KSCP-2031-101',
  ref: 'KSCP-2031-101',
  deadline: { name: 'panel-notification', timescale: 'panel-notification', due: '2031-12-31', dueAt: '2031-12-31T23:59:59.000Z' },
  level: 1,
  occurrence: 1,
  scheduledAt: '2031-12-24T10:00:00.000Z',
  to: ['la-lead'],
  identity: 'incident-KSCP-2031-101/run-1/panel-notification/2031-12-31/L1/1',
  policeInvestigation: false,
  childDied: false,
};

function activitiesWith(dir: string, mailer: Mailer) {
  return createActivities({ mailer, directory: () => loadDirectory(SHIPPED_DIRECTORY), calendar: async () => new WorkingDayCalendar(), ledger: fileLedger(dir) });
}

describe('the email ledger', () => {
  it('sends a reminder once, even when the activity runs again (a retry, or a new worker on the same host)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kscp-ledger-'));
    const sent: OutgoingEmail[] = [];
    const mailer: Mailer = { send: async (e) => void sent.push(e), close() {} };
    const env = new MockActivityEnvironment();
    const first = await env.run(activitiesWith(dir, mailer).sendReminder, request);
    const again = await env.run(activitiesWith(dir, mailer).sendReminder, request);
    expect(sent).toHaveLength(1);
    expect(again).toEqual(first);
  });

  it('sends again, with the same Message-ID, when a previous attempt died before the mail server answered', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kscp-ledger-'));
    const env = new MockActivityEnvironment();
    const failing: Mailer = { send: async () => Promise.reject(new Error('connection lost')), close() {} };
    await expect(env.run(activitiesWith(dir, failing).sendReminder, request)).rejects.toThrow('connection lost');
    const sent: OutgoingEmail[] = [];
    const working: Mailer = { send: async (e) => void sent.push(e), close() {} };
    const result = (await env.run(activitiesWith(dir, working).sendReminder, request)) as ReminderResult;
    expect(sent.map((e) => e.messageId)).toEqual([result.messageId]);
    expect(result.messageId).toBe('<incident-KSCP-2031-101.run-1.panel-notification.2031-12-31.L1.1@kscp.reminders>');
  });
});
