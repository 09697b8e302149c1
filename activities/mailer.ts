/** Sending email through SMTP with nodemailer. */
import nodemailer from 'nodemailer';
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

export function createSmtpMailer(smtp: SmtpSettings): Mailer {
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    auth: smtp.auth,
    connectionTimeout: 15_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  return {
    async send(email) {
      return receiptOf((await transport.sendMail({ ...email })) as NodemailerInfo);
    },
    close: () => transport.close(),
  };
}
