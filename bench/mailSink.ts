/** A real SMTP server for the benchmarks that records the instant each email finished arriving. */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedEmail {
  /** Epoch ms when the message's data finished arriving (before parsing). */
  at: number;
  subject: string;
  /** Header fields by lower-case name (the last of repeated ones), unfolded, undecoded. */
  headers: Map<string, string>;
}

/** The header block of a raw message (light: 10,000 emails must not cost the bench its CPU). */
export function headersOf(raw: string): Map<string, string> {
  const end = raw.search(/\r?\n\r?\n/);
  const block = (end < 0 ? raw : raw.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
  const headers = new Map<string, string>();
  for (const line of block.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
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
        const headers = headersOf(Buffer.concat(chunks).toString('latin1'));
        received.push({ at, subject: headers.get('subject') ?? '', headers });
        callback();
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
