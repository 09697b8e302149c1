/**
 * What the case archive keeps of a case, and which part of it is readable without the keys.
 *
 * The whole case record (the workflow's view: every decision, name, reason and event) is sealed
 * with the project's keys (src/codec.ts). Beside it, in clear, only what the timeliness report
 * needs and nothing personal: the reference, stage, route, criteria, notifying agency id, the day
 * the LA became aware, and each deadline's dates and outcome. See docs/security.md.
 */
import type { Payload } from '@temporalio/common';
import { decode as utf8Decode, encode as utf8Encode } from '@temporalio/common/lib/encoding';
import { ENCRYPTED_ENCODING, EncryptionCodec, KEY_ID_METADATA, type KeyRing } from '../codec';
import type { DeadlineClock, IncidentView, Route, Stage } from '../process/incident';
import { timescale } from '../process/timescales';

/** The workflow id and the first run's id: a reference reused after a reset is a different case. */
export interface CaseIdentity {
  workflowId: string;
  firstRunId: string;
}

export const caseIdOf = (c: CaseIdentity): string => `${c.workflowId}/${c.firstRunId}`;

/**
 * One deadline's dates and outcome: no free text (a cancellation's reason and a deferral's reason
 * stay in the sealed record). Fields added after the first archived rows are optional: an old row
 * lacks them and is still read (the report computes what it can from the rest).
 */
export interface DeadlineOutcome {
  name: string;
  /** What the due date is computed from (day 0, or the instant for the eCase form): lets the report compute a due date the record lacks. */
  clock?: DeadlineClock;
  /** The statutory (or target) due date; it moves only by correction. */
  due?: string;
  dueAt?: string;
  /** After a deferral: the date chased instead (the statutory due date does not move). */
  revisedTarget?: string;
  status: IncidentView['deadlines'][number]['status'];
  metOn?: string;
  metAt?: string;
  onTime?: boolean;
  /** Working days past the due date: met late, or, while open, so far (as of the record). */
  workingDaysLate?: number;
  /** The case deferred this deadline (publication): how many times, and whether a deferral came after its statutory date had passed. */
  deferred?: { times: number; afterStatutoryDate: boolean };
}

/** The reportable, non-personal part of a case: stored in clear, and what the report reads. */
export interface CaseSummary extends CaseIdentity {
  caseId: string;
  ref: string;
  stage: Stage;
  route: Route | null;
  criteria: string[];
  notifyingAgency: string;
  laAwareOn: string;
  closed: boolean;
  deadlines: DeadlineOutcome[];
}

/** What the workflow hands to the archive at a stage change and at closing. */
export interface ArchiveEntry extends CaseIdentity {
  /** The workflow's clock when it was written: a later write of the same case wins, an earlier one is ignored. */
  recordedAt: string;
  view: IncidentView;
}

export function summarise(view: IncidentView, ids: CaseIdentity): CaseSummary {
  return {
    caseId: caseIdOf(ids),
    workflowId: ids.workflowId,
    firstRunId: ids.firstRunId,
    ref: view.ref,
    stage: view.stage,
    route: view.route ?? null,
    criteria: [...view.criteria],
    notifyingAgency: view.notifyingAgency,
    laAwareOn: view.laAwareOn,
    closed: view.stage === 'CLOSED',
    deadlines: view.deadlines.map((d) => outcomeOf(d, view.deferrals ?? [])),
  };
}

/**
 * A deadline is deferred when a deferral set its revised target, or, in cases recorded before
 * truthful records, moved its date itself (a date set on a clock whose length the table fixes).
 */
export function isDeferred(d: { revisedTarget?: string; clock?: DeadlineClock }): boolean {
  if (d.revisedTarget !== undefined) return true;
  return d.clock?.setDue !== undefined && timescale(d.clock.timescale).length.unit !== 'set-by-business-unit';
}

function outcomeOf(d: IncidentView['deadlines'][number], deferrals: IncidentView['deferrals']): DeadlineOutcome {
  const deferred = deferrals.length > 0 && isDeferred(d);
  return {
    name: d.name,
    status: d.status,
    clock: { timescale: d.clock.timescale, start: d.clock.start, ...(d.clock.setDue !== undefined && { setDue: d.clock.setDue }) },
    ...(d.due !== undefined && { due: d.due }),
    ...(d.dueAt !== undefined && { dueAt: d.dueAt }),
    ...(d.revisedTarget !== undefined && { revisedTarget: d.revisedTarget }),
    ...(d.metOn !== undefined && { metOn: d.metOn }),
    ...(d.metAt !== undefined && { metAt: d.metAt }),
    ...(d.onTime !== undefined && { onTime: d.onTime }),
    ...(d.workingDaysLate !== undefined && { workingDaysLate: d.workingDaysLate }),
    ...(deferred && { deferred: { times: deferrals.length, afterStatutoryDate: deferrals.some((x) => x.afterStatutoryDate === true) } }),
  };
}

