/**
 * The email ledger's two stores, against a real SQLite file and a real PostgreSQL (a private
 * cluster from Debian's programs): the same rules from both, and two connections (two processes
 * for SQLite, two connection pools for PostgreSQL) racing for the same emails: exactly one wins each.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openEmailLedger, postgresLedger, sqliteLedger, type EmailLedger, type SentRecord } from '../../activities/emailLedger';
import { sealerFor, sqliteArchive } from '../../src/archive';
import { REPO_ROOT } from '../helpers/fixtures';
import { freePort } from '../helpers/processes';
import { startPostgres, type TestPostgres } from '../helpers/postgres';

const MESSAGE_ID = '<incident-KSCP-2031-201.run-1.rapid-review.2031-12-31.L3.1@kscp.reminders>';
let serial = 0;
const nextIdentity = () => `incident-KSCP-2031-201/run-1/rapid-review/2031-12-31/L3/${++serial}`;
const record = (over: Partial<SentRecord> = {}): SentRecord => ({
  messageId: MESSAGE_ID,
  recipients: 2,
  refused: [{ role: 'business-unit', address: 'kscp.business.unit@kscp.example.org', reason: '550 5.1.1 No such user', permanent: true }],
  sentAt: '2031-12-30T09:00:01.000Z',
  ...over,
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `racers` claims of the same identities at once, each from its own connection; how many claims each identity granted. */
type Race = (identities: string[]) => Promise<Map<string, number>>;

function behavesAsTheLedger(name: string, open: () => Promise<{ ledger: EmailLedger; race: Race; close: () => Promise<void> }>): void {
  describe(name, () => {
    let ledger: EmailLedger;
    let race: Race;
    let close: () => Promise<void>;
    beforeAll(async () => ({ ledger, race, close } = await open()));
    afterAll(async () => close?.());

    it('grants the claim on a new email, and refuses a second attempt while the claim is live', async () => {
      const id = nextIdentity();
      const first = await ledger.claim(id, MESSAGE_ID, 30_000);
      expect(first).toMatchObject({ outcome: 'claimed', takenOver: false, claims: 1 });
      const second = await ledger.claim(id, MESSAGE_ID, 30_000);
      expect(second.outcome).toBe('busy');
      if (second.outcome !== 'busy') return;
      const until = Date.parse(second.leaseUntil);
      expect(until).toBeGreaterThan(Date.now() + 25_000);
      expect(until).toBeLessThan(Date.now() + 35_000);
    });

    it('lets only the owner renew, and keeps a renewed claim live past its first lease', async () => {
      const id = nextIdentity();
      const claim = await ledger.claim(id, MESSAGE_ID, 400);
      if (claim.outcome !== 'claimed') throw new Error(claim.outcome);
      expect(await ledger.renew(id, 'someone-else', 60_000)).toBe(false);
      await sleep(200);
      expect(await ledger.renew(id, claim.token, 60_000)).toBe(true);
      await sleep(400);
      expect((await ledger.claim(id, MESSAGE_ID, 30_000)).outcome).toBe('busy');
    });

    it('lets a later attempt take over a claim whose lease ran out (its worker died), and the old owner loses it', async () => {
      const id = nextIdentity();
      const dead = await ledger.claim(id, MESSAGE_ID, 200);
      if (dead.outcome !== 'claimed') throw new Error(dead.outcome);
      await sleep(400);
      const next = await ledger.claim(id, MESSAGE_ID, 30_000);
      expect(next).toMatchObject({ outcome: 'claimed', takenOver: true, claims: 2 });
      expect(await ledger.renew(id, dead.token, 30_000)).toBe(false);
    });

    it('lets the next attempt claim at once after a release (the mail server did not take the email)', async () => {
      const id = nextIdentity();
      const first = await ledger.claim(id, MESSAGE_ID, 30_000);
      if (first.outcome !== 'claimed') throw new Error(first.outcome);
      await ledger.release(id, first.token);
      expect(await ledger.claim(id, MESSAGE_ID, 30_000)).toMatchObject({ outcome: 'claimed', takenOver: false, claims: 2 });
    });

    it('returns the recorded result once sent, to every later attempt, and keeps the first record', async () => {
      const id = nextIdentity();
      const claim = await ledger.claim(id, MESSAGE_ID, 30_000);
      if (claim.outcome !== 'claimed') throw new Error(claim.outcome);
      expect(await ledger.markSent(id, claim.token, record())).toEqual(record());
      expect(await ledger.claim(id, MESSAGE_ID, 30_000)).toEqual({ outcome: 'sent', sent: record() });
      // A taken-over attempt that also reached the mail server records after: the first record stands.
      expect(await ledger.markSent(id, 'late-owner', record({ recipients: 1, refused: [], sentAt: '2031-12-30T09:05:00.000Z' }))).toEqual(record());
      expect(await ledger.renew(id, claim.token, 30_000)).toBe(false);
    });

    it('gives each email to exactly one of two connections claiming at once', async () => {
      const identities = Array.from({ length: 150 }, nextIdentity);
      const granted = await race(identities);
      expect([...granted.keys()].sort()).toEqual([...identities].sort());
      expect([...granted.values()].filter((n) => n !== 1)).toEqual([]);
    }, 60_000);
  });
}

