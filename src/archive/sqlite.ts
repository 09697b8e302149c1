/**
 * The case archive in an embedded SQLite file (the default: `data/archive.db`). WAL mode, so the
 * worker writes while `kscp` reads; a 5-second busy wait covers the two writing at once.
 */
import Database from 'better-sqlite3';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { caseIdOf, summarise, type ArchiveEntry, type ArchivedCase, type CaseArchive, type CaseSummary, type Sealer } from './record';

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

interface Row {
  case_id: string;
  workflow_id: string;
  first_run_id: string;
  ref: string;
  stage: string;
  route: string | null;
  criteria: string;
  notifying_agency: string;
  la_aware_on: string;
  closed: number;
  deadlines: string;
  recorded_at: string;
  key_id: string;
  record: Buffer;
}

function summaryOf(row: Row): CaseSummary {
  return {
    caseId: row.case_id,
    workflowId: row.workflow_id,
    firstRunId: row.first_run_id,
    ref: row.ref,
    stage: row.stage as CaseSummary['stage'],
    route: row.route as CaseSummary['route'],
    criteria: JSON.parse(row.criteria) as string[],
    notifyingAgency: row.notifying_agency,
    laAwareOn: row.la_aware_on,
    closed: row.closed === 1,
    deadlines: JSON.parse(row.deadlines) as CaseSummary['deadlines'],
  };
}

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
    ON CONFLICT (case_id) DO UPDATE SET
      ref = excluded.ref, stage = excluded.stage, route = excluded.route, criteria = excluded.criteria,
      notifying_agency = excluded.notifying_agency, la_aware_on = excluded.la_aware_on, closed = excluded.closed,
      deadlines = excluded.deadlines, recorded_at = excluded.recorded_at, key_id = excluded.key_id, record = excluded.record
    WHERE excluded.recorded_at >= kscp_case_archive.recorded_at`);
  const latest = db.prepare('SELECT * FROM kscp_case_archive WHERE ref = ? ORDER BY recorded_at DESC LIMIT 1');
  const all = db.prepare('SELECT * FROM kscp_case_archive ORDER BY la_aware_on, ref');
  const between = db.prepare('SELECT * FROM kscp_case_archive WHERE la_aware_on BETWEEN ? AND ? ORDER BY la_aware_on, ref');
  return {
    where: file,
    async save(entry: ArchiveEntry) {
      const s = summarise(entry.view, entry);
      const sealed = await sealer.seal(entry.view);
      upsert.run({
        case_id: caseIdOf(entry),
        workflow_id: entry.workflowId,
        first_run_id: entry.firstRunId,
        ref: s.ref,
        stage: s.stage,
        route: s.route,
        criteria: JSON.stringify(s.criteria),
        notifying_agency: s.notifyingAgency,
        la_aware_on: s.laAwareOn,
        closed: s.closed ? 1 : 0,
        deadlines: JSON.stringify(s.deadlines),
        recorded_at: new Date(entry.recordedAt).toISOString(),
        key_id: sealed.keyId,
        record: sealed.data,
      });
    },
    async latest(ref: string): Promise<ArchivedCase | undefined> {
      const row = latest.get(ref) as Row | undefined;
      if (!row) return undefined;
      return { summary: summaryOf(row), recordedAt: row.recorded_at, view: await sealer.open({ keyId: row.key_id, data: row.record }) };
    },
    async summaries(period) {
      const rows = (period ? between.all(period.from, period.to) : all.all()) as Row[];
      return rows.map(summaryOf);
    },
    async close() {
      db.close();
    },
  };
}
