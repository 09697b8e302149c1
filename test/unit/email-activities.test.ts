/**
 * The email activities' rules with the ledger in memory and fake mailers (the real stores and a
 * real SMTP server: test/integration/email-ledger.test.ts and email-failures.test.ts).
 */
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../../activities';
import { describeError } from '../../activities/failures';
import { memoryLedger, type EmailLedger } from '../../activities/emailLedger';
import type { MailReceipt, Mailer, OutgoingEmail } from '../../activities/mailer';
import type { AttentionNoticeRequest, ReminderRequest, ReminderResult } from '../../activities/types';
import { WorkingDayCalendar } from '../../src/calendar';
import { loadDirectory, type Directory } from '../../src/directory';
import { SEND_FAILURE } from '../../src/process/sendFailures';
import { SHIPPED_DIRECTORY } from '../helpers/fixtures';

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
const MESSAGE_ID = '<incident-KSCP-2031-101.run-1.panel-notification.2031-12-31.L1.1@kscp.reminders>';

/** A mailer that accepts everything and keeps what it was given. */
function acceptingMailer(): Mailer & { sent: OutgoingEmail[] } {
  const sent: OutgoingEmail[] = [];
  return {
    sent,
    async send(e): Promise<MailReceipt> {
      sent.push(e);
      return { accepted: [...e.to, ...(e.cc ?? [])], rejected: [], response: '250 OK' };
    },
    close() {},
  };
}

function activities(mailer: Mailer, ledger: EmailLedger, more: Partial<ActivityDeps> = {}) {
  return createActivities({ mailer, directory: () => loadDirectory(SHIPPED_DIRECTORY), directoryFile: 'config/directory.json', calendar: async () => new WorkingDayCalendar(), ledger, ...more });
}

