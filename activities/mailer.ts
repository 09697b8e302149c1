/** Sending email through SMTP with nodemailer. */
import nodemailer from 'nodemailer';
import type { SmtpSettings } from '../src/config';

export interface OutgoingEmail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  /** The HTML alternative of `text`. */
  html?: string;
  /** Files attached (the deadline's calendar event). */
  attachments?: Array<{ filename: string; content: string; contentType: string }>;
  messageId: string;
  headers: Record<string, string>;
}

export interface Mailer {
  send(email: OutgoingEmail): Promise<void>;
  close(): void;
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
      await transport.sendMail({ ...email });
    },
    close: () => transport.close(),
  };
}
