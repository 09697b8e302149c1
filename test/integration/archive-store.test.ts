/**
 * The case archive's two stores, against a real SQLite file and a real PostgreSQL (a private
 * cluster from Debian's programs): the same behaviour from both.
 */
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Client } from 'pg';
import { postgresArchive, sealerFor, sqliteArchive, type ArchiveEntry, type CaseArchive } from '../../src/archive';
import { WorkingDayCalendar } from '../../src/calendar';
import { ConfigError, loadSettings } from '../../src/config';
import type { IncidentView } from '../../src/process/incident';
import { timelinessReport } from '../../src/report';
import { startPostgres, type TestPostgres } from '../helpers/postgres';

const ring = { current: 'k1', keys: { k1: Buffer.alloc(32, 7) } };
const SECRET = `Fictional Officer ${Date.now()}`;

function view(ref: string, stage: IncidentView['stage'], more: Partial<IncidentView> = {}): IncidentView {
  return {
    ref,
    stage,
    criteria: ['serious-harm'],
    notifyingAgency: 'police',
    agenciesInvolved: ['police'],
    childDied: false,
    policeInvestigation: false,
    incidentDate: '2026-03-01',
    laAwareOn: '2026-03-02',
    deadlines: [
      { name: 'ecase-form', clock: { timescale: 'ecase-form', start: '2026-03-02T08:00:00.000Z' }, owner: 'business-unit', status: 'met', overdue: false, metAt: '2026-03-02T09:00:00.000Z', due: '2026-03-03', dueAt: '2026-03-03T08:00:00.000Z', onTime: true },
      { name: 'panel-notification', clock: { timescale: 'panel-notification', start: '2026-03-02' }, owner: 'la-lead', status: 'met', overdue: false, metOn: '2026-03-11', due: '2026-03-09', dueAt: '2026-03-09T23:59:59.999Z', onTime: false },
    ],
    laDecision: { notifiable: true, panelNotifiedOn: '2026-03-11', ofsted: 'not-required', decidedBy: SECRET },
    deferrals: [],
    amendments: [],
    events: [{ at: '2026-03-11T10:00:00.000Z', what: 'LA decision: notifiable', by: SECRET }],
    reminders: [],
    ...more,
  } as IncidentView;
}

const entry = (ref: string, firstRunId: string, recordedAt: string, stage: IncidentView['stage'], more: Partial<IncidentView> = {}): ArchiveEntry => ({
  workflowId: `incident-${ref}`,
  firstRunId,
  recordedAt,
  view: view(ref, stage, more),
});

/** A store under test: the archive, its raw bytes, and a way to set a row's deadlines column as older code wrote it. */
interface StoreUnderTest {
  archive: CaseArchive;
  rawText: () => Promise<string>;
  setDeadlinesColumn: (ref: string, json: string) => Promise<void>;
}

/** A deadlines column as the archive wrote it before it carried clocks, working days late and deferrals. */
const OLD_DEADLINES = JSON.stringify([
  { name: 'ecase-form', status: 'met', due: '2026-03-03', dueAt: '2026-03-03T08:00:00.000Z', metAt: '2026-03-02T09:00:00.000Z', onTime: true },
  { name: 'panel-notification', status: 'met', due: '2026-03-09', dueAt: '2026-03-09T23:59:59.999Z', metOn: '2026-03-11', onTime: false },
  { name: 'rapid-review', status: 'overdue', due: '2026-03-23', dueAt: '2026-03-23T23:59:59.999Z' },
]);

