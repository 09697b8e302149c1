/**
 * How an email activity (sendReminder, sendAttentionNotice) fails, as the workflow sees it: the
 * `type` of the ApplicationFailure inside the ActivityFailure's cause. Sandbox-safe (no imports),
 * so the workflow and the activities share the names.
 *
 * Non-retryable (Temporal does not retry; the case needs a person to fix something):
 * - RecipientUnresolvable: one or more roles resolve to no address (an agency not in the
 *   directory, or removed from it later; a role the directory does not know). Nothing was sent.
 * - MailPermanentlyRefused: the mail server refused the whole email with a 5xx reply (every
 *   recipient refused, the sender refused, authentication refused, the content refused). Nothing
 *   was sent.
 * - DirectoryInvalid: the directory file cannot be read or is not valid. Nothing was sent.
 *
 * Retryable (Temporal retries with backoff; nothing to fix by hand unless it lasts):
 * - MailTemporarilyUnavailable: connection refused or lost, a timeout, a 4xx reply.
 * - EmailBeingSent: another attempt holds the live claim on this email (it is sending now, or
 *   died less than a lease ago). Nothing was sent by this attempt.
 * - EmailLedgerUnavailable: the ledger (the case archive's database) cannot be read or written.
 *   Nothing was sent by this attempt, or (after the mail server accepted) the next attempt resends
 *   with the same Message-ID (docs/operations.md, "Email: exactly once").
 *
 * A recipient refused while others were accepted is not a failure of the activity: the email
 * counts as sent, and the result's `refused` lists who did not get it.
 */
export const SEND_FAILURE = {
  RecipientUnresolvable: 'RecipientUnresolvable',
  MailPermanentlyRefused: 'MailPermanentlyRefused',
  DirectoryInvalid: 'DirectoryInvalid',
  MailTemporarilyUnavailable: 'MailTemporarilyUnavailable',
  EmailBeingSent: 'EmailBeingSent',
  EmailLedgerUnavailable: 'EmailLedgerUnavailable',
} as const;
export type SendFailureType = (typeof SEND_FAILURE)[keyof typeof SEND_FAILURE];

/** The failure types after which a retry cannot help: the case needs attention. */
export const NON_RETRYABLE_SEND_FAILURES: readonly SendFailureType[] = [SEND_FAILURE.RecipientUnresolvable, SEND_FAILURE.MailPermanentlyRefused, SEND_FAILURE.DirectoryInvalid];

/** One role that resolved to no address: the first detail of a RecipientUnresolvable failure. */
export interface UnresolvableRole {
  role: string;
  /** What is wrong, e.g. `agency "fire" is not in the directory config/directory.json (KSCP_DIRECTORY_FILE)`. */
  problem: string;
  /** What a person does about it, e.g. `add it, or correct the case with kscp amend`. */
  fix: string;
}

/** The first detail of a MailPermanentlyRefused failure. */
export interface PermanentRefusal {
  /** The SMTP command that was refused (`RCPT TO`, `MAIL FROM`, `DATA`, `AUTH PLAIN`, ...). */
  command: string;
  /** The mail server's reply, e.g. `550 5.1.1 No such user`. */
  response: string;
  /** For RCPT TO: each address refused, with its role(s) and the reply. */
  recipients: Array<{ role: string; address: string; reason: string }>;
  fix: string;
}
