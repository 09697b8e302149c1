/**
 * How an email activity fails (src/process/sendFailures.ts names the types), and how errors are logged:
 * name, message, code, the mail server's reply and the cause; never payload contents.
 */
import { ApplicationFailure } from '@temporalio/common';
import { SEND_FAILURE, type PermanentRefusal, type UnresolvableRole } from '../src/process/sendFailures';

export interface ErrorDescription {
  name: string;
  message: string;
  type?: string;
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
  cause?: ErrorDescription;
}

/** An Error, also one made in another realm (a Node core error seen from a test's sandbox fails `instanceof Error`). */
function isError(err: unknown): err is Error {
  return err instanceof Error || (typeof err === 'object' && err !== null && typeof (err as Error).message === 'string' && typeof (err as Error).name === 'string');
}

/** An error as log fields (an Error object logs as `{}` otherwise). */
export function describeError(err: unknown, depth = 0): ErrorDescription {
  if (!isError(err)) return { name: typeof err, message: String(err) };
  const e = err as Error & { type?: unknown; code?: unknown; responseCode?: unknown; response?: unknown; command?: unknown };
  return {
    name: e.name,
    message: e.message,
    ...(typeof e.type === 'string' && { type: e.type }),
    ...(typeof e.code === 'string' && { code: e.code }),
    ...(typeof e.responseCode === 'number' && { responseCode: e.responseCode }),
    ...(typeof e.response === 'string' && { response: e.response }),
    ...(typeof e.command === 'string' && { command: e.command }),
    ...(e.cause !== undefined && e.cause !== null && depth < 3 && { cause: describeError(e.cause, depth + 1) }),
  };
}

/** Roles that resolve to no address: nothing is sent, and retrying cannot help until the directory or the case is corrected. */
export function recipientUnresolvable(roles: UnresolvableRole[]): ApplicationFailure {
  const message =
    roles.length === 1
      ? `no address for ${roles[0]!.role}: ${roles[0]!.problem}: ${roles[0]!.fix}`
      : `no address for ${roles.length} roles: ${roles.map((r) => `${r.role}: ${r.problem}: ${r.fix}`).join('; ')}`;
  return ApplicationFailure.create({ type: SEND_FAILURE.RecipientUnresolvable, nonRetryable: true, message, details: [roles] });
}

export function directoryInvalid(problem: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: SEND_FAILURE.DirectoryInvalid,
    nonRetryable: true,
    message: `cannot send: ${problem} (KSCP_DIRECTORY_FILE): correct the file; the worker reads it at every email`,
  });
}

interface SmtpError extends Error {
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
  rejectedErrors?: Array<Error & { recipient?: string; response?: string; responseCode?: number }>;
}

function fixFor(command: string, directoryFile: string): string {
  const directory = `the directory ${directoryFile} (KSCP_DIRECTORY_FILE)`;
  if (command.startsWith('AUTH')) return 'the mail server refused the login: check SMTP_USER and SMTP_PASS';
  if (command === 'MAIL FROM') return `the mail server refuses the sender: correct "from" in ${directory}`;
  if (command === 'RCPT TO') return `correct the addresses in ${directory}, or ask the mail server's administrator why it refuses them`;
  if (command === 'DATA') return "the mail server refused the email's content: ask its administrator, quoting the reply";
  if (['CONN', 'EHLO', 'HELO', 'STARTTLS', 'GREETING'].includes(command)) return 'check SMTP_HOST, SMTP_PORT and SMTP_SECURE';
  return "ask the mail server's administrator, quoting the reply";
}

/**
 * A failed hand-over to the mail server: a 5xx reply to the whole email is MailPermanentlyRefused
 * (non-retryable); anything else (refused or lost connection, timeout, 4xx) is retryable.
 */
