/**
 * How the email activities fail, against a real SMTP server (smtp-server) that refuses what each
 * test chooses, through the real nodemailer transport and the real SQLite ledger: a configuration
 * error or a permanent refusal is not retried (and says what to fix); a refused recipient among
 * others is reported, not dropped; anything transient is retried.
 */
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createActivities } from '../../activities';
import { sqliteLedger, type EmailLedger } from '../../activities/emailLedger';
import { createSmtpMailer, type Mailer } from '../../activities/mailer';
import type { ReminderRequest, ReminderResult } from '../../activities/types';
import { WorkingDayCalendar } from '../../src/calendar';
import { loadDirectory, type Directory } from '../../src/directory';
import { SEND_FAILURE } from '../../src/process/sendFailures';
import { SHIPPED_DIRECTORY } from '../helpers/fixtures';
import { freePort } from '../helpers/processes';
import { startMailbox, type Mailbox } from '../helpers/smtp';

let serial = 0;
/** A level-3 warning: to the LA lead and the Business Unit. Each call a new email identity. */
function warning(): ReminderRequest {
  const n = ++serial;
  return {
    workflowId: 'incident-KSCP-2031-301',
    ref: 'KSCP-2031-301',
    deadline: { name: 'panel-notification', timescale: 'panel-notification', due: '2031-12-31', dueAt: '2031-12-31T23:59:59.000Z' },
    level: 3,
    occurrence: n,
    scheduledAt: '2031-12-30T09:00:00.000Z',
    to: ['la-lead', 'business-unit'],
    identity: `incident-KSCP-2031-301/run-1/panel-notification/2031-12-31/L3/${n}`,
    policeInvestigation: false,
    childDied: false,
  };
}

const env = new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') });
let mailbox: Mailbox;
let mailer: Mailer;
let ledger: EmailLedger;
let directory: Directory;
let LA: string;
let BU: string;

const activities = (m: Mailer = mailer) =>
  createActivities({ mailer: m, directory: async () => directory, directoryFile: 'config/directory.json', calendar: async () => new WorkingDayCalendar(), ledger });

