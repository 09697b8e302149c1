/** The email ledger's contract, shared by its stores (activities/emailLedger/index.ts says how it works). */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { RefusedRecipient } from '../types';

/**
 * How long a claim holds without renewal: a dead worker's claim can be taken over after this. Ten
 * renewals long, so a slow database does not lose a live claim; short, so an email whose worker
 * died waits seconds, not minutes, for its retry.
 */
export const CLAIM_LEASE_MS = 20_000;
/** How often a sending attempt renews its claim (and heartbeats to Temporal). */
export const CLAIM_RENEW_MS = 2_000;

/** What the ledger keeps of an email the mail server accepted. */
export interface SentRecord {
  messageId: string;
  /** How many addresses the mail server accepted. */
  recipients: number;
  /** Who the mail server refused while accepting the others. */
  refused: RefusedRecipient[];
  sentAt: string;
}

export type Claim =
  /** This attempt owns the email now and may send it. `takenOver`: an earlier attempt's claim ran out (it died or hung): it may have sent. */
  | { outcome: 'claimed'; token: string; takenOver: boolean; claims: number }
  /** Already sent: the recorded result. */
  | { outcome: 'sent'; sent: SentRecord }
  /** Another attempt holds a live claim until `leaseUntil`. */
  | { outcome: 'busy'; leaseUntil: string };

export interface EmailLedger {
  /** Where it is, for messages (a file, a PostgreSQL URL without its password, memory, off). */
  readonly where: string;
  /** Take the claim on an email, unless it was sent or another attempt holds a live claim. */
  claim(identity: string, messageId: string, leaseMs: number): Promise<Claim>;
  /** Extend this attempt's claim; false when it is no longer this attempt's (taken over, or sent). */
  renew(identity: string, token: string, leaseMs: number): Promise<boolean>;
  /** Record the email as sent. Returns the record that stands: the first one, if another attempt recorded it already. */
  markSent(identity: string, token: string, record: SentRecord): Promise<SentRecord>;
  /** Give up this attempt's claim: the mail server did not accept the email, so the next attempt may send at once. */
  release(identity: string, token: string): Promise<void>;
  close(): Promise<void>;
}

/** A claim's owner: which host and process took it (for an operator reading the table), and a random part. */
export function newClaimToken(): string {
  return `${os.hostname()}/${process.pid}/${randomUUID()}`;
}
