/** A real SMTP server for the benchmarks that records the instant each email finished arriving. */
import { simpleParser } from 'mailparser';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedEmail {
  /** Epoch ms when the message's data finished arriving (before parsing). */
  at: number;
  subject: string;
  headers: Map<string, unknown>;
}

export interface MailSink {
  port: number;
  received: ReceivedEmail[];
  /** Wait (polling) until `predicate` holds for the list of received emails. */
  waitUntil(predicate: (received: ReceivedEmail[]) => boolean, ms: number, what: string): Promise<void>;
  close(): Promise<void>;
}

export async function startMailSink(): Promise<MailSink> {
  const received: ReceivedEmail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    size: 1_000_000,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const at = Date.now();
        simpleParser(Buffer.concat(chunks), { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true })
          .then((mail) => {
            received.push({ at, subject: mail.subject ?? '', headers: mail.headers });
            callback();
          })
          .catch(callback);
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    received,
    async waitUntil(predicate, ms, what) {
      const until = Date.now() + ms;
      while (!predicate(received)) {
        if (Date.now() > until) throw new Error(`${what}: not within ${ms / 1000}s (${received.length} emails received)`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
