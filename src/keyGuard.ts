/**
 * Where cases are already recorded, asked before a missing key file is replaced by a new key: a new
 * key reads none of them, so `npm start` then refuses and says how to get the real key back
 * (src/codec.ts, `ensureKeyFile`; docs/security.md, "Backup and restore").
 *
 * Looked at: the dev server's database in the data folder, the case archive (SQLite file or
 * PostgreSQL) and, when TEMPORAL_ADDRESS names another Temporal, its list of `incident` workflows.
 * A place that cannot be read counts as holding cases: better no key than a wrong one.
 */
import Database from 'better-sqlite3';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { Client as PgClient } from 'pg';
import type { Settings } from './config';

const firstLine = (err: unknown): string => ((err as Error).message ?? String(err)).split('\n')[0]!;
const plural = (n: number, one: string): string => `${n} ${one}${n === 1 ? '' : 's'}`;

/** Read one number from an SQLite file without writing to it (and without creating it). */
function sqliteCount(file: string, sql: string): number {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 2000');
    return Number((db.prepare(sql).pluck().get() as number | bigint | null) ?? 0);
  } finally {
    db.close();
  }
}

/** The dev server's SQLite database (`temporal.db`): how many `incident-` workflows it knows. */
function devServerDatabase(settings: Settings): string | undefined {
  const file = path.join(settings.dataDir, 'temporal.db');
  if (!existsSync(file) || statSync(file).size === 0) return undefined;
  try {
    const n = sqliteCount(file, "SELECT COUNT(DISTINCT workflow_id) FROM current_executions WHERE workflow_id LIKE 'incident-%'");
    return n > 0 ? `${file} holds ${plural(n, 'case')}` : undefined;
  } catch (err) {
    return `${file} exists and could not be checked (${firstLine(err)})`;
  }
}

const ARCHIVE_SQL = 'SELECT COUNT(*) AS cases, string_agg(DISTINCT key_id, \', \') AS keys FROM kscp_case_archive';

/** The case archive: how many cases, and with which keys they were sealed (the key file to restore has them). */
async function caseArchive(settings: Settings): Promise<string | undefined> {
  const a = settings.archive;
  if (a.kind === 'sqlite') {
    if (!existsSync(a.file)) return undefined;
    try {
      const db = new Database(a.file, { readonly: true, fileMustExist: true });
      try {
        const table = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'kscp_case_archive'").get();
        if (!table) return undefined;
        const row = db.prepare('SELECT COUNT(*) AS cases, group_concat(DISTINCT key_id) AS keys FROM kscp_case_archive').get() as { cases: number; keys: string | null };
        return row.cases > 0 ? `the case archive ${a.file} holds ${plural(row.cases, 'case')}, sealed with key ${(row.keys ?? '').replace(/,/g, ', ')}` : undefined;
      } finally {
        db.close();
      }
    } catch (err) {
      return `the case archive ${a.file} exists and could not be checked (${firstLine(err)})`;
    }
  }
  const pg = new PgClient({ connectionString: a.url, connectionTimeoutMillis: 5_000 });
  try {
    await pg.connect();
    const exists = await pg.query<{ t: string | null }>("SELECT to_regclass('kscp_case_archive') AS t");
    if (!exists.rows[0]?.t) return undefined;
    const { rows } = await pg.query<{ cases: string; keys: string | null }>(ARCHIVE_SQL);
    const cases = Number(rows[0]?.cases ?? 0);
    return cases > 0 ? `the case archive (KSCP_ARCHIVE_URL) holds ${plural(cases, 'case')}, sealed with key ${rows[0]?.keys ?? ''}` : undefined;
  } catch (err) {
    return `the case archive (KSCP_ARCHIVE_URL) could not be checked (${firstLine(err)})`;
  } finally {
    await pg.end().catch(() => undefined);
  }
}

/** Another Temporal (TEMPORAL_ADDRESS): its visibility counts the `incident` workflows, open or closed. */
async function externalTemporal(settings: Settings): Promise<string | undefined> {
  const { connect } = await import('./temporal');
  const { temporal } = settings;
  try {
    const connection = await connect(temporal);
    try {
      const { count } = await connection.workflowService.countWorkflowExecutions({ namespace: temporal.namespace, query: "WorkflowType = 'incident'" });
      const n = Number(count ?? 0);
      return n > 0 ? `Temporal at ${temporal.address} (namespace ${temporal.namespace}) holds ${plural(n, 'case')}` : undefined;
    } finally {
      await connection.close();
    }
  } catch (err) {
    return `Temporal at ${temporal.address} could not be checked (${firstLine(err)})`;
  }
}

/** Every place that already holds cases, in words; empty on a fresh installation. */
export async function recordedCases(settings: Settings): Promise<string[]> {
  const found = [devServerDatabase(settings), await caseArchive(settings), settings.externalTemporal ? await externalTemporal(settings) : undefined];
  return found.filter((f): f is string => f !== undefined);
}
