/**
 * The main job as a user runs it: `npm start` (dist/workers/start.js) brings up
 * the Temporal dev server with its Web UI, the mail catcher and the worker;
 * Ctrl-C stops them all; a second start carries on with the same cases.
 * Ports and the data folder are moved so the test never touches a real setup.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { londonDate } from '../../src/london';
import { addDays } from '../../src/process/dates';
import type { StatusJson } from '../../src/cli/commands/status';
import { nextRef, ADDRESS } from '../helpers/fixtures';
import { freePort, kscp, startNode } from '../helpers/processes';

const data = mkdtempSync(path.join(os.tmpdir(), 'kscp-start-'));
let env: NodeJS.ProcessEnv;
let ports: { temporal: number; ui: number; smtp: number; mailUi: number; codec: number };

beforeAll(async () => {
  ports = { temporal: await freePort(), ui: await freePort(), smtp: await freePort(), mailUi: await freePort(), codec: await freePort() };
  env = {
    KSCP_DATA_DIR: data,
    KSCP_TEMPORAL_PORT: String(ports.temporal),
    KSCP_TEMPORAL_UI_PORT: String(ports.ui),
    KSCP_MAIL_PORT: String(ports.smtp),
    KSCP_MAIL_UI_PORT: String(ports.mailUi),
    KSCP_CODEC_PORT: String(ports.codec),
    KSCP_ENCRYPTION_KEYS: '',
    TEMPORAL_ADDRESS: '',
    SMTP_HOST: '',
  };
});

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

it('starts everything, catches the reminder email, stops cleanly on Ctrl-C, and carries on after a restart', async () => {
  const first = startNode('dist/workers/start.js', env);
  try {
    await first.waitForOutput(/Press Ctrl-C to stop/, 90_000);
    const banner = first.output();
    expect(banner).toContain(`Temporal Web UI (cases):   http://127.0.0.1:${ports.ui}/namespaces/kscp/workflows`);
    expect(banner).toContain(`Mail catcher (reminders):  http://127.0.0.1:${ports.mailUi}/index.html`);
    expect(banner).toContain(`Created the encryption key file ${path.join(data, 'keys.json')}`);
    expect(banner).toContain(`Codec server (decrypts case details for the Web UI): http://127.0.0.1:${ports.codec}`);
    expect((await fetch(`http://127.0.0.1:${ports.ui}/namespaces/kscp/workflows`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${ports.mailUi}/index.html`)).status).toBe(200);

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
  } finally {
    expect(await first.stop('SIGINT')).toBe(0);
  }
  expect(first.output()).toContain('Stopped. Cases are kept');
  for (const port of Object.values(ports)) expect(await listening(port)).toBe(false);

  const second = startNode('dist/workers/start.js', env);
  try {
    await second.waitForOutput(/Press Ctrl-C to stop/, 90_000);
    expect(second.output()).not.toContain('Created the encryption key file');
    const run = await kscp(['status', ref, '--json'], env);
    expect(run.code).toBe(0);
    const s = JSON.parse(run.stdout) as StatusJson;
    expect(s.stage).toBe('LA_DECISION');
    expect(s.reminders).toHaveLength(1);
  } finally {
    expect(await second.stop('SIGINT')).toBe(0);
  }
}, 240_000);
