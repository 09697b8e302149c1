/**
 * Sending email through SMTP with nodemailer.
 *
 * Reminders name a case and, with SMTP_USER, the connection carries the partnership's mail
 * password: neither may cross a network in clear. So every server off this machine must speak TLS,
 * either from the first byte (SMTP_SECURE=true, port 465) or by STARTTLS (`requireTLS`: a server
 * that does not offer it is refused before AUTH or any mail is sent), and its certificate is
 * checked (nodemailer's default, never switched off here). Only a server on loopback (the mail
 * catcher of `npm start`, or a relay on the same machine) is spoken to without TLS.
 */
import nodemailer from 'nodemailer';
import { isIP } from 'node:net';
import type { SmtpSettings } from '../src/config';

export interface OutgoingEmail {
  from: string;
  to: string[];
  cc?: string[];
  subject: string;
  text: string;
  /** The HTML alternative of `text`. */
  html?: string;
  /** Files attached (the deadline's calendar event). */
  attachments?: Array<{ filename: string; content: string; contentType: string }>;
  messageId: string;
  headers: Record<string, string>;
}

/** What the mail server said when it accepted the email (a refusal of the whole email is thrown). */
export interface MailReceipt {
  /** The addresses it accepted. */
  accepted: string[];
  /** The addresses it refused while accepting the others, with its reply and code. */
  rejected: Array<{ address: string; response: string; responseCode?: number }>;
  /** Its final reply, e.g. `250 OK: message queued`. */
  response: string;
}

export interface Mailer {
  /** Resolves once the mail server accepted the email; throws (nodemailer's error: code, responseCode, response, command) otherwise. */
  send(email: OutgoingEmail): Promise<MailReceipt>;
  close(): void;
}

interface NodemailerInfo {
  accepted?: Array<string | { address: string }>;
  rejected?: Array<string | { address: string }>;
  rejectedErrors?: Array<Error & { recipient?: string; response?: string; responseCode?: number }>;
  response?: string;
}

const address = (a: string | { address: string }): string => (typeof a === 'string' ? a : a.address);

export function receiptOf(info: NodemailerInfo): MailReceipt {
  const errors = info.rejectedErrors ?? [];
  return {
    accepted: (info.accepted ?? []).map(address),
    rejected: (info.rejected ?? []).map(address).map((a) => {
      const e = errors.find((x) => x.recipient === a);
      return { address: a, response: e?.response ?? e?.message ?? 'refused', ...(e?.responseCode !== undefined && { responseCode: e.responseCode }) };
    }),
    response: info.response ?? '',
  };
}


/** True for an address on this machine only: localhost, 127.0.0.0/8, ::1 (written as an address, not a name that could resolve elsewhere). */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost') return true;
  const v4 = h.replace(/^::ffff:/, '');
  if (isIP(v4) === 4) return v4.startsWith('127.');
  return isIP(h) === 6 && /^(0{0,4}:){2,7}0{0,3}1$|^::1$/.test(h);
}

/** nodemailer's settings for `smtp`: TLS required off loopback, certificates checked. */
export function smtpTransportOptions(smtp: SmtpSettings) {
  const loopback = isLoopbackHost(smtp.host);
  return {
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    requireTLS: !smtp.secure && !loopback,
    tls: { minVersion: 'TLSv1.2' as const },
    auth: smtp.auth,
    connectionTimeout: 15_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  };
}

/** How the mail is protected, in words, for the start-up line. */
export function describeSmtpSecurity(smtp: SmtpSettings): string {
  const o = smtpTransportOptions(smtp);
  if (o.secure) return 'TLS';
  return o.requireTLS ? 'STARTTLS required' : 'no TLS (loopback only)';
}

/**
 * nodemailer's words for a TLS failure are terse; say what it means (nothing was sent: no
 * password, no mail) and what to do, keeping its code and the original as the cause.
 */
function explainTlsFailure(err: unknown, smtp: SmtpSettings): unknown {
  const e = err as Error & { code?: string; command?: string };
  // STARTTLS refused or failed (ETLS), or the TLS handshake failed on its certificate (ESOCKET, in Node's words).
  const certificate = e?.code === 'ESOCKET' && /certificate|self[- ]signed|unable to verify|altnames|hostname\/ip/i.test(e.message ?? '');
  if (e?.code !== 'ETLS' && !certificate) return err;
  const where = `the mail server ${smtp.host}:${smtp.port}`;
  const message = /Error upgrading connection with STARTTLS/.test(e.message)
    ? `${where} does not offer STARTTLS, so nothing was sent (no password, no mail): use a server with TLS (STARTTLS, or port 465 with SMTP_SECURE=true)`
    : `TLS with ${where} failed (${e.message}), so nothing was sent: its certificate must be valid for ${smtp.host} and trusted by this machine (NODE_EXTRA_CA_CERTS for a private CA)`;
  return Object.assign(new Error(message, { cause: err }), { code: e.code, command: e.command });
}

export function createSmtpMailer(smtp: SmtpSettings): Mailer {
  const options = smtpTransportOptions(smtp);
  const transport = nodemailer.createTransport(options);
  return {
    async send(email) {
      try {
        return receiptOf((await transport.sendMail({ ...email })) as NodemailerInfo);
      } catch (err) {
        throw explainTlsFailure(err, smtp);
      }
    },
    close: () => transport.close(),
  };
}
