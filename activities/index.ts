/**
 * Activities: every side effect and everything whose answer can change over
 * time (the calendar, the directory). Built by a factory so the worker hands
 * in nodemailer and the config files, and tests hand in what they need.
 */
import { Context, log } from '@temporalio/activity';
import { memoryArchive, type CaseArchive } from '../src/archive';
import type { WorkingDayCalendar } from '../src/calendar';
import { calendarSnapshotOf, snapshotReply } from '../src/calendarSnapshot';
import type { FaultPoint } from '../src/config';
import { DEFAULT_DEADLINE_SETTINGS, planDeadline, type DeadlinePlan, type DeadlineSettings } from '../src/deadlines';
import { lookupRole, type Directory } from '../src/directory';
import type { Role } from '../src/process/roles';
import type { UnresolvableRole } from '../src/process/sendFailures';
import { composeAttentionNotice, composeReminder } from './email';
import { describeError, directoryInvalid, emailBeingSent, ledgerUnavailable, recipientUnresolvable, smtpFailure } from './failures';
import { CLAIM_LEASE_MS, CLAIM_RENEW_MS, memoryLedger, type Claim, type EmailLedger, type SentRecord } from './emailLedger';
import type { MailReceipt, Mailer, OutgoingEmail } from './mailer';
import type { ArchiveRequest, AttentionNoticeRequest, CalendarSnapshotRequest, IncidentActivities, PlanError, PlanRequest, RefusedRecipient, ReminderRequest, ReminderResult } from './types';

export type { IncidentActivities } from './types';

export interface ActivityDeps {
  mailer: Mailer;
  /** Read at every call, so a changed file applies to open cases. */
  directory: () => Promise<Directory>;
  /** The directory file as an operator names it, for the messages that say what to fix. */
  directoryFile?: string;
  calendar: () => Promise<WorkingDayCalendar>;
  /** The real clock, for "today" in email text when a reminder goes out late. */
  now?: () => Date;
  /** Configurable timescales (website retention); the guide's values when absent. */
  deadlineSettings?: DeadlineSettings;
  /** Where each email is claimed before sending and recorded after (the case archive's database); in memory when absent. */
  ledger?: EmailLedger;
  /** The durable case archive (the worker's SQLite file or PostgreSQL); in memory when absent. */
  archive?: CaseArchive;
  /** Test only (KSCP_FAULT_PAUSE_AT, never in production): pause the email activities here so a fault test can kill the worker. */
  faultPauseAt?: FaultPoint;
}

/** How long a fault-injection pause lasts if the test does not kill the worker. */
const FAULT_PAUSE_MS = 10 * 60_000;
/** Writing "sent" after the mail server accepted is the step that closes the window: try it a few times. */
const RECORD_SENT_TRIES = 3;

type LogFields = Record<string, unknown>;

/** The addresses of some roles, and which role(s) each address came from. */
interface Recipients {
  addresses: string[];
  rolesOf(address: string): string[];
}

/** Every role resolved separately; if any resolves to nothing, none is sent to (RecipientUnresolvable lists them all). */
function resolveRecipients(directory: Directory, roles: Role[], file: string): Recipients {
  const byAddress = new Map<string, { address: string; roles: string[] }>();
  const unresolvable: UnresolvableRole[] = [];
  for (const role of roles) {
    const found = lookupRole(directory, role, file);
    if (!found.ok) {
      unresolvable.push({ role, problem: found.problem, fix: found.fix });
      continue;
    }
    const key = found.person.email.toLowerCase();
    const entry = byAddress.get(key) ?? { address: found.person.email, roles: [] };
    if (!entry.roles.includes(role)) entry.roles.push(role);
    byAddress.set(key, entry);
  }
  if (unresolvable.length) throw recipientUnresolvable(unresolvable);
  return {
    addresses: [...byAddress.values()].map((e) => e.address),
    rolesOf: (address) => byAddress.get(address.toLowerCase())?.roles ?? [],
  };
}

function refusedOf(receipt: MailReceipt, recipients: Recipients): RefusedRecipient[] {
  return receipt.rejected.flatMap((r) => {
    const roles = recipients.rolesOf(r.address);
    return (roles.length ? roles : ['(unknown role)']).map((role) => ({ role, address: r.address, reason: r.response, permanent: (r.responseCode ?? 0) >= 500 }));
  });
}

const resultOf = (record: SentRecord): ReminderResult => ({ messageId: record.messageId, recipients: record.recipients, refused: record.refused });

