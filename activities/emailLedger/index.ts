/**
 * The email ledger: how each email (a reminder, an attention notice) goes out exactly once when
 * several workers on several hosts run the same task queue (DESIGN.md §3, §4).
 *
 * It lives in the database the worker already has, the case archive's (an SQLite file on one
 * host; PostgreSQL when KSCP_ARCHIVE_URL is set, shared by every worker), one row per email
 * identity:
 * - before sending, an attempt takes an exclusive **claim** (insert if absent): an owner token and
 *   a lease, renewed every 2 s while it talks to the mail server;
 * - after the mail server accepted, the row becomes **sent**, with the Message-ID, how many
 *   recipients were accepted and who was refused;
 * - if sending failed before the mail server accepted, the claim is **released**.
 * A later attempt that finds **sent** returns the recorded result and sends nothing; one that finds
 * a live claim sends nothing and fails retryably (Temporal retries later); one that finds a claim
 * whose lease ran out (its worker died) or a released one takes it over and sends, with the same
 * Message-ID. A ledger that cannot be read is an error, never "not sent".
 *
 * The one window left: the mail server accepted, and the worker died before the row became sent.
 * The next attempt takes over the expired claim and sends again, with the same Message-ID, so
 * the copy is recognisable (docs/operations.md, "Email: exactly once").
 */
import type { ArchiveSettings } from '../../src/config';
import { newClaimToken, type EmailLedger } from './contract';
import { postgresLedger } from './postgres';
import { sqliteLedger } from './sqlite';

export * from './contract';
export { memoryLedger } from './memory';
export { postgresLedger } from './postgres';
export { sqliteLedger } from './sqlite';

/** The ledger in the case archive's database: the SQLite file, or PostgreSQL with KSCP_ARCHIVE_URL. */
export function openEmailLedger(archive: ArchiveSettings): EmailLedger {
  return archive.kind === 'postgres' ? postgresLedger(archive.url) : sqliteLedger(archive.file);
}

/**
 * No ledger (KSCP_EMAIL_LEDGER=off, tests only; refused with NODE_ENV=production): every attempt
 * sends. It exists so a fault test can show that, without the ledger, a retry sends twice.
 */
export function noLedger(): EmailLedger {
  return {
    where: 'off (KSCP_EMAIL_LEDGER=off: every attempt sends; tests only)',
    async claim() {
      return { outcome: 'claimed', token: newClaimToken(), takenOver: false, claims: 1 };
    },
    async renew() {
      return true;
    },
    async markSent(_identity, _token, record) {
      return record;
    },
    async release() {},
    async close() {},
  };
}