function behavesAsTheArchive(name: string, open: () => Promise<StoreUnderTest>): void {
  describe(name, () => {
    let archive: CaseArchive;
    let rawText: () => Promise<string>;
    let setDeadlinesColumn: StoreUnderTest['setDeadlinesColumn'];
    beforeAll(async () => ({ archive, rawText, setDeadlinesColumn } = await open()));
    afterAll(async () => archive?.close());

    it('keeps a case and reads it back whole, decrypted', async () => {
      await archive.save(entry('KSCP-2026-801', 'run-a', '2026-03-11T10:00:00.000Z', 'RAPID_REVIEW'));
      const got = await archive.latest('KSCP-2026-801');
      expect(got?.view).toEqual(view('KSCP-2026-801', 'RAPID_REVIEW'));
      expect(got?.recordedAt).toBe('2026-03-11T10:00:00.000Z');
      expect(got?.summary).toMatchObject({ caseId: 'incident-KSCP-2026-801/run-a', stage: 'RAPID_REVIEW', route: null, laAwareOn: '2026-03-02', closed: false });
      expect(got?.summary.deadlines[1]).toEqual({
        name: 'panel-notification',
        clock: { timescale: 'panel-notification', start: '2026-03-02' },
        status: 'met',
        due: '2026-03-09',
        dueAt: '2026-03-09T23:59:59.999Z',
        metOn: '2026-03-11',
        onTime: false,
      });
    });

    it('updates the same case at a later stage, and ignores an older write that arrives late', async () => {
      await archive.save(entry('KSCP-2026-801', 'run-a', '2026-05-01T10:00:00.000Z', 'CLOSED', { route: 'withdrawn' }));
      await archive.save(entry('KSCP-2026-801', 'run-a', '2026-04-01T10:00:00.000Z', 'LCSPR', { route: 'lcspr' }));
      const all = (await archive.summaries()).filter((s) => s.ref === 'KSCP-2026-801');
      expect(all).toHaveLength(1);
      expect(all[0]).toMatchObject({ stage: 'CLOSED', route: 'withdrawn', closed: true });
    });

    it('keeps a reused reference (a new first run) as a different case, and reads the newest', async () => {
      await archive.save(entry('KSCP-2026-801', 'run-b', '2026-06-01T10:00:00.000Z', 'LA_DECISION'));
      expect((await archive.summaries()).filter((s) => s.ref === 'KSCP-2026-801').map((s) => s.firstRunId).sort()).toEqual(['run-a', 'run-b']);
      expect((await archive.latest('KSCP-2026-801'))?.summary.firstRunId).toBe('run-b');
    });

    it('selects cases by the day the LA became aware, both ends included', async () => {
      await archive.save(entry('KSCP-2026-802', 'run-c', '2026-07-01T10:00:00.000Z', 'LA_DECISION', { laAwareOn: '2026-06-30' }));
      const refs = async (from: string, to: string) => [...new Set((await archive.summaries({ from, to })).map((s) => s.ref))];
      expect(await refs('2026-06-30', '2026-06-30')).toEqual(['KSCP-2026-802']);
      expect(await refs('2026-03-02', '2026-06-29')).toEqual(['KSCP-2026-801']);
      expect(await refs('2026-07-01', '2026-12-31')).toEqual([]);
    });

    it('reads a row written before the summary carried clocks and verdict details, and the report counts it', async () => {
      await archive.save(entry('KSCP-2026-803', 'run-d', '2026-03-24T10:00:00.000Z', 'RAPID_REVIEW'));
      await setDeadlinesColumn('KSCP-2026-803', OLD_DEADLINES);
      const [old] = await archive.summaries({ from: '2026-03-02', to: '2026-03-02' }).then((all) => all.filter((x) => x.ref === 'KSCP-2026-803'));
      expect(old?.deadlines).toEqual(JSON.parse(OLD_DEADLINES));
      const report = timelinessReport([old!], { from: '2026-03-02', to: '2026-03-02' }, new Date('2026-03-27T12:00:00Z'), new WorkingDayCalendar());
      const m = (n: string) => report.measures.find((x) => x.deadline === n);
      expect(m('ecase-form')).toMatchObject({ total: 1, onTime: 1 });
      expect(m('panel-notification')).toMatchObject({ total: 1, late: 1, medianWorkingDaysLate: 2 });
      expect(m('rapid-review')).toMatchObject({ total: 1, late: 1, lateStillOpen: 1, medianWorkingDaysLate: 4 });
    });

    it('answers undefined for a reference it never saw', async () => {
      expect(await archive.latest('KSCP-2026-899')).toBeUndefined();
    });

    it('stores names and events only encrypted', async () => {
      const raw = await rawText();
      expect(raw).toContain('KSCP-2026-801');
      expect(raw).not.toContain(SECRET);
      expect(raw).not.toContain('LA decision: notifiable');
    });

    it('cannot be read back without the key it was written with', async () => {
      const other = sealerFor({ current: 'k2', keys: { k2: Buffer.alloc(32, 9) } });
      const sealed = await sealerFor(ring).seal(view('KSCP-2026-801', 'CLOSED'));
      await expect(other.open(sealed)).rejects.toThrow(/key "k1"/);
    });
  });
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'kscp-archive-'));

