/**
 * The email ledger in the case archive's PostgreSQL (KSCP_ARCHIVE_URL): shared by every worker on
 * every host. A claim is one transaction (insert if absent; otherwise the row locked with FOR
 * UPDATE and taken over only if its lease ran out), and every lease is measured on the database's
 * clock, so hosts whose clocks differ agree on when a claim expires.
 */
import { Pool, type PoolClient } from 'pg';
import { redactUrl } from '../../src/archive/postgres';
import { newClaimToken, type Claim, type EmailLedger, type SentRecord } from './contract';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS kscp_email_ledger (
  identity         text PRIMARY KEY,
  message_id       text NOT NULL,
  state            text NOT NULL CHECK (state IN ('claimed', 'released', 'sent')),
  owner            text NOT NULL,
  lease_until      timestamptz,
  claims           integer NOT NULL,
  recipients       integer,
  refused          jsonb,
  first_claimed_at timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL,
  sent_at          timestamptz
);
`;

const iso = (column: string): string => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const LEASE = `clock_timestamp() + $3::integer * interval '1 millisecond'`;

interface Row {
  message_id: string;
  state: 'claimed' | 'released' | 'sent';
  claims: number;
  recipients: number | null;
  refused: SentRecord['refused'] | null;
  sent_at: string | null;
  lease_until: string | null;
  live: boolean;
}

const SELECT_ROW = `SELECT message_id, state, claims, recipients, refused, ${iso('sent_at')} AS sent_at, ${iso('lease_until')} AS lease_until,
                           coalesce(lease_until >= clock_timestamp(), false) AS live
                    FROM kscp_email_ledger WHERE identity = $1`;

const sentRecord = (row: Row): SentRecord => ({ messageId: row.message_id, recipients: row.recipients ?? 0, refused: row.refused ?? [], sentAt: row.sent_at ?? '' });

export function postgresLedger(url: string): EmailLedger {
  const pool = new Pool({ connectionString: url, max: 3, connectionTimeoutMillis: 5_000 });
  // An idle client's error (the server restarted) must not crash the worker: the next query reconnects.
  pool.on('error', () => undefined);
  let ready: Promise<void> | undefined;

  async function inTransaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }
  const schema = (): Promise<void> =>
    (ready ??= inTransaction(async (client) => {
      // Two workers creating the table at once would race in PostgreSQL's catalogue: take turns.
      await client.query('SELECT pg_advisory_xact_lock(4711002)');
      await client.query(SCHEMA);
    }).catch((err: unknown) => {
      ready = undefined;
      throw err;
    }));

  return {
    where: redactUrl(url),
    async claim(identity, messageId, leaseMs) {
      await schema();
      const owner = newClaimToken();
      return inTransaction(async (client): Promise<Claim> => {
        const inserted = await client.query(
          `INSERT INTO kscp_email_ledger (identity, message_id, state, owner, lease_until, claims, first_claimed_at, updated_at)
           VALUES ($1, $2, 'claimed', $4, ${LEASE}, 1, clock_timestamp(), clock_timestamp())
           ON CONFLICT (identity) DO NOTHING`,
          [identity, messageId, Math.round(leaseMs), owner],
        );
        if (inserted.rowCount === 1) return { outcome: 'claimed', token: owner, takenOver: false, claims: 1 };
        // Someone has the row: lock it (waiting for a claim being written now), then decide.
        const { rows } = await client.query<Row>(`${SELECT_ROW} FOR UPDATE`, [identity]);
        const row = rows[0]!;
        if (row.state === 'sent') return { outcome: 'sent', sent: sentRecord(row) };
        if (row.state === 'claimed' && row.live) return { outcome: 'busy', leaseUntil: row.lease_until ?? '' };
        await client.query(
          `UPDATE kscp_email_ledger SET state = 'claimed', owner = $2, lease_until = ${LEASE}, claims = claims + 1, updated_at = clock_timestamp()
           WHERE identity = $1`,
          [identity, owner, Math.round(leaseMs)],
        );
        return { outcome: 'claimed', token: owner, takenOver: row.state === 'claimed', claims: row.claims + 1 };
      });
    },
    async renew(identity, owner, leaseMs) {
      await schema();
      const { rowCount } = await pool.query(
        `UPDATE kscp_email_ledger SET lease_until = ${LEASE}, updated_at = clock_timestamp()
         WHERE identity = $1 AND owner = $2 AND state = 'claimed'`,
        [identity, owner, Math.round(leaseMs)],
      );
      return rowCount === 1;
    },
    async markSent(identity, owner, record) {
      await schema();
      const { rowCount } = await pool.query(
        `INSERT INTO kscp_email_ledger (identity, message_id, state, owner, lease_until, claims, recipients, refused, first_claimed_at, updated_at, sent_at)
         VALUES ($1, $2, 'sent', $3, NULL, 1, $4, $5, clock_timestamp(), clock_timestamp(), $6)
         ON CONFLICT (identity) DO UPDATE SET state = 'sent', owner = excluded.owner, lease_until = NULL, recipients = excluded.recipients,
           refused = excluded.refused, updated_at = excluded.updated_at, sent_at = excluded.sent_at
         WHERE kscp_email_ledger.state <> 'sent'`,
        [identity, record.messageId, owner, record.recipients, JSON.stringify(record.refused), record.sentAt],
      );
      if (rowCount === 1) return record;
      const { rows } = await pool.query<Row>(SELECT_ROW, [identity]);
      return sentRecord(rows[0]!);
    },
    async release(identity, owner) {
      await schema();
      await pool.query(
        `UPDATE kscp_email_ledger SET state = 'released', lease_until = NULL, updated_at = clock_timestamp()
         WHERE identity = $1 AND owner = $2 AND state = 'claimed'`,
        [identity, owner],
      );
    },
    async close() {
      await pool.end();
    },
  };
}