/** The sealed record: AES-256-GCM with the current key, as the payload codec seals what goes to Temporal. */
export interface Sealed {
  keyId: string;
  data: Buffer;
}

export interface Sealer {
  seal(view: IncidentView): Promise<Sealed>;
  open(sealed: Sealed): Promise<IncidentView>;
}

const JSON_ENCODING = 'json/plain';

export function sealerFor(ring: KeyRing): Sealer {
  const codec = new EncryptionCodec(ring);
  return {
    async seal(view) {
      const payload: Payload = { metadata: { encoding: utf8Encode(JSON_ENCODING) }, data: utf8Encode(JSON.stringify(view)) };
      const [sealed] = await codec.encode([payload]);
      return { keyId: utf8Decode(sealed!.metadata![KEY_ID_METADATA]!), data: Buffer.from(sealed!.data!) };
    },
    async open({ keyId, data }) {
      const [plain] = await codec.decode([
        { metadata: { encoding: utf8Encode(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8Encode(keyId) }, data: new Uint8Array(data) },
      ]);
      return JSON.parse(utf8Decode(plain!.data!)) as IncidentView;
    },
  };
}

/** A case read back from the archive: its clear summary, and the record once opened with the keys. */
export interface ArchivedCase {
  summary: CaseSummary;
  recordedAt: string;
  view: IncidentView;
}

/** The durable store of case records: an SQLite file by default, PostgreSQL when configured. */
export interface CaseArchive {
  /** Where it is, for messages (a file, or a PostgreSQL URL without its password). */
  readonly where: string;
  /** Insert or update the case (workflow id + first run id); an entry older than the stored one is ignored. */
  save(entry: ArchiveEntry): Promise<void>;
  /** The most recently written case with this reference, opened with the keys. */
  latest(ref: string): Promise<ArchivedCase | undefined>;
  /** Every case's clear summary, optionally only those whose LA became aware within [from, to]. */
  summaries(period?: { from: string; to: string }): Promise<CaseSummary[]>;
  close(): Promise<void>;
}

/**
 * One case as a row of `kscp_case_archive`, the same in both stores: the clear, non-personal
 * columns (criteria and deadlines as values; each store encodes them its own way) and the sealed record.
 */
export interface ArchiveRow {
  case_id: string;
  workflow_id: string;
  first_run_id: string;
  ref: string;
  stage: string;
  route: string | null;
  criteria: string[];
  notifying_agency: string;
  la_aware_on: string;
  closed: boolean;
  deadlines: DeadlineOutcome[];
  recorded_at: string;
  key_id: string;
  record: Buffer;
}

export async function archiveRow(entry: ArchiveEntry, sealer: Sealer): Promise<ArchiveRow> {
  const s = summarise(entry.view, entry);
  const sealed = await sealer.seal(entry.view);
  return {
    case_id: s.caseId,
    workflow_id: s.workflowId,
    first_run_id: s.firstRunId,
    ref: s.ref,
    stage: s.stage,
    route: s.route,
    criteria: s.criteria,
    notifying_agency: s.notifyingAgency,
    la_aware_on: s.laAwareOn,
    closed: s.closed,
    deadlines: s.deadlines,
    recorded_at: new Date(entry.recordedAt).toISOString(),
    key_id: sealed.keyId,
    record: sealed.data,
  };
}

export function summaryOfRow(row: ArchiveRow): CaseSummary {
  return {
    caseId: row.case_id,
    workflowId: row.workflow_id,
    firstRunId: row.first_run_id,
    ref: row.ref,
    stage: row.stage as Stage,
    route: row.route as Route | null,
    criteria: row.criteria,
    notifyingAgency: row.notifying_agency,
    laAwareOn: row.la_aware_on,
    closed: row.closed,
    deadlines: row.deadlines,
  };
}

export async function archivedCase(row: ArchiveRow, sealer: Sealer): Promise<ArchivedCase> {
  return { summary: summaryOfRow(row), recordedAt: row.recorded_at, view: await sealer.open({ keyId: row.key_id, data: row.record }) };
}

/** The upsert's conflict clause, shared by both stores: a later write of a case wins, an earlier one is ignored. */
export const UPSERT_ON_CONFLICT = `ON CONFLICT (case_id) DO UPDATE SET
      ref = excluded.ref, stage = excluded.stage, route = excluded.route, criteria = excluded.criteria,
      notifying_agency = excluded.notifying_agency, la_aware_on = excluded.la_aware_on, closed = excluded.closed,
      deadlines = excluded.deadlines, recorded_at = excluded.recorded_at, key_id = excluded.key_id, record = excluded.record
    WHERE excluded.recorded_at >= kscp_case_archive.recorded_at`;
