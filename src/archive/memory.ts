/** A case archive in memory: for tests and for activities built without a store. Same rules as the real ones. */
import { caseIdOf, summarise, type ArchiveEntry, type CaseArchive } from './record';

export function memoryArchive(): CaseArchive & { entries: Map<string, ArchiveEntry> } {
  const entries = new Map<string, ArchiveEntry>();
  const newest = (): ArchiveEntry[] => [...entries.values()].sort((a, b) => b.recordedAt.localeCompare(a.recordedAt));
  return {
    where: 'memory',
    entries,
    async save(entry) {
      const id = caseIdOf(entry);
      const known = entries.get(id);
      if (!known || Date.parse(entry.recordedAt) >= Date.parse(known.recordedAt)) entries.set(id, structuredClone(entry));
    },
    async latest(ref) {
      const e = newest().find((x) => x.view.ref === ref);
      return e && { summary: summarise(e.view, e), recordedAt: e.recordedAt, view: structuredClone(e.view) };
    },
    async summaries(period) {
      return [...entries.values()]
        .map((e) => summarise(e.view, e))
        .filter((s) => !period || (s.laAwareOn >= period.from && s.laAwareOn <= period.to))
        .sort((a, b) => a.laAwareOn.localeCompare(b.laAwareOn) || a.ref.localeCompare(b.ref));
    },
    async close() {},
  };
}