behavesAsTheArchive('the SQLite file', async () => {
  const file = path.join(tmp, 'archive.db');
  const archive = sqliteArchive(file, sealerFor(ring));
  return {
    archive,
    rawText: async () => ['', '-wal'].map((s) => { try { return readFileSync(file + s).toString('latin1'); } catch { return ''; } }).join(''),
    setDeadlinesColumn: async (ref, json) => {
      const db = new Database(file);
      try {
        db.prepare('UPDATE kscp_case_archive SET deadlines = ? WHERE ref = ?').run(json, ref);
      } finally {
        db.close();
      }
    },
  };
});

describe('the SQLite file on disk', () => {
  it('is readable by its owner only', () => {
    const file = path.join(tmp, 'mode.db');
    const a = sqliteArchive(file, sealerFor(ring));
    void a.close();
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});

let pg: TestPostgres | undefined;
afterAll(async () => pg?.stop());

behavesAsTheArchive('PostgreSQL', async () => {
  pg = await startPostgres();
  const url = pg.url;
  const archive = postgresArchive(url, sealerFor(ring));
  return {
    archive,
    rawText: async () => {
      const c = new Client({ connectionString: url });
      await c.connect();
      try {
        const { rows } = await c.query<{ t: string }>(`SELECT string_agg(t::text || encode(record, 'escape'), ' ') AS t FROM kscp_case_archive t`);
        return rows[0]?.t ?? '';
      } finally {
        await c.end();
      }
    },
    setDeadlinesColumn: async (ref, json) => {
      const c = new Client({ connectionString: url });
      await c.connect();
      try {
        await c.query('UPDATE kscp_case_archive SET deadlines = $1::jsonb WHERE ref = $2', [json, ref]);
      } finally {
        await c.end();
      }
    },
  };
});

describe('PostgreSQL that cannot be reached', () => {
  it('fails with the address and without the password', async () => {
    const archive = postgresArchive('postgres://kscp:s3cret@127.0.0.1:1/none', sealerFor(ring));
    expect(archive.where).toBe('postgres://kscp:***@127.0.0.1:1/none');
    await expect(archive.summaries()).rejects.toThrow(/ECONNREFUSED/);
    await archive.close();
  });
});

describe('settings', () => {
  it('default to data/archive.db in the data folder', () => {
    expect(loadSettings({ KSCP_DATA_DIR: '/srv/kscp' }).archive).toEqual({ kind: 'sqlite', file: '/srv/kscp/archive.db' });
  });
  it('use PostgreSQL when KSCP_ARCHIVE_URL is set', () => {
    expect(loadSettings({ KSCP_ARCHIVE_URL: 'postgres://kscp@db:5432/kscp' }).archive).toEqual({ kind: 'postgres', url: 'postgres://kscp@db:5432/kscp' });
  });
  it('refuse a URL that is not PostgreSQL, saying what is allowed', () => {
    expect(() => loadSettings({ KSCP_ARCHIVE_URL: 'mysql://db/kscp' })).toThrow(ConfigError);
    expect(() => loadSettings({ KSCP_ARCHIVE_URL: 'mysql://db/kscp' })).toThrow(/KSCP_ARCHIVE_URL: must be a PostgreSQL URL, postgres:\/\//);
  });
});