async function failureOf(p: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

/** Emails the mail server stored for this reminder. */
const delivered = (r: ReminderRequest) => mailbox.messages.filter((m) => m.messageId === `<${r.identity.replace(/[^A-Za-z0-9.!#$%&'*+=?^_`{|}~-]/g, '.')}@kscp.reminders>`);

beforeAll(async () => {
  mailbox = await startMailbox();
  mailer = createSmtpMailer({ host: '127.0.0.1', port: mailbox.port, secure: false });
  ledger = sqliteLedger(path.join(mkdtempSync(path.join(os.tmpdir(), 'kscp-email-failures-')), 'archive.db'));
  directory = await loadDirectory(SHIPPED_DIRECTORY);
  LA = directory.roles['la-lead'].email;
  BU = directory.roles['business-unit'].email;
});

afterEach(() => {
  mailbox.refuseRecipient(LA);
  mailbox.refuseRecipient(BU);
  mailbox.refuseSender();
  mailbox.refuseConnections();
});

afterAll(async () => {
  mailer?.close();
  await ledger?.close();
  await mailbox?.close();
});

describe('not retried: the case needs a person', () => {
  it('an agency that is not in the directory: RecipientUnresolvable, and the mail server hears nothing', async () => {
    const before = mailbox.messages.length;
    const failure = await failureOf(env.run(activities().sendReminder, { ...warning(), to: ['agency:fire:contact', 'business-unit'] } satisfies ReminderRequest));
    expect(failure).toMatchObject({ type: SEND_FAILURE.RecipientUnresolvable, nonRetryable: true });
    expect(failure.message).toBe('no address for agency:fire:contact: agency "fire" is not in the directory config/directory.json (KSCP_DIRECTORY_FILE): add it, or correct the case with kscp amend');
    expect(mailbox.messages.length).toBe(before);
  });

  it('550 for every recipient: MailPermanentlyRefused naming the reply; nothing delivered; sent once the addresses are fixed', async () => {
    mailbox.refuseRecipient(LA, { code: 550, message: '5.1.1 No such user here' });
    mailbox.refuseRecipient(BU, { code: 550, message: '5.1.1 No such user here' });
    const r = warning();
    const failure = await failureOf(env.run(activities().sendReminder, r));
    expect(failure).toMatchObject({ type: SEND_FAILURE.MailPermanentlyRefused, nonRetryable: true });
    expect(failure.message).toBe(
      `the mail server refused every recipient: ${LA} (la-lead): 550 5.1.1 No such user here; ${BU} (business-unit): 550 5.1.1 No such user here: ` +
        "correct the addresses in the directory config/directory.json (KSCP_DIRECTORY_FILE), or ask the mail server's administrator why it refuses them",
    );
    expect(delivered(r)).toHaveLength(0);
    // Fixed (here: the server accepts again): the same email goes, once.
    mailbox.refuseRecipient(LA);
    mailbox.refuseRecipient(BU);
    await env.run(activities().sendReminder, r);
    expect(delivered(r)).toHaveLength(1);
  });

  it('550 to the sender: MailPermanentlyRefused, pointing at the directory\'s "from"', async () => {
    mailbox.refuseSender({ code: 553, message: '5.7.1 Sender address rejected: not owned by user' });
    const failure = await failureOf(env.run(activities().sendReminder, warning()));
    expect(failure).toMatchObject({ type: SEND_FAILURE.MailPermanentlyRefused, nonRetryable: true });
    expect(failure.message).toBe(
      'the mail server permanently refused the email at MAIL FROM: 553 5.7.1 Sender address rejected: not owned by user: the mail server refuses the sender: correct "from" in the directory config/directory.json (KSCP_DIRECTORY_FILE)',
    );
  });
});

describe('one recipient refused among others', () => {
  it('550 for one of two: sent to the other, recorded as sent, and the result says who was refused and why', async () => {
    mailbox.refuseRecipient(BU, { code: 550, message: '5.1.1 Mailbox unavailable' });
    const r = warning();
    const result: ReminderResult = await env.run(activities().sendReminder, r);
    expect(result.refused).toEqual([{ role: 'business-unit', address: BU, reason: '550 5.1.1 Mailbox unavailable', permanent: true }]);
    expect(result.recipients).toBe(1);
    expect(delivered(r)).toHaveLength(1);
    expect(mailbox.envelopes[mailbox.messages.indexOf(delivered(r)[0]!)]).toEqual([LA]);
    // The ledger has it as sent, with the refusal: a retry returns the same result and sends nothing.
    mailbox.refuseRecipient(BU);
    expect(await env.run(activities().sendReminder, r)).toEqual(result);
    expect(delivered(r)).toHaveLength(1);
  });

  it('450 (temporary) for one of two: sent to the other; the refusal is reported as not permanent', async () => {
    mailbox.refuseRecipient(LA, { code: 450, message: '4.2.1 Mailbox busy, try later' });
    const result: ReminderResult = await env.run(activities().sendReminder, warning());
    expect(result.refused).toEqual([{ role: 'la-lead', address: LA, reason: '450 4.2.1 Mailbox busy, try later', permanent: false }]);
  });
});

describe('retried: transient', () => {
  it('421 at the greeting (the server is busy): MailTemporarilyUnavailable, retryable, and the claim is free for the retry', async () => {
    mailbox.refuseConnections({ code: 421, message: '4.3.2 Service not available, closing channel' });
    const r = warning();
    const failure = await failureOf(env.run(activities().sendReminder, r));
    expect(failure).toMatchObject({ type: SEND_FAILURE.MailTemporarilyUnavailable, nonRetryable: false });
    expect(failure.message).toMatch(/^the mail server did not take the email \(.*421 4\.3\.2 Service not available, closing channel\): trying again later$/);
    mailbox.refuseConnections();
    await env.run(activities().sendReminder, r);
    expect(delivered(r)).toHaveLength(1);
  });

  it('450 for every recipient: retryable', async () => {
    mailbox.refuseRecipient(LA, { code: 450, message: '4.2.1 Mailbox busy' });
    mailbox.refuseRecipient(BU, { code: 450, message: '4.2.1 Mailbox busy' });
    const failure = await failureOf(env.run(activities().sendReminder, warning()));
    expect(failure).toMatchObject({ type: SEND_FAILURE.MailTemporarilyUnavailable, nonRetryable: false });
  });

  it('connection refused: retryable', async () => {
    const nowhere = createSmtpMailer({ host: '127.0.0.1', port: await freePort(), secure: false });
    try {
      const failure = await failureOf(env.run(activities(nowhere).sendReminder, warning()));
      expect(failure).toMatchObject({ type: SEND_FAILURE.MailTemporarilyUnavailable, nonRetryable: false });
      expect(failure.message).toMatch(/^the mail server did not take the email \(ESOCKET: connect ECONNREFUSED 127\.0\.0\.1:\d+\): trying again later$/);
    } finally {
      nowhere.close();
    }
  });
});

describe('the attention notice', () => {
  it('reaches the Business Unit in copy when the Business Manager is refused, and says so', async () => {
    const BM = directory.roles['business-manager'].email;
    mailbox.refuseRecipient(BM, { code: 550, message: '5.1.1 No such user' });
    try {
      const result: ReminderResult = await env.run(activities().sendAttentionNotice, {
        workflowId: 'incident-KSCP-2031-301',
        ref: 'KSCP-2031-301',
        problem: 'the la-lead address is refused by the mail server',
        fix: 'correct roles.la-lead in config/directory.json',
        identity: 'incident-KSCP-2031-301/run-1/attention/1',
      });
      expect(result.refused).toEqual([{ role: 'business-manager', address: BM, reason: '550 5.1.1 No such user', permanent: true }]);
      const mail = mailbox.messages.find((m) => m.messageId === '<incident-KSCP-2031-301.run-1.attention.1@kscp.attention>');
      expect(mail?.subject).toBe('[KSCP-2031-301] Needs attention: the la-lead address is refused by the mail server');
      expect(mailbox.envelopes[mailbox.messages.indexOf(mail!)]).toEqual([BU]);
    } finally {
      mailbox.refuseRecipient(BM);
    }
  });
});
