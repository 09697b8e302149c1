/**
 * Mail transport security against real SMTP servers (smtp-server) over real sockets: a server off
 * this machine that offers no STARTTLS never receives the password (nor any mail), the send fails
 * with a clear error; a server whose certificate is not trusted is refused the same way; only a
 * mail catcher on loopback is spoken to without TLS. Every byte the client sends passes through a
 * recording relay, so "never sent" is checked on the wire.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { createSmtpMailer, isLoopbackHost, smtpTransportOptions, type OutgoingEmail } from '../../activities/mailer';
import { loadSettings } from '../../src/config';
import { addDays } from '../../src/process/dates';
import { londonDate } from '../../src/london';
import { fictionalForm, nextRef } from '../helpers/fixtures';
import { kscp } from '../helpers/processes';
import { startStack } from '../helpers/stack';

const USER = 'kscp-reminders';
const PASS = 'fictional-smtp-password-5b1c';
const tmp = mkdtempSync(path.join(os.tmpdir(), 'kscp-smtp-tls-'));

/** An address of this machine that is not loopback, as a mail server elsewhere would be reached. */
function offLoopbackAddress(): string {
  for (const list of Object.values(os.networkInterfaces())) {
    const found = list?.find((a) => a.family === 'IPv4' && !a.internal);
    if (found) return found.address;
  }
  // No network interface: 0.0.0.0 still reaches this machine on Linux, and is not a loopback address.
  return '0.0.0.0';
}
const HOST = offLoopbackAddress();

interface Watched {
  port: number;
  /** Everything the client sent, as the relay saw it. */
  wire: () => string;
  authAttempts: string[];
  mailFrom: string[];
  close(): Promise<void>;
}

