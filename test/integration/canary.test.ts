/**
 * The canary: a unique string placed in a case's summary, the notifier's name and every decision's
 * reasons is never found, after a full lifecycle, in the dev server's SQLite files or log, in any
 * search attribute, in the worker's or kscp's output, or in any email. It is found, decrypted, by
 * an authorised client: the data is there, encrypted, not dropped.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { StatusJson } from '../../src/cli/commands/status';
import { addDays } from '../../src/process/dates';
import { londonDate } from '../../src/london';
import { startDevServer, type DevServer } from '../../src/toolchain/devServer';
import { nextRef, TEST_KEYS } from '../helpers/fixtures';
import { freePort, kscp, startNode, type Child, type Run } from '../helpers/processes';
import { startMailbox, type Mailbox } from '../helpers/smtp';
import { temporalCliPath } from '../helpers/toolchain';

const CANARY = `canary-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'kscp-canary-'));
const dbDir = path.join(tmp, 'db');
let server: DevServer;
let mailbox: Mailbox;
let worker: Child;
let env: NodeJS.ProcessEnv;
const outputs: string[] = [];

beforeAll(async () => {
  server = await startDevServer({ binary: temporalCliPath(), port: await freePort(), namespace: 'kscp-canary', dbFile: path.join(dbDir, 'temporal.db'), logFile: path.join(tmp, 'temporal.log') });
  mailbox = await startMailbox();
  env = { KSCP_DATA_DIR: tmp, KSCP_ENCRYPTION_KEYS: TEST_KEYS, TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: 'kscp-canary', SMTP_HOST: '127.0.0.1', SMTP_PORT: String(mailbox.port) };
  worker = startNode('dist/workers/main.js', env);
  await worker.waitForOutput(/kscp worker: task queue/);
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  await mailbox?.close();
  await server?.stop();
});

/** Every way the canary could be written down in bytes: as text, and as base64 at each alignment. */
function forms(s: string): string[] {
  return [s, ...[0, 1, 2].map((shift) => Buffer.from('x'.repeat(shift) + s).toString('base64').slice(4 * Math.ceil(shift / 3) + 2, -4))];
}
const holdsCanary = (text: string) => forms(CANARY).some((f) => text.includes(f));

it('never shows the canary in Temporal, search attributes, logs or emails, after a full lifecycle', async () => {
  const today = londonDate(new Date());
  const ref = nextRef(2026);
  const by = ['--by', 'Test Officer'];
  const run = async (args: string[]): Promise<Run> => {
    const r = await kscp(args, env);
    outputs.push(r.stdout, r.stderr);
    expect({ args, code: r.code, stderr: r.stderr }).toEqual({ args, code: 0, stderr: '' });
    return r;
  };
  const form = {
    ref,
    notifyingAgency: 'health',
    notifier: { name: `Notifier ${CANARY}`, email: 'fictional.notifier@health.example.org', role: 'Named Nurse' },
    incidentDate: addDays(today, -1),
    knownAt: new Date(Date.now() - 3_600_000).toISOString(),
    laAwareOn: today,
    criteria: ['serious-harm'],
    childDied: false,
    policeInvestigation: true,
    agenciesInvolved: ['health', 'police'],
    summary: `Fictional summary ${CANARY}`,
  };
  writeFileSync(path.join(tmp, 'form.json'), JSON.stringify(form));
  await run(['notify', '--file', path.join(tmp, 'form.json')]);
  await run(['la-decision', ref, '--notifiable', 'yes', '--panel-notified', today, '--rationale', `LA rationale ${CANARY}`, ...by]);
  await run(['info-request', ref, '--agency', 'police', '--requested', today, '--due', addDays(today, 7), ...by]);
  await run(['info-received', ref, '--agency', 'police', '--received', today, ...by]);
  await run(['rapid-review', ref, '--meeting', today, '--submitted', today, '--outcome', 'local-review', '--rationale', `RR rationale ${CANARY}`, ...by]);
  await run(['panel-response', ref, '--received', today, '--decision', 'local-review', ...by]);
  await run(['lcspr-start', ref, '--initiated', today, '--methodology', 'case-authored', ...by]);
  await run(['views', ref, '--from', 'family', '--on', today, ...by]);
  await run(['amend', ref, '--field', 'policeInvestigation', '--value', 'false', '--reason', `Correction ${CANARY}`, ...by]);
  await run(['delay', ref, '--sent', today, '--reason', `Delay ${CANARY}`, ...by]);
  await run(['subgroup-agreed', ref, '--on', today, ...by]);
  await run(['executive-signoff', ref, '--on', today, '--decision', 'improvements-only', '--planned-publication', addDays(today, 30), '--reasons', `Executive ${CANARY}`, ...by]);
  await run(['defer', ref, '--reason', `Deferral ${CANARY}`, '--new-date', addDays(today, 60), '--panel-told', today, ...by]);
  await run(['report-sent', ref, '--sent', today, ...by]);
  await run(['published', ref, '--on', today, '--url', 'https://kscp.example.org/reviews/fictional', ...by]);
  await run(['learning-shared', ref, '--on', today, ...by]);
  await run(['staff-informed', ref, '--on', today, ...by]);
  await run(['removed-from-website', ref, '--on', today, ...by]);

  // An authorised client reads it all back, decrypted.
  const status = await kscp(['status', ref, '--json'], env);
  const s = JSON.parse(status.stdout) as StatusJson & { rapidReview?: { rationale: string } };
  expect(s.stage).toBe('CLOSED');
  expect(status.stdout).toContain(`RR rationale ${CANARY}`);

  // Every email has gone (one per clock that started), and none carries the canary.
  await mailbox.waitFor((m) => m.headers.get('x-kscp-deadline') === 'website-removal');
  await new Promise((r) => setTimeout(r, 1500));
  const mine = mailbox.messages.filter((m) => m.subject?.startsWith(`[${ref}]`));
  expect(mine.length).toBeGreaterThanOrEqual(8);
  for (const m of mailbox.messages) expect(holdsCanary(`${m.subject}\n${m.text}\n${m.html || ''}\n${JSON.stringify([...m.headers])}`)).toBe(false);

  // Search attributes.
  const list = await kscp(['list', '--all', '--json'], env);
  expect(list.stdout).toContain(ref);
  expect(holdsCanary(list.stdout)).toBe(false);

  // kscp's own output while recording, and the worker's log.
  expect(outputs.join('\n')).toContain(ref);
  expect(holdsCanary(outputs.join('\n'))).toBe(false);
  expect(holdsCanary(worker.output())).toBe(false);

  // The dev server's database, once it is stopped and has written everything, and its log.
  await worker.stop();
  await server.stop();
  const files = readdirSync(dbDir);
  expect(files).toContain('temporal.db');
  for (const f of files) {
    const bytes = readFileSync(path.join(dbDir, f)).toString('latin1');
    expect({ file: f, canary: holdsCanary(bytes) }).toEqual({ file: f, canary: false });
  }
  expect(readFileSync(path.join(dbDir, 'temporal.db')).toString('latin1')).toContain(`incident-${ref}`);
  expect(holdsCanary(readFileSync(path.join(tmp, 'temporal.log'), 'utf8'))).toBe(false);
}, 240_000);
