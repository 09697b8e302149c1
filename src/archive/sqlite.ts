/**
 * The case archive in an embedded SQLite file (the default: `data/archive.db`). WAL mode, so the
 * worker writes while `kscp` reads; a 5-second busy wait covers the two writing at once.
 */
import Database from 'better-sqlite3';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { archivedCase, archiveRow, summaryOfRow, UPSERT_ON_CONFLICT, type ArchiveEntry, type ArchivedCase, type ArchiveRow, type CaseArchive, type Sealer } from './record';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS kscp_case_archive (
  case_id           TEXT PRIMARY KEY,
  workflow_id       TEXT NOT NULL,
  first_run_id      TEXT NOT NULL,
  ref               TEXT NOT NULL,
  stage             TEXT NOT NULL,
  route             TEXT,
  criteria          TEXT NOT NULL,
  notifying_agency  TEXT NOT NULL,
  la_aware_on       TEXT NOT NULL,
  closed            INTEGER NOT NULL,
  deadlines         TEXT NOT NULL,
  first_recorded_at TEXT NOT NULL,
  recorded_at       TEXT NOT NULL,
  key_id            TEXT NOT NULL,
  record            BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS kscp_case_archive_ref ON kscp_case_archive (ref);
CREATE INDEX IF NOT EXISTS kscp_case_archive_la_aware_on ON kscp_case_archive (la_aware_on);
`;

/** A row as SQLite gives it back: criteria and deadlines as JSON text, closed as 0/1. */
type SqliteRow = Omit<ArchiveRow, 'criteria' | 'deadlines' | 'closed'> & { criteria: string; deadlines: string; closed: number };

const fromSqlite = (row: SqliteRow): ArchiveRow => ({
  ...row,
  criteria: JSON.parse(row.criteria) as string[],
  deadlines: JSON.parse(row.deadlines) as ArchiveRow['deadlines'],
  closed: row.closed === 1,
});

export function sqliteArchive(file: string, sealer: Sealer): CaseArchive {
  mkdirSync(path.dirname(file), { recursive: true });
  const fresh = !existsSync(file);
  const db = new Database(file);
  // The clear columns are not personal, but the file is the case archive: its owner only.
  if (fresh) chmodSync(file, 0o600);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.exec(SCHEMA);
  const upsert = db.prepare(`
    INSERT INTO kscp_case_archive (case_id, workflow_id, first_run_id, ref, stage, route, criteria, notifying_agency, la_aware_on,
                                   closed, deadlines, first_recorded_at, recorded_at, key_id, record)
    VALUES (@case_id, @workflow_id, @first_run_id, @ref, @stage, @route, @criteria, @notifying_agency, @la_aware_on,
            @closed, @deadlines, @recorded_at, @recorded_at, @key_id, @record)
    ${UPSERT_ON_CONFLICT}`);
  const latest = db.prepare('SELECT * FROM kscp_case_archive WHERE ref = ? ORDER BY recorded_at DESC LIMIT 1');
  const all = db.prepare('SELECT * FROM kscp_case_archive ORDER BY la_aware_on, ref');
  const between = db.prepare('SELECT * FROM kscp_case_archive WHERE la_aware_on BETWEEN ? AND ? ORDER BY la_aware_on, ref');
  return {
    where: file,
    async save(entry: ArchiveEntry) {
      const row = await archiveRow(entry, sealer);
      upsert.run({ ...row, criteria: JSON.stringify(row.criteria), deadlines: JSON.stringify(row.deadlines), closed: row.closed ? 1 : 0 });
    },
    async latest(ref: string): Promise<ArchivedCase | undefined> {
      const row = latest.get(ref) as SqliteRow | undefined;
      return row && archivedCase(fromSqlite(row), sealer);
    },
    async summaries(period) {
      const rows = (period ? between.all(period.from, period.to) : all.all()) as SqliteRow[];
      return rows.map((r) => summaryOfRow(fromSqlite(r)));
    },
    async close() {
      db.close();
    },
  };
}