/** An SMTP server on loopback, reached through a relay on HOST that records the client's bytes. */
async function watchedServer(options: SMTPServerOptions): Promise<Watched> {
  const authAttempts: string[] = [];
  const mailFrom: string[] = [];
  const smtp = new SMTPServer({
    logger: false,
    // It would take a password in clear if one came: the test shows none comes.
    allowInsecureAuth: true,
    ...options,
    onAuth(auth, _session, callback) {
      authAttempts.push(`${auth.method} ${auth.username}`);
      callback(null, { user: auth.username });
    },
    onMailFrom(address, _session, callback) {
      mailFrom.push(address.address);
      callback();
    },
    onData(stream, _session, callback) {
      stream.resume();
      stream.on('end', () => callback());
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const smtpPort = (smtp.server.address() as AddressInfo).port;
  const chunks: Buffer[] = [];
  const relay = net.createServer((client) => {
    const upstream = net.connect(smtpPort, '127.0.0.1');
    client.on('data', (d: Buffer) => {
      chunks.push(d);
      upstream.write(d);
    });
    upstream.pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => relay.listen(0, HOST, resolve));
  return {
    port: (relay.address() as AddressInfo).port,
    wire: () => Buffer.concat(chunks).toString('latin1'),
    authAttempts,
    mailFrom,
    close: async () => {
      await new Promise<void>((resolve) => relay.close(() => resolve()));
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    },
  };
}

const email: OutgoingEmail = {
  from: 'kscp.business.unit@kscp.example.org',
  to: ['la.serious.incidents@council.example.org'],
  subject: '[KSCP-2031-001] Notice: fictional',
  text: 'Fictional reminder.',
  messageId: '<fictional.1@kscp.reminders>',
  headers: {},
};

function settingsFor(host: string, port: number, extra: Record<string, string> = {}) {
  return loadSettings({ SMTP_HOST: host, SMTP_PORT: String(port), SMTP_USER: USER, SMTP_PASS: PASS, ...extra }).smtp;
}

const credentialTraces = [PASS, Buffer.from(`\0${USER}\0${PASS}`).toString('base64'), Buffer.from(PASS).toString('base64')];

it('never sends the password, nor any mail, to a server off this machine that offers no STARTTLS: the send fails saying why', async () => {
  const server = await watchedServer({ disabledCommands: ['STARTTLS'] });
  const mailer = createSmtpMailer(settingsFor(HOST, server.port));
  try {
    const outcome = await mailer.send(email).then(
      () => 'sent',
      (err: Error) => err.message,
    );
    // What the server saw first: no login, no mail.
    expect({ authAttempts: server.authAttempts, mailFrom: server.mailFrom }).toEqual({ authAttempts: [], mailFrom: [] });
    expect(outcome).toBe(
      `the mail server ${HOST}:${server.port} does not offer STARTTLS, so nothing was sent (no password, no mail): use a server with TLS (STARTTLS, or port 465 with SMTP_SECURE=true)`,
    );
    const wire = server.wire();
    expect(wire).toMatch(/^EHLO /);
    expect(wire).toContain('STARTTLS');
    expect(wire).not.toMatch(/AUTH|MAIL FROM/i);
    for (const trace of credentialTraces) expect(wire).not.toContain(trace);
  } finally {
    mailer.close();
    await server.close();
  }
});

it('checks the certificate: a server whose certificate this machine does not trust gets no password either', async () => {
  const key = path.join(tmp, 'key.pem');
  const cert = path.join(tmp, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', `/CN=${HOST}`, '-addext', `subjectAltName=IP:${HOST}`], { stdio: 'ignore' });
  const server = await watchedServer({ key: readFileSync(key), cert: readFileSync(cert) });
  const mailer = createSmtpMailer(settingsFor(HOST, server.port));
  try {
    await expect(mailer.send(email)).rejects.toThrow(new RegExp(`^TLS with the mail server ${HOST.replace(/\./g, '\\.')}:${server.port} failed \\(.*self[- ]signed certificate.*\\), so nothing was sent`));
    expect(server.authAttempts).toEqual([]);
    expect(server.mailFrom).toEqual([]);
  } finally {
    mailer.close();
    await server.close();
  }
});

it('speaks to a mail catcher on loopback without TLS (npm start\'s maildev)', async () => {
  const server = await watchedServer({ disabledCommands: ['STARTTLS'], authOptional: true });
  // The relay listens off loopback; reach the same server through a loopback relay instead.
  const loopback = net.createServer((c) => {
    const up = net.connect(server.port, HOST);
    c.pipe(up).pipe(c);
    c.on('error', () => up.destroy());
    up.on('error', () => c.destroy());
  });
  await new Promise<void>((resolve) => loopback.listen(0, '127.0.0.1', resolve));
  const mailer = createSmtpMailer(loadSettings({ SMTP_HOST: '127.0.0.1', SMTP_PORT: String((loopback.address() as AddressInfo).port) }).smtp);
  try {
    await mailer.send(email);
    expect(server.mailFrom).toEqual([email.from]);
  } finally {
    mailer.close();
    await new Promise<void>((resolve) => loopback.close(() => resolve()));
    await server.close();
  }
});

it('the worker, given such a server, sends nothing and logs why (name, message, cause), and the case carries on', async () => {
  const server = await watchedServer({ disabledCommands: ['STARTTLS'] });
  const dir = mkdtempSync(path.join(tmp, 'worker-'));
  const stack = await startStack({ namespace: 'kscp-smtp-tls', dataDir: dir, env: { SMTP_HOST: HOST, SMTP_PORT: String(server.port), SMTP_USER: USER, SMTP_PASS: PASS } });
  try {
    expect(stack.worker.output()).toContain(`mail via ${HOST}:${server.port} (STARTTLS required)`);
    const today = londonDate(new Date());
    const ref = nextRef(2026);
    const form = fictionalForm({ ref, incidentDate: addDays(today, -1), knownAt: new Date(Date.now() - 3_600_000).toISOString(), laAwareOn: today });
    writeFileSync(path.join(dir, 'form.json'), JSON.stringify(form));
    expect(await kscp(['notify', '--file', path.join(dir, 'form.json')], stack.env)).toMatchObject({ code: 0 });
    // The level-1 notice is attempted at once: the log says why it went nowhere.
    await stack.worker.waitForOutput(new RegExp(`does not offer STARTTLS, so nothing was sent \\(no password, no mail\\).*caused by Error: Error upgrading connection with STARTTLS`), 30_000);
    expect(stack.worker.output()).not.toMatch(/error=\{\}/);
    expect(stack.worker.output()).not.toContain(PASS);
    expect({ authAttempts: server.authAttempts, mailFrom: server.mailFrom }).toEqual({ authAttempts: [], mailFrom: [] });
    expect((await kscp(['status', ref], stack.env)).code).toBe(0);
  } finally {
    await stack.stop();
    await server.close();
  }
});

describe('the rules', () => {
  it('requires TLS for every server except one on loopback, and never turns certificate checks off', () => {
    for (const host of ['smtp.example.org', '192.0.2.10', '10.0.0.1', '0.0.0.0', 'localhost.example.org', '::2', '[2001:db8::1]']) {
      expect([host, smtpTransportOptions(settingsFor(host, 587)).requireTLS]).toEqual([host, true]);
    }
    for (const host of ['127.0.0.1', '127.8.9.10', 'localhost', 'LOCALHOST', '::1', '[::1]', '::ffff:127.0.0.1', '0:0:0:0:0:0:0:1']) {
      expect([host, isLoopbackHost(host)]).toEqual([host, true]);
    }
    const options = smtpTransportOptions(settingsFor('smtp.example.org', 587));
    expect(JSON.stringify(options)).not.toContain('rejectUnauthorized');
    expect(options.tls.minVersion).toBe('TLSv1.2');
  });

  it('SMTP_SECURE: TLS from the first byte, by default on port 465 only; then STARTTLS is not asked for', () => {
    expect(settingsFor('smtp.example.org', 465).secure).toBe(true);
    expect(settingsFor('smtp.example.org', 587).secure).toBe(false);
    expect(settingsFor('smtp.example.org', 2525, { SMTP_SECURE: 'true' }).secure).toBe(true);
    expect(smtpTransportOptions(settingsFor('smtp.example.org', 465))).toMatchObject({ secure: true, requireTLS: false });
    expect(loadSettings({}).smtp).toMatchObject({ host: '127.0.0.1', secure: false });
  });
});
