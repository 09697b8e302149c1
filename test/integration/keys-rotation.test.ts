/**
 * The key procedures of docs/security.md, end to end with the real worker and the real `kscp`:
 * rotate (`kscp keys rotate`, restart the worker): older cases still read, new data is sealed with
 * the new key; back up the key file; lose it: the worker and `kscp` refuse and say to restore it;
 * restore the backup: everything reads again. A backup taken before the rotation cannot read
 * what the new key sealed, and says which key is missing.
 */
import { Connection } from '@temporalio/client';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureKeyFile, KEY_ID_METADATA } from '../../src/codec';
import { addDays } from '../../src/process/dates';
import { workflowIdFor } from '../../src/process/incident';
import { londonDate } from '../../src/london';
import { startDevServer, type DevServer } from '../../src/toolchain/devServer';
import { fictionalForm, nextRef } from '../helpers/fixtures';
import { freePort, kscp, startNode, type Child } from '../helpers/processes';
import { startMailbox, type Mailbox } from '../helpers/smtp';
import { temporalCliPath } from '../helpers/toolchain';

const NAMESPACE = 'kscp-keys';
const tmp = mkdtempSync(path.join(os.tmpdir(), 'kscp-keys-'));
const keyFile = path.join(tmp, 'keys.json');
const backups = path.join(tmp, 'backup');
const today = londonDate(new Date());
const [older, newer] = [nextRef(2026), nextRef(2026)];
let server: DevServer;
let mailbox: Mailbox;
let worker: Child | undefined;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  server = await startDevServer({ binary: temporalCliPath(), port: await freePort(), namespace: NAMESPACE, logFile: path.join(tmp, 'temporal.log') });
  mailbox = await startMailbox();
  env = { KSCP_DATA_DIR: tmp, KSCP_KEY_FILE: keyFile, KSCP_ENCRYPTION_KEYS: '', TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: NAMESPACE, SMTP_HOST: '127.0.0.1', SMTP_PORT: String(mailbox.port) };
  // What npm start does on a fresh installation.
  expect(ensureKeyFile(keyFile)).toBe(true);
}, 60_000);

afterAll(async () => {
  await worker?.stop();
  await mailbox?.close();
  await server?.stop();
});

async function startWorker(): Promise<void> {
  worker = startNode('dist/workers/main.js', env);
  await worker.waitForOutput(/kscp worker: task queue/);
}

async function restartWorker(): Promise<void> {
  expect(await worker?.stop()).toBe(0);
  await startWorker();
}

async function notify(ref: string): Promise<void> {
  const form = fictionalForm({ ref, incidentDate: addDays(today, -1), knownAt: new Date(Date.now() - 3_600_000).toISOString(), laAwareOn: today });
  writeFileSync(path.join(tmp, `${ref}.json`), JSON.stringify(form));
  expect(await kscp(['notify', '--file', path.join(tmp, `${ref}.json`)], env)).toMatchObject({ code: 0 });
}

/** The key id the case's opening input was sealed with, read from Temporal's history as stored (no keys needed). */
async function sealedWith(ref: string): Promise<string> {
  const connection = await Connection.connect({ address: server.address });
  try {
    const { history } = await connection.workflowService.getWorkflowExecutionHistory({ namespace: NAMESPACE, execution: { workflowId: workflowIdFor(ref) } });
    const input = history!.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
    return Buffer.from(input.metadata![KEY_ID_METADATA]!).toString();
  } finally {
    await connection.close();
  }
}

async function stage(ref: string): Promise<string> {
  const run = await kscp(['status', ref, '--json'], env);
  expect({ ref, code: run.code, stderr: run.stderr }).toEqual({ ref, code: 0, stderr: '' });
  return (JSON.parse(run.stdout) as { stage: string }).stage;
}

const keyIds = (): string[] => Object.keys((JSON.parse(readFileSync(keyFile, 'utf8')) as { keys: Record<string, string> }).keys);

it('rotate, restart: old and new cases read; new data is sealed with the new key', async () => {
  await startWorker();
  await notify(older);
  const [first] = keyIds();
  expect(await sealedWith(older)).toBe(first);

  const rotated = await kscp(['keys', 'rotate'], env);
  expect(rotated.code).toBe(0);
  const [, second] = keyIds();
  expect(rotated.stdout).toBe(`New current key ${second} in ${keyFile}; restart the worker (and npm start) to use it. Keep the earlier keys: they read older case data. Back the file up again now (docs/security.md, "Backup and restore").\n`);
  expect(statSync(keyFile).mode & 0o777).toBe(0o600);
  await restartWorker();

  await notify(newer);
  expect(await sealedWith(newer)).toBe(second);
  expect(await stage(older)).toBe('LA_DECISION');
  expect(await stage(newer)).toBe('LA_DECISION');
  // The older case still takes new steps, now sealed with the new key.
  expect(await kscp(['la-decision', older, '--notifiable', 'yes', '--ofsted', 'not-required', '--panel-notified', today, '--by', 'A. Officer'], env)).toMatchObject({ code: 0 });
  expect(await stage(older)).toBe('RAPID_REVIEW');
});

it('lose the key file: the worker and kscp refuse, saying to restore it; restore the backup: everything reads again', async () => {
  // The procedure: a copy kept apart, made after every rotation, mode kept.
  mkdirSync(backups, { recursive: true });
  copyFileSync(keyFile, path.join(backups, 'keys.json'));

  expect(await worker?.stop()).toBe(0);
  rmSync(keyFile);
  const lostStatus = await kscp(['status', older], env);
  expect(lostStatus.code).toBe(2);
  expect(lostStatus.stderr).toBe(
    `kscp: no encryption keys: ${keyFile} does not exist. If this installation has recorded cases, restore ${keyFile} from your backup (docs/security.md, "Backup and restore"), ` +
      'or set KSCP_ENCRYPTION_KEYS to the keys the cases were written with; on a new installation `npm start` creates it (or set KSCP_KEY_FILE)\n',
  );
  const lostWorker = startNode('dist/workers/main.js', env);
  const exit = await new Promise((resolve) => (lostWorker.process.exitCode !== null ? resolve(lostWorker.process.exitCode) : lostWorker.process.on('exit', resolve)));
  expect(exit).toBe(1);
  expect(lostWorker.output()).toContain(`kscp worker: no encryption keys: ${keyFile} does not exist. If this installation has recorded cases, restore ${keyFile} from your backup`);

  copyFileSync(path.join(backups, 'keys.json'), keyFile);
  await startWorker();
  expect(await stage(older)).toBe('RAPID_REVIEW');
  expect(await stage(newer)).toBe('LA_DECISION');
});

it('a backup from before the rotation cannot read what the new key sealed, and says which key is missing', async () => {
  const [first, second] = keyIds();
  const stale = { current: first, keys: { [first!]: (JSON.parse(readFileSync(keyFile, 'utf8')) as { keys: Record<string, string> }).keys[first!] } };
  const staleFile = path.join(backups, 'keys-before-rotation.json');
  writeFileSync(staleFile, JSON.stringify(stale), { mode: 0o600 });
  const run = await kscp(['status', newer], { ...env, KSCP_KEY_FILE: staleFile });
  expect(run.code).toBe(2);
  expect(run.stderr).toBe(
    `kscp: cannot decrypt a payload encrypted with key "${second}": it is not among the keys (${first}); use a copy of the key file made after that key was added (docs/security.md, "Backup and restore")\n`,
  );
});
