/**
 * The case archive in PostgreSQL (KSCP_ARCHIVE_URL=postgres://...): the same table and rules as the
 * SQLite file, with native types (jsonb, date, timestamptz, bytea) for reporting with SQL.
 */
import { Pool } from 'pg';
import { archivedCase, archiveRow, summaryOfRow, UPSERT_ON_CONFLICT, type ArchiveEntry, type ArchivedCase, type ArchiveRow, type CaseArchive, type Sealer } from './record';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS kscp_case_archive (
  case_id           text PRIMARY KEY,
  workflow_id       text NOT NULL,
  first_run_id      text NOT NULL,
  ref               text NOT NULL,
  stage             text NOT NULL,
  route             text,
  criteria          jsonb NOT NULL,
  notifying_agency  text NOT NULL,
  la_aware_on       date NOT NULL,
  closed            boolean NOT NULL,
  deadlines         jsonb NOT NULL,
  first_recorded_at timestamptz NOT NULL,
  recorded_at       timestamptz NOT NULL,
  key_id            text NOT NULL,
  record            bytea NOT NULL
);
CREATE INDEX IF NOT EXISTS kscp_case_archive_ref ON kscp_case_archive (ref);
CREATE INDEX IF NOT EXISTS kscp_case_archive_la_aware_on ON kscp_case_archive (la_aware_on);
`;

/** Columns as text/JSON, so no value depends on the client's time zone. */
const COLUMNS = `case_id, workflow_id, first_run_id, ref, stage, route, criteria, notifying_agency, la_aware_on::text AS la_aware_on,
  closed, deadlines, to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS recorded_at, key_id, record`;

/** The URL as it may be printed: without its password. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparseable URL)';
  }
}

export function postgresArchive(url: string, sealer: Sealer): CaseArchive {
  const pool = new Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 5_000 });
  // An idle client's error (the server restarted) must not crash the worker: the next query reconnects.
  pool.on('error', () => undefined);
  let ready: Promise<void> | undefined;
  const schema = (): Promise<void> =>
    (ready ??= (async () => {
      const client = await pool.connect();
      try {
        // Two processes creating the table at once would race in PostgreSQL's catalogue: take turns.
        await client.query('BEGIN');
        await client.query('SELECT pg_advisory_xact_lock(4711001)');
        await client.query(SCHEMA);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    })().catch((err: unknown) => {
      ready = undefined;
      throw err;
    }));
  return {
    where: redactUrl(url),
    async save(entry: ArchiveEntry) {
      await schema();
      const row = await archiveRow(entry, sealer);
      await pool.query(
        `INSERT INTO kscp_case_archive (case_id, workflow_id, first_run_id, ref, stage, route, criteria, notifying_agency, la_aware_on,
                                        closed, deadlines, first_recorded_at, recorded_at, key_id, record)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13, $14)
         ${UPSERT_ON_CONFLICT}`,
        [
          row.case_id,
          row.workflow_id,
          row.first_run_id,
          row.ref,
          row.stage,
          row.route,
          JSON.stringify(row.criteria),
          row.notifying_agency,
          row.la_aware_on,
          row.closed,
          JSON.stringify(row.deadlines),
          row.recorded_at,
          row.key_id,
          row.record,
        ],
      );
    },
    async latest(ref: string): Promise<ArchivedCase | undefined> {
      await schema();
      const { rows } = await pool.query<ArchiveRow>(`SELECT ${COLUMNS} FROM kscp_case_archive WHERE ref = $1 ORDER BY kscp_case_archive.recorded_at DESC LIMIT 1`, [ref]);
      return rows[0] && archivedCase(rows[0], sealer);
    },
    async summaries(period) {
      await schema();
      const { rows } = period
        ? await pool.query<ArchiveRow>(`SELECT ${COLUMNS} FROM kscp_case_archive WHERE kscp_case_archive.la_aware_on BETWEEN $1 AND $2 ORDER BY 9, ref`, [period.from, period.to])
        : await pool.query<ArchiveRow>(`SELECT ${COLUMNS} FROM kscp_case_archive ORDER BY 9, ref`);
      return rows.map(summaryOfRow);
    },
    async close() {
      await pool.end();
    },
  };
}
