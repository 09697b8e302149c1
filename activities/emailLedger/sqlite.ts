/**
 * The email ledger in the case archive's SQLite file (the default, `data/archive.db`): one host
 * only. Every claim is one IMMEDIATE transaction (a write lock across processes, so two workers on
 * the same host cannot both claim), WAL with synchronous=FULL (a committed claim or "sent" is on
 * disk before the call returns), and a 5-second busy wait for the other writers.
 */
import Database from 'better-sqlite3';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { newClaimToken, type Claim, type EmailLedger, type SentRecord } from './contract';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS kscp_email_ledger (
  identity         TEXT PRIMARY KEY,
  message_id       TEXT NOT NULL,
  state            TEXT NOT NULL CHECK (state IN ('claimed', 'released', 'sent')),
  owner            TEXT NOT NULL,
  lease_until      INTEGER,
  claims           INTEGER NOT NULL,
  recipients       INTEGER,
  refused          TEXT,
  first_claimed_at TEXT NOT NULL,
  updated_at       TEXT NOT NULL,
  sent_at          TEXT
);
`;

interface Row {
  message_id: string;
  state: 'claimed' | 'released' | 'sent';
  owner: string;
  lease_until: number | null;
  claims: number;
  recipients: number | null;
  refused: string | null;
  sent_at: string | null;
}

const sentRecord = (row: Row): SentRecord => ({
  messageId: row.message_id,
  recipients: row.recipients ?? 0,
  refused: row.refused ? (JSON.parse(row.refused) as SentRecord['refused']) : [],
  sentAt: row.sent_at ?? '',
});

export function sqliteLedger(file: string): EmailLedger {
  mkdirSync(path.dirname(file), { recursive: true });
  const fresh = !existsSync(file);
  const db = new Database(file);
  // The archive's file: its owner only (the ledger may be the first to create it).
  if (fresh) chmodSync(file, 0o600);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.exec(SCHEMA);
  const select = db.prepare<[string], Row>('SELECT message_id, state, owner, lease_until, claims, recipients, refused, sent_at FROM kscp_email_ledger WHERE identity = ?');
  const insert = db.prepare(`INSERT INTO kscp_email_ledger (identity, message_id, state, owner, lease_until, claims, first_claimed_at, updated_at)
                             VALUES (@identity, @messageId, 'claimed', @owner, @leaseUntil, 1, @now, @now)`);
  const takeOver = db.prepare(`UPDATE kscp_email_ledger SET state = 'claimed', owner = @owner, lease_until = @leaseUntil, claims = claims + 1, updated_at = @now
                               WHERE identity = @identity`);
  const renew = db.prepare(`UPDATE kscp_email_ledger SET lease_until = @leaseUntil, updated_at = @now
                            WHERE identity = @identity AND owner = @owner AND state = 'claimed'`);
  const markSent = db.prepare(`INSERT INTO kscp_email_ledger (identity, message_id, state, owner, lease_until, claims, recipients, refused, first_claimed_at, updated_at, sent_at)
                               VALUES (@identity, @messageId, 'sent', @owner, NULL, 1, @recipients, @refused, @now, @now, @sentAt)
                               ON CONFLICT (identity) DO UPDATE SET state = 'sent', owner = excluded.owner, lease_until = NULL,
                                 recipients = excluded.recipients, refused = excluded.refused, updated_at = excluded.updated_at, sent_at = excluded.sent_at
                               WHERE kscp_email_ledger.state <> 'sent'`);
  const release = db.prepare(`UPDATE kscp_email_ledger SET state = 'released', lease_until = NULL, updated_at = @now
                              WHERE identity = @identity AND owner = @owner AND state = 'claimed'`);

  const claim = db.transaction((identity: string, messageId: string, leaseMs: number): Claim => {
    const now = Date.now();
    const row = select.get(identity);
    const owner = newClaimToken();
    const params = { identity, messageId, owner, leaseUntil: now + leaseMs, now: new Date(now).toISOString() };
    if (!row) {
      insert.run(params);
      return { outcome: 'claimed', token: owner, takenOver: false, claims: 1 };
    }
    if (row.state === 'sent') return { outcome: 'sent', sent: sentRecord(row) };
    if (row.state === 'claimed' && (row.lease_until ?? 0) >= now) return { outcome: 'busy', leaseUntil: new Date(row.lease_until ?? 0).toISOString() };
    takeOver.run(params);
    return { outcome: 'claimed', token: owner, takenOver: row.state === 'claimed', claims: row.claims + 1 };
  });
  const recordSent = db.transaction((identity: string, owner: string, record: SentRecord): SentRecord => {
    const now = new Date().toISOString();
    const { changes } = markSent.run({ identity, owner, messageId: record.messageId, recipients: record.recipients, refused: JSON.stringify(record.refused), sentAt: record.sentAt, now });
    return changes === 1 ? record : sentRecord(select.get(identity)!);
  });

  return {
    where: file,
    async claim(identity, messageId, leaseMs) {
      return claim.immediate(identity, messageId, leaseMs);
    },
    async renew(identity, owner, leaseMs) {
      const now = Date.now();
      return renew.run({ identity, owner, leaseUntil: now + leaseMs, now: new Date(now).toISOString() }).changes === 1;
    },
    async markSent(identity, owner, record) {
      return recordSent.immediate(identity, owner, record);
    },
    async release(identity, owner) {
      release.run({ identity, owner, now: new Date().toISOString() });
    },
    async close() {
      db.close();
    },
  };
}
