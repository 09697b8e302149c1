/**
 * The main job as a user runs it: `npm start` (dist/workers/start.js) brings up
 * the Temporal dev server with its Web UI, the codec server, the mail catcher
 * and the worker; the Go CLI command it prints reads a case decrypted; Ctrl-C
 * stops them all; with the key file gone it refuses to start rather than make a
 * key that cannot read the cases; a second start carries on with the same cases.
 * Ports and the data folder are moved so the test never touches a real setup.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { londonDate } from '../../src/london';
import { addDays } from '../../src/process/dates';
import type { StatusJson } from '../../src/cli/commands/status';
import { nextRef, ADDRESS } from '../helpers/fixtures';
import { freePort, kscp, startNode } from '../helpers/processes';
import { temporalCliPath } from '../helpers/toolchain';

const data = mkdtempSync(path.join(os.tmpdir(), 'kscp-start-'));
let env: NodeJS.ProcessEnv;
let ports: { temporal: number; ui: number; smtp: number; mailUi: number; codec: number; board: number };

beforeAll(async () => {
  ports = { temporal: await freePort(), ui: await freePort(), smtp: await freePort(), mailUi: await freePort(), codec: await freePort(), board: await freePort() };
  env = {
    KSCP_DATA_DIR: data,
    KSCP_TEMPORAL_PORT: String(ports.temporal),
    KSCP_TEMPORAL_UI_PORT: String(ports.ui),
    KSCP_MAIL_PORT: String(ports.smtp),
    KSCP_MAIL_UI_PORT: String(ports.mailUi),
    KSCP_CODEC_PORT: String(ports.codec),
    KSCP_BOARD_PORT: String(ports.board),
    KSCP_ENCRYPTION_KEYS: '',
    KSCP_CODEC_TOKEN: '',
    KSCP_CODEC_TOKEN_FILE: '',
    TEMPORAL_ADDRESS: '',
    SMTP_HOST: '',
  };
});

/** A command line as a user pastes it into a shell, with the Go `temporal` CLI on PATH. */
function shell(command: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const PATH = `${path.dirname(temporalCliPath())}:${process.env.PATH}`;
  return new Promise((resolve) => {
    execFile('/bin/sh', ['-c', command], { env: { ...process.env, PATH }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => (s.destroy(), resolve(false)));
  });
}

interface MaildevEmail {
  subject: string;
  to: Array<{ address: string }>;
}

async function caughtMail(): Promise<MaildevEmail[]> {
  const res = await fetch(`http://127.0.0.1:${ports.mailUi}/api/email`);
  return (await res.json()) as MaildevEmail[];
}

const ref = nextRef(2026);

it('starts everything, catches the reminder email, prints a Go CLI command that decrypts, stops cleanly on Ctrl-C, refuses to start without its key file, and carries on after a restart', async () => {
  const first = startNode('dist/workers/start.js', env);
  try {
    await first.waitForOutput(/Press Ctrl-C to stop/, 90_000);
    const banner = first.output();
    expect(banner).toContain(`Temporal Web UI (cases):   http://127.0.0.1:${ports.ui}/namespaces/kscp/workflows   (read-only: record steps with kscp)`);
    expect(banner).toContain(`Mail catcher (reminders):  http://127.0.0.1:${ports.mailUi}/index.html`);
    expect(banner).toContain(`Created the encryption key file ${path.join(data, 'keys.json')}`);
    expect(banner).toContain(`Codec server (decrypts case details for the Web UI): http://127.0.0.1:${ports.codec}`);
    expect((await fetch(`http://127.0.0.1:${ports.ui}/namespaces/kscp/workflows`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${ports.mailUi}/index.html`)).status).toBe(200);
    expect(banner).toContain(`Case board (managers):     http://127.0.0.1:${ports.board}/   (open cases, this week; each case links to the Web UI)`);
    expect((await fetch(`http://127.0.0.1:${ports.board}/`)).status).toBe(200);

    const today = londonDate(new Date());
    const form = {
      ref,
      notifyingAgency: 'education',
      notifier: { name: 'Test Notifier', email: 'test.notifier@school.example.org', role: 'Designated Safeguarding Lead' },
      incidentDate: addDays(today, -1),
      knownAt: new Date(Date.now() - 3_600_000).toISOString(),
      laAwareOn: today,
      criteria: ['serious-harm'],
      childDied: false,
      policeInvestigation: false,
      agenciesInvolved: ['education'],
      summary: 'Fictional test incident for npm start.',
    };
    const file = path.join(data, 'form.json');
    writeFileSync(file, JSON.stringify(form));
    expect(await kscp(['notify', '--file', file], env)).toMatchObject({ code: 0 });

    let mail: MaildevEmail[] = [];
    for (let i = 0; i < 100 && mail.length === 0; i++) {
      mail = (await caughtMail()).filter((m) => m.subject.startsWith(`[${ref}]`));
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(mail.map((m) => [m.subject.replace(/ due by .*/, ''), m.to.map((t) => t.address)])).toEqual([
      [`[${ref}] Notice: LA notification of the serious incident to the National Panel`, [ADDRESS.laLead]],
    ]);

    // The Go CLI, exactly as the banner says, reads the case decrypted; without the token it cannot.
    const tokenFile = path.join(data, 'codec-token');
    expect(banner).toContain(`Created the codec server's token in ${tokenFile} (readable by you only)`);
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    const printed = /Go CLI, decrypted: +(temporal workflow show .*)$/m.exec(banner)?.[1];
    expect(printed).toBe(
      `temporal workflow show --detailed --address 127.0.0.1:${ports.temporal} --namespace kscp --workflow-id incident-<ref> ` +
        `--codec-endpoint http://127.0.0.1:${ports.codec} --codec-auth "Bearer $(cat ${tokenFile})"`,
    );
    const withToken = await shell(printed!.replace('<ref>', ref));
    expect(withToken.stdout).toContain(`input[0].form.summary: ${form.summary}`);
    expect(withToken.code).toBe(0);
    const withoutToken = await shell(`${printed!.replace('<ref>', ref).replace(/ --codec-auth .*$/, '')} --command-timeout 5s`);
    expect(withoutToken.code).not.toBe(0);
    expect(withoutToken.stdout).not.toContain(form.summary);
  } finally {
    expect(await first.stop('SIGINT')).toBe(0);
  }
  expect(first.output()).toContain('Stopped. Cases are kept');
  for (const port of Object.values(ports)) expect(await listening(port)).toBe(false);

  // The key file lost: a new key could read none of the cases, so npm start refuses and says what to do.
  const keyFile = path.join(data, 'keys.json');
  renameSync(keyFile, `${keyFile}.backup`);
  const lost = startNode('dist/workers/start.js', env);
  expect(await new Promise((resolve) => lost.process.on('exit', resolve))).toBe(1);
  expect(lost.output()).toContain(`npm start: the key file ${keyFile} is missing, but cases are already recorded (${path.join(data, 'temporal.db')} holds 1 case`);
  expect(lost.output()).toContain(`To read them, restore ${keyFile} from your backup (docs/security.md, "Backup and restore"), or set KSCP_ENCRYPTION_KEYS`);
  expect(existsSync(keyFile)).toBe(false);
  for (const port of Object.values(ports)) expect(await listening(port)).toBe(false);
  renameSync(`${keyFile}.backup`, keyFile);

  const token = readFileSync(path.join(data, 'codec-token'), 'utf8');
  const second = startNode('dist/workers/start.js', env);
  try {
    await second.waitForOutput(/Press Ctrl-C to stop/, 90_000);
    expect(second.output()).not.toContain('Created the encryption key file');
    expect(second.output()).not.toContain("Created the codec server's token");
    expect(readFileSync(path.join(data, 'codec-token'), 'utf8')).toBe(token);
    const run = await kscp(['status', ref, '--json'], env);
    expect(run.code).toBe(0);
    const s = JSON.parse(run.stdout) as StatusJson;
    expect(s.stage).toBe('LA_DECISION');
    expect(s.reminders).toHaveLength(1);
  } finally {
    expect(await second.stop('SIGINT')).toBe(0);
  }
}, 240_000);