export function createActivities(deps: ActivityDeps): IncidentActivities {
  const ledger = deps.ledger ?? memoryLedger();
  const archive = deps.archive ?? memoryArchive();
  const directoryFile = deps.directoryFile ?? 'file';
  /** Emails this process handed to the mail server but could not record as sent: the next attempt here records them instead of sending. */
  const unrecorded = new Map<string, { token: string; record: SentRecord }>();

  async function readDirectory(): Promise<Directory> {
    try {
      return await deps.directory();
    } catch (err) {
      throw directoryInvalid((err as Error).message);
    }
  }

  async function pauseFor(point: FaultPoint, fields: LogFields): Promise<void> {
    if (deps.faultPauseAt !== point) return;
    log.warn(`FAULT INJECTION (test only): paused ${point}`, fields);
    await new Promise((resolve) => setTimeout(resolve, FAULT_PAUSE_MS));
  }

  async function recordSent(identity: string, token: string, record: SentRecord): Promise<SentRecord> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await ledger.markSent(identity, token, record);
      } catch (err) {
        if (attempt >= RECORD_SENT_TRIES) throw err;
        await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
      }
    }
  }

  /**
   * Heartbeat to Temporal and renew the claim every 2 s while `work` runs (the heartbeat timeout is
   * 10 s, the lease 20 s). `work` calls `settle()` once the claim needs no renewing (about to be
   * recorded as sent, or released).
   */
  async function whileClaimed<T>(identity: string, token: string, fields: LogFields, work: (settle: () => void) => Promise<T>): Promise<T> {
    const ctx = Context.current();
    ctx.heartbeat();
    let settled = false;
    let renewing = false;
    const tick = (): void => {
      ctx.heartbeat();
      if (settled || renewing) return;
      renewing = true;
      void ledger
        .renew(identity, token, CLAIM_LEASE_MS)
        .then(
          (mine) => {
            if (!mine && !settled) log.warn('this attempt no longer holds the claim on the email: another attempt took it over', fields);
          },
          (err: unknown) => log.warn('could not renew the claim on the email', { ...fields, error: describeError(err) }),
        )
        .finally(() => (renewing = false));
    };
    const timer = setInterval(tick, CLAIM_RENEW_MS);
    try {
      return await work(() => (settled = true));
    } finally {
      clearInterval(timer);
    }
  }

  /** Send an email once per identity, whatever the retries and however many workers (activities/ledger). */
  async function sendOnce(identity: string, email: OutgoingEmail, recipients: Recipients, fields: LogFields): Promise<{ record: SentRecord; fresh: boolean }> {
    const pending = unrecorded.get(identity);
    if (pending) {
      let record: SentRecord;
      try {
        record = await recordSent(identity, pending.token, pending.record);
      } catch (err) {
        throw ledgerUnavailable('record an email already sent', ledger.where, err);
      }
      unrecorded.delete(identity);
      log.info('email was sent by an earlier attempt on this worker; recorded it now, not sending again', fields);
      return { record, fresh: false };
    }
    let claim: Claim;
    try {
      claim = await ledger.claim(identity, email.messageId, CLAIM_LEASE_MS);
    } catch (err) {
      throw ledgerUnavailable('be read', ledger.where, err);
    }
    if (claim.outcome === 'sent') {
      log.info('email already sent; not sending again', fields);
      return { record: claim.sent, fresh: false };
    }
    if (claim.outcome === 'busy') throw emailBeingSent(claim.leaseUntil);
    if (claim.takenOver) {
      log.warn('an earlier attempt claimed this email and stopped before recording it: it may have reached the mail server; sending again with the same Message-ID', {
        ...fields,
        messageId: email.messageId,
        claims: claim.claims,
      });
    }
    const { token } = claim;
    return whileClaimed(identity, token, fields, async (settle) => {
      await pauseFor('after-claim', fields);
      let receipt: MailReceipt;
      try {
        receipt = await deps.mailer.send(email);
      } catch (err) {
        settle();
        await ledger.release(identity, token).catch((e: unknown) => log.warn('could not release the claim on the email; the next attempt waits for its lease to run out', { ...fields, error: describeError(e) }));
        throw smtpFailure(err, recipients.rolesOf, directoryFile);
      }
      const record: SentRecord = { messageId: email.messageId, recipients: receipt.accepted.length, refused: refusedOf(receipt, recipients), sentAt: new Date().toISOString() };
      await pauseFor('after-smtp-accepted', fields);
      settle();
      let stood: SentRecord;
      try {
        stood = await recordSent(identity, token, record);
      } catch (err) {
        unrecorded.set(identity, { token, record });
        throw ledgerUnavailable('record the email as sent (the mail server accepted it)', ledger.where, err);
      }
      await pauseFor('after-ledger-sent', fields);
      return { record: stood, fresh: true };
    });
  }

  function logRefused(what: string, refused: RefusedRecipient[], fields: LogFields): void {
    if (!refused.length) return;
    log.warn(`${what} sent, but the mail server refused some recipients`, { ...fields, refused: refused.map((r) => `${r.role} <${r.address}>: ${r.reason}`) });
  }

  return {
    async planDeadlines(request: PlanRequest) {
      const calendar = await deps.calendar();
      const now = new Date(request.now);
      const settings = deps.deadlineSettings ?? DEFAULT_DEADLINE_SETTINGS;
      // One deadline that cannot be computed (a date the calendar does not cover) does not stop the others.
      return request.deadlines.map((d): DeadlinePlan | PlanError => {
        try {
          return planDeadline(d, now, calendar, settings);
        } catch (err) {
          if (!(err instanceof RangeError)) throw err;
          log.warn('a deadline cannot be computed', { timescale: d.clock.timescale, error: err.message });
          return { error: err.message };
        }
      });
    },

    async calendarSnapshot(request: CalendarSnapshotRequest) {
      // The same calendar (and file) planDeadlines and the emails read, so a new bank holiday moves open deadlines.
      const snapshot = calendarSnapshotOf(await deps.calendar(), deps.deadlineSettings ?? DEFAULT_DEADLINE_SETTINGS);
      return snapshotReply(snapshot, request.have);
    },

    async sendReminder(request: ReminderRequest): Promise<ReminderResult> {
      const fields = { ref: request.ref, deadline: request.deadline.name, due: request.deadline.due, level: request.level, occurrence: request.occurrence };
      try {
        const directory = await readDirectory();
        const recipients = resolveRecipients(directory, request.to, directoryFile);
        const calendar = await deps.calendar();
        // "Today" for the email text: the slot's time, or later if the reminder is going out late.
        const today = new Date(Math.max(Date.parse(request.scheduledAt), (deps.now ?? Date.now)().valueOf()));
        const email = composeReminder(request, today, calendar);
        const { record, fresh } = await sendOnce(
          request.identity,
          {
            from: directory.from,
            to: recipients.addresses,
            subject: email.subject,
            text: email.text,
            html: email.html,
            attachments: [{ filename: email.calendar.filename, content: email.calendar.content, contentType: 'text/calendar; charset=utf-8; method=PUBLISH' }],
            messageId: email.messageId,
            headers: { 'X-KSCP-Case': request.ref, 'X-KSCP-Deadline': request.deadline.name, 'X-KSCP-Level': String(request.level) },
          },
          recipients,
          fields,
        );
        if (fresh) {
          log.info('reminder sent', { ...fields, recipients: record.recipients });
          logRefused('reminder', record.refused, fields);
        }
        return resultOf(record);
      } catch (err) {
        log.warn('reminder not sent', { ...fields, error: describeError(err) });
        throw err;
      }
    },

    async sendAttentionNotice(request: AttentionNoticeRequest): Promise<ReminderResult> {
      const fields = { ref: request.ref, notice: 'needs attention' };
      try {
        const directory = await readDirectory();
        const recipients = resolveRecipients(directory, ['business-manager'], directoryFile);
        const unit = lookupRole(directory, 'business-unit', directoryFile);
        const manager = recipients.addresses[0]!;
        const cc = unit.ok && unit.person.email.toLowerCase() !== manager.toLowerCase() ? [unit.person.email] : [];
        const all = cc.length ? resolveRecipients(directory, ['business-manager', 'business-unit'], directoryFile) : recipients;
        const email = composeAttentionNotice(request);
        const { record, fresh } = await sendOnce(
          request.identity,
          {
            from: directory.from,
            to: [manager],
            cc,
            subject: email.subject,
            text: email.text,
            html: email.html,
            messageId: email.messageId,
            headers: { 'X-KSCP-Case': request.ref, 'X-KSCP-Notice': 'needs-attention' },
          },
          all,
          fields,
        );
        if (fresh) {
          log.info('attention notice sent', { ...fields, recipients: record.recipients });
          logRefused('attention notice', record.refused, fields);
        }
        return resultOf(record);
      } catch (err) {
        log.warn('attention notice not sent', { ...fields, error: describeError(err) });
        throw err;
      }
    },

    async archiveCase(request: ArchiveRequest): Promise<void> {
      await archive.save(request);
      log.info('case archived', { ref: request.view.ref, stage: request.view.stage });
    },
  };
}
