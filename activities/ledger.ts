/**
 * The email ledger: each reminder has a stable identity (workflow id, deadline, due date, level,
 * occurrence), written down before it is handed to the mail server ("pending") and after the mail
 * server accepted it ("sent"). A retried or re-run activity that finds "sent" does not send again.
 *
 * The one window left: if the worker dies after the mail server accepted the email and before
 * "sent" is written (a few milliseconds), the retry finds "pending", cannot know, and sends again
 * with the same Message-ID, so the duplicate is recognisable. We prefer a rare recognisable
 * duplicate to a lost statutory reminder. See docs/security.md.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface LedgerEntry {
  identity: string;
  state: 'pending' | 'sent';
  messageId: string;
  at: string;
  recipients?: number;
}

export interface Ledger {
  /** What the ledger knows of this email, if anything. */
  lookup(identity: string): Promise<LedgerEntry | undefined>;
  record(entry: LedgerEntry): Promise<void>;
}

/** A ledger in a folder, one small file per email (durable: written to a temporary file, then renamed). */
export function fileLedger(dir: string): Ledger {
  mkdirSync(dir, { recursive: true });
  const fileFor = (identity: string) => path.join(dir, `${createHash('sha256').update(identity).digest('hex').slice(0, 40)}.json`);
  return {
    async lookup(identity) {
      try {
        const entry = JSON.parse(readFileSync(fileFor(identity), 'utf8')) as LedgerEntry;
        return entry.identity === identity ? entry : undefined;
      } catch {
        return undefined;
      }
    },
    async record(entry) {
      const file = fileFor(entry.identity);
      const staging = `${file}.${process.pid}.tmp`;
      writeFileSync(staging, JSON.stringify(entry));
      renameSync(staging, file);
    },
  };
}

/** For tests that do not look at duplicates across processes. */
export function memoryLedger(): Ledger & { entries: Map<string, LedgerEntry> } {
  const entries = new Map<string, LedgerEntry>();
  return {
    entries,
    async lookup(identity) {
      return entries.get(identity);
    },
    async record(entry) {
      entries.set(entry.identity, entry);
    },
  };
}