describe('with the SQLite file', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kscp-ledger-'));
  const file = path.join(dir, 'archive.db');

  /**
   * Two processes (the compiled ledger, dist/), each with its own connection, claiming the same
   * identities after a common start signal: one from the first, the other from the last, so they
   * meet and contend in the middle (in the same order, the first to start would win them all).
   */
  const race: Race = async (identities) => {
    const script = (ids: string[]) => `
      const { sqliteLedger } = require(${JSON.stringify(path.join(REPO_ROOT, 'dist', 'activities', 'emailLedger'))});
      const ledger = sqliteLedger(${JSON.stringify(file)});
      const ids = ${JSON.stringify(ids)};
      process.stdout.write('ready\\n');
      process.stdin.once('data', async () => {
        const won = [];
        // A breath between claims, so the two processes overlap however late one of them woke.
        for (const id of ids) {
          if ((await ledger.claim(id, 'm', 30000)).outcome === 'claimed') won.push(id);
          await new Promise((r) => setTimeout(r, 1));
        }
        process.stdout.write(JSON.stringify(won) + '\\n');
        await ledger.close();
        process.exit(0);
      });`;
    const racers = [identities, [...identities].reverse()].map((ids) => {
      const child = spawn(process.execPath, ['-e', script(ids)], { stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (b: Buffer) => (out += b.toString()));
      child.stderr.on('data', (b: Buffer) => (err += b.toString()));
      const done = new Promise<string[]>((resolve, reject) =>
        child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.split('\n')[1]!) as string[]) : reject(new Error(`racer exited ${code}: ${err}`)))),
      );
      const ready = (async () => {
        while (!out.includes('ready')) {
          if (child.exitCode !== null) throw new Error(`racer exited ${child.exitCode}: ${err}`);
          await sleep(20);
        }
      })();
      return { child, done, ready };
    });
    await Promise.all(racers.map((r) => r.ready));
    for (const r of racers) r.child.stdin.write('go\n');
    const won = await Promise.all(racers.map((r) => r.done));
    const granted = new Map<string, number>();
    for (const id of won.flat()) granted.set(id, (granted.get(id) ?? 0) + 1);
    // Both really raced: each process won some.
    expect(won.map((w) => w.length).every((n) => n > 0)).toBe(true);
    return granted;
  };

  behavesAsTheLedger('the ledger', async () => {
    const ledger = sqliteLedger(file);
    return { ledger, race, close: () => ledger.close() };
  });

  it('lives in the case archive\'s file, with WAL (every commit written before it returns)', async () => {
    const archive = sqliteArchive(file, sealerFor({ current: 'k1', keys: { k1: Buffer.alloc(32, 7) } }));
    const ledger = openEmailLedger({ kind: 'sqlite', file });
    const db = new Database(file, { readonly: true });
    try {
      const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>).map((t) => t.name);
      expect(tables).toEqual(['kscp_case_archive', 'kscp_email_ledger']);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      db.close();
      await ledger.close();
      await archive.close();
    }
  });

  it('fails to claim, rather than answer "not sent", when the file is not a database', async () => {
    const bad = path.join(dir, 'not-a-database.db');
    writeFileSync(bad, 'this is not SQLite '.repeat(100));
    expect(() => sqliteLedger(bad)).toThrow(/file is not a database/);
  });
});

describe('with PostgreSQL (KSCP_ARCHIVE_URL)', () => {
  let pg: TestPostgres;
  beforeAll(async () => {
    pg = await startPostgres('kscp_ledger_test');
  }, 120_000);
  afterAll(async () => pg?.stop());

  /** Two connection pools (as two workers on two hosts would have), claiming the same identities at once. */
  const race: Race = async (identities) => {
    const a = postgresLedger(pg.url);
    const b = postgresLedger(pg.url);
    try {
      // Create the table before racing, so the race is over the rows.
      await a.release('warm-up', 'nobody');
      await b.release('warm-up', 'nobody');
      const results = await Promise.all(identities.flatMap((id) => [a, b].map(async (l) => ({ id, won: (await l.claim(id, 'm', 30_000)).outcome === 'claimed' }))));
      const granted = new Map<string, number>();
      for (const r of results) granted.set(r.id, (granted.get(r.id) ?? 0) + (r.won ? 1 : 0));
      return granted;
    } finally {
      await a.close();
      await b.close();
    }
  };

  behavesAsTheLedger('the ledger', async () => {
    const ledger = openEmailLedger({ kind: 'postgres', url: pg.url });
    return { ledger, race, close: () => ledger.close() };
  });

  it('fails to claim, rather than answer "not sent", when the database cannot be reached', async () => {
    const ledger = postgresLedger(`postgres://postgres@127.0.0.1:${await freePort()}/kscp_ledger_test`);
    try {
      await expect(ledger.claim(nextIdentity(), MESSAGE_ID, 30_000)).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      await ledger.close();
    }
  });
});