export function smtpFailure(err: unknown, rolesOf: (address: string) => string[], directoryFile: string): ApplicationFailure {
  const e = (isError(err) ? err : new Error(String(err))) as SmtpError;
  const command = e.command ?? 'API';
  // TLS refused (no STARTTLS where it is required) or a certificate that is not trusted: a setting
  // to fix, not a moment to wait out. Nothing was sent (no password, no mail).
  if (e.code === 'ETLS' || (e.code === 'ESOCKET' && /certificate|self[- ]signed|unable to verify|altnames/i.test(e.message))) {
    return ApplicationFailure.create({ type: SEND_FAILURE.MailPermanentlyRefused, nonRetryable: true, message: e.message, cause: e });
  }
  if (e.code === 'EENVELOPE' && e.rejectedErrors?.length) {
    const recipients = e.rejectedErrors.flatMap((r) => {
      const address = r.recipient ?? '(unknown)';
      const reason = r.response ?? r.message;
      return (rolesOf(address).length ? rolesOf(address) : ['(unknown role)']).map((role) => ({ role, address, reason }));
    });
    if (e.rejectedErrors.every((r) => (r.responseCode ?? 0) >= 500)) {
      const refusal: PermanentRefusal = { command: 'RCPT TO', response: e.response ?? '', recipients, fix: fixFor('RCPT TO', directoryFile) };
      return ApplicationFailure.create({
        type: SEND_FAILURE.MailPermanentlyRefused,
        nonRetryable: true,
        message: `the mail server refused every recipient: ${recipients.map((r) => `${r.address} (${r.role}): ${r.reason}`).join('; ')}: ${refusal.fix}`,
        details: [refusal],
      });
    }
    return ApplicationFailure.create({
      type: SEND_FAILURE.MailTemporarilyUnavailable,
      message: `the mail server refused every recipient, some only for now (${recipients.map((r) => `${r.address}: ${r.reason}`).join('; ')}): trying again later`,
    });
  }
  if (e.responseCode !== undefined && e.responseCode >= 500 && e.responseCode < 600) {
    const refusal: PermanentRefusal = { command, response: e.response ?? e.message, recipients: [], fix: fixFor(command, directoryFile) };
    return ApplicationFailure.create({
      type: SEND_FAILURE.MailPermanentlyRefused,
      nonRetryable: true,
      message: `the mail server permanently refused the email at ${command}: ${refusal.response}: ${refusal.fix}`,
      details: [refusal],
    });
  }
  const why = e.response ? `${command}: ${e.response}` : `${e.code ?? e.name}: ${e.message}`;
  return ApplicationFailure.create({ type: SEND_FAILURE.MailTemporarilyUnavailable, message: `the mail server did not take the email (${why}): trying again later` });
}

/** The longest wait asked for when a claim is live (a lease is 20 s; this bounds a skewed clock). */
const MAX_CLAIM_WAIT_MS = 60_000;

/** Another attempt holds a live claim: retry just after its lease would run out (the retry policy's backoff may be longer). */
export function emailBeingSent(leaseUntil: string, now = Date.now()): ApplicationFailure {
  const until = Date.parse(leaseUntil);
  const wait = Number.isNaN(until) ? 5_000 : Math.min(MAX_CLAIM_WAIT_MS, Math.max(1_000, until - now + 1_000));
  return ApplicationFailure.create({
    type: SEND_FAILURE.EmailBeingSent,
    message: `another attempt holds the claim on this email until ${leaseUntil} (it is sending it, or its worker stopped): not sending now; trying again in ${Math.ceil(wait / 1000)} s`,
    nextRetryDelay: wait,
  });
}

export function ledgerUnavailable(what: string, where: string, err: unknown): ApplicationFailure {
  const d = describeError(err);
  return ApplicationFailure.create({
    type: SEND_FAILURE.EmailLedgerUnavailable,
    message: `the email ledger (${where}) could not ${what}: ${d.code ? `${d.code} ` : ''}${d.message.split('\n')[0]}: trying again later`,
  });
}