async function failureOf(p: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

// Activity logs (warnings on every failure) stay out of the test output.
const env = new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') });

describe('the email ledger, as the sending activity uses it', () => {
  it('sends a reminder once, even when the activity runs again (a retry, or another worker)', async () => {
    const ledger = memoryLedger();
    const mailer = acceptingMailer();
    const first = await env.run(activities(mailer, ledger).sendReminder, request);
    const again = await env.run(activities(mailer, ledger).sendReminder, request);
    expect(mailer.sent).toHaveLength(1);
    expect(first).toEqual({ messageId: MESSAGE_ID, recipients: 1, refused: [] });
    expect(again).toEqual(first);
  });

  it('releases the claim when the mail server did not take the email, so the next attempt sends at once with the same Message-ID', async () => {
    const ledger = memoryLedger();
    const failing: Mailer = { send: async () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNECTION', command: 'CONN' })), close() {} };
    const failure = await failureOf(env.run(activities(failing, ledger).sendReminder, request));
    expect(failure.type).toBe(SEND_FAILURE.MailTemporarilyUnavailable);
    expect(failure.nonRetryable).toBe(false);
    expect(ledger.rows.get(request.identity)?.state).toBe('released');
    const mailer = acceptingMailer();
    const result: ReminderResult = await env.run(activities(mailer, ledger).sendReminder, request);
    expect(mailer.sent.map((e) => e.messageId)).toEqual([MESSAGE_ID]);
    expect(result.messageId).toBe(MESSAGE_ID);
  });

  it('does not send while another attempt holds a live claim: it fails retryably and sends nothing', async () => {
    const ledger = memoryLedger();
    const held = await ledger.claim(request.identity, MESSAGE_ID, 15_000);
    expect(held.outcome).toBe('claimed');
    const mailer = acceptingMailer();
    const failure = await failureOf(env.run(activities(mailer, ledger).sendReminder, request));
    expect(failure.type).toBe(SEND_FAILURE.EmailBeingSent);
    expect(failure.nonRetryable).toBe(false);
    expect(failure.message).toMatch(/^another attempt holds the claim on this email until \d{4}-\d\d-\d\dT.*: not sending now; trying again in 16 s$/);
    // Retried just after the lease would run out, whatever the retry policy's backoff.
    expect(failure.nextRetryDelay).toBeGreaterThan(15_000);
    expect(failure.nextRetryDelay).toBeLessThanOrEqual(16_000);
    expect(mailer.sent).toHaveLength(0);
  });

  it('takes over a claim whose lease ran out (its worker died) and sends with the same Message-ID', async () => {
    const ledger = memoryLedger();
    await ledger.claim(request.identity, MESSAGE_ID, 1);
    await new Promise((r) => setTimeout(r, 10));
    const mailer = acceptingMailer();
    const result: ReminderResult = await env.run(activities(mailer, ledger).sendReminder, request);
    expect(mailer.sent.map((e) => e.messageId)).toEqual([MESSAGE_ID]);
    expect(result.messageId).toBe(MESSAGE_ID);
    expect(ledger.rows.get(request.identity)).toMatchObject({ state: 'sent', claims: 2 });
  });

  it('treats a ledger that cannot be read as an error (retryable), never as "not sent"', async () => {
    const broken: EmailLedger = { ...memoryLedger(), where: 'broken', claim: async () => Promise.reject(Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' })) };
    const mailer = acceptingMailer();
    const failure = await failureOf(env.run(activities(mailer, broken).sendReminder, request));
    expect(failure.type).toBe(SEND_FAILURE.EmailLedgerUnavailable);
    expect(failure.nonRetryable).toBe(false);
    expect(failure.message).toBe('the email ledger (broken) could not be read: SQLITE_BUSY database is locked: trying again later');
    expect(mailer.sent).toHaveLength(0);
  });

  it('after the mail server accepted but "sent" could not be written, the next attempt on the same worker records it instead of sending', async () => {
    const real = memoryLedger();
    let failWrites = true;
    const flaky: EmailLedger = { ...real, where: 'flaky', markSent: async (...a) => (failWrites ? Promise.reject(new Error('connection terminated')) : real.markSent(...a)) };
    const mailer = acceptingMailer();
    const acts = activities(mailer, flaky);
    const failure = await failureOf(env.run(acts.sendReminder, request));
    expect(failure.type).toBe(SEND_FAILURE.EmailLedgerUnavailable);
    failWrites = false;
    const result = await env.run(acts.sendReminder, request);
    expect(mailer.sent).toHaveLength(1);
    expect(result).toEqual({ messageId: MESSAGE_ID, recipients: 1, refused: [] });
    expect(real.rows.get(request.identity)?.state).toBe('sent');
  }, 15_000);
});

describe('configuration errors are not retried', () => {
  it('a role whose agency is not in the directory: RecipientUnresolvable, naming the role and the fix; nothing sent, nothing claimed', async () => {
    const ledger = memoryLedger();
    const mailer = acceptingMailer();
    const failure = await failureOf(env.run(activities(mailer, ledger).sendReminder, { ...request, to: ['la-lead', 'agency:fire:contact'] } satisfies ReminderRequest));
    expect(failure.type).toBe(SEND_FAILURE.RecipientUnresolvable);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe('no address for agency:fire:contact: agency "fire" is not in the directory config/directory.json (KSCP_DIRECTORY_FILE): add it, or correct the case with kscp amend');
    expect(failure.details).toEqual([[{ role: 'agency:fire:contact', problem: 'agency "fire" is not in the directory config/directory.json (KSCP_DIRECTORY_FILE)', fix: 'add it, or correct the case with kscp amend' }]]);
    expect(mailer.sent).toHaveLength(0);
    expect(ledger.rows.size).toBe(0);
  });

  it('lists every role that resolves to nothing, and sends to none of the others', async () => {
    const mailer = acceptingMailer();
    const failure = await failureOf(env.run(activities(mailer, memoryLedger()).sendReminder, { ...request, to: ['agency:fire:contact', 'business-unit', 'agency:fire:safeguarding-lead', 'agency:__proto__:contact'] } satisfies ReminderRequest));
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toMatch(/^no address for 3 roles: agency:fire:contact: agency "fire" is not in .*; agency:fire:safeguarding-lead: .*; agency:__proto__:contact: agency "__proto__" is not in the directory/);
    expect((failure.details![0] as Array<{ role: string }>).map((r) => r.role)).toEqual(['agency:fire:contact', 'agency:fire:safeguarding-lead', 'agency:__proto__:contact']);
    expect(mailer.sent).toHaveLength(0);
  });

  it('an agency removed from the directory after the case opened: the same', async () => {
    const directory = await loadDirectory(SHIPPED_DIRECTORY);
    const { police: _removed, ...agencies } = directory.agencies;
    const failure = await failureOf(env.run(activities(acceptingMailer(), memoryLedger(), { directory: async () => ({ ...directory, agencies }) }).sendReminder, { ...request, to: ['agency:police:contact'] } satisfies ReminderRequest));
    expect(failure.type).toBe(SEND_FAILURE.RecipientUnresolvable);
    expect(failure.message).toContain('agency "police" is not in the directory');
  });

  it('a directory file that has become invalid: DirectoryInvalid, non-retryable, naming the problem', async () => {
    const failure = await failureOf(env.run(activities(acceptingMailer(), memoryLedger(), { directory: () => loadDirectory('/nonexistent/directory.json') }).sendReminder, request));
    expect(failure.type).toBe(SEND_FAILURE.DirectoryInvalid);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toMatch(/^cannot send: directory file \/nonexistent\/directory.json: cannot read it \(ENOENT\).*\(KSCP_DIRECTORY_FILE\): correct the file/);
  });
});

describe('the attention notice', () => {
  const attention: AttentionNoticeRequest = {
    workflowId: 'incident-KSCP-2031-101',
    ref: 'KSCP-2031-101',
    problem: 'the info-request:fire reminder cannot be sent: agency "fire" is not in the directory config/directory.json',
    fix: 'add agency "fire" to config/directory.json, or correct the case: kscp amend KSCP-2031-101 --field agenciesInvolved ...',
    identity: 'incident-KSCP-2031-101/run-1/attention/info-request:fire/1',
  };

  it('goes to the Business Manager with the Business Unit in copy, once per identity, with the problem and the fix', async () => {
    const ledger = memoryLedger();
    const mailer = acceptingMailer();
    const directory = await loadDirectory(SHIPPED_DIRECTORY);
    const first = await env.run(activities(mailer, ledger).sendAttentionNotice, attention);
    const again = await env.run(activities(mailer, ledger).sendAttentionNotice, attention);
    expect(again).toEqual(first);
    expect(mailer.sent).toHaveLength(1);
    const email = mailer.sent[0]!;
    expect(email.to).toEqual([directory.roles['business-manager'].email]);
    expect(email.cc).toEqual([directory.roles['business-unit'].email]);
    expect(email.messageId).toBe('<incident-KSCP-2031-101.run-1.attention.info-request.fire.1@kscp.attention>');
    expect(email.subject).toBe(`[KSCP-2031-101] Needs attention: ${attention.problem}`);
    expect(email.text).toContain(`What is wrong: ${attention.problem}\nHow to fix it: ${attention.fix}\n`);
    expect(email.headers).toEqual({ 'X-KSCP-Case': 'KSCP-2031-101', 'X-KSCP-Notice': 'needs-attention' });
    expect(first).toEqual({ messageId: email.messageId, recipients: 2, refused: [] });
  });

  it('cannot go when the Business Manager has no address: RecipientUnresolvable', async () => {
    const directory = await loadDirectory(SHIPPED_DIRECTORY);
    const { 'business-manager': _gone, ...roles } = directory.roles;
    const broken = { ...directory, roles } as unknown as Directory;
    const failure = await failureOf(env.run(activities(acceptingMailer(), memoryLedger(), { directory: async () => broken }).sendAttentionNotice, attention));
    expect(failure.type).toBe(SEND_FAILURE.RecipientUnresolvable);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe('no address for business-manager: role "business-manager" has no address in the directory config/directory.json (KSCP_DIRECTORY_FILE): add it under "roles" ({name, email})');
  });
});

describe('errors in the log', () => {
  it('say name, message, code, the reply and the cause (an Error logs as {} otherwise)', () => {
    const err = Object.assign(new Error('Message failed: 452 4.3.1 Insufficient system storage', { cause: new Error('socket hang up') }), { code: 'EMESSAGE', responseCode: 452, response: '452 4.3.1 Insufficient system storage', command: 'DATA' });
    expect(describeError(err)).toEqual({
      name: 'Error',
      message: 'Message failed: 452 4.3.1 Insufficient system storage',
      code: 'EMESSAGE',
      responseCode: 452,
      response: '452 4.3.1 Insufficient system storage',
      command: 'DATA',
      cause: { name: 'Error', message: 'socket hang up' },
    });
    expect(describeError(ApplicationFailure.create({ type: SEND_FAILURE.EmailBeingSent, message: 'x' }))).toMatchObject({ name: 'ApplicationFailure', type: 'EmailBeingSent', message: 'x' });
  });
});
