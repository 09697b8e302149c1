/**
 * The durable case archive: every case's record, written at each stage change and at closing, so
 * it outlives Temporal's retention. An SQLite file by default, PostgreSQL when KSCP_ARCHIVE_URL is set.
 */
import type { KeyRing } from '../codec';
import type { ArchiveSettings } from '../config';
import { postgresArchive } from './postgres';
import { sealerFor, type CaseArchive } from './record';
import { sqliteArchive } from './sqlite';

export { memoryArchive } from './memory';
export { postgresArchive, redactUrl } from './postgres';
export { sqliteArchive } from './sqlite';
export * from './record';

export function openArchive(settings: ArchiveSettings, ring: KeyRing): CaseArchive {
  const sealer = sealerFor(ring);
  return settings.kind === 'postgres' ? postgresArchive(settings.url, sealer) : sqliteArchive(settings.file, sealer);
}
