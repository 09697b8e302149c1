/** A real SMTP server for integration tests: receives mail over the wire and parses it with mailparser. */
import { simpleParser, type ParsedMail } from 'mailparser';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface Mailbox {
  port: number;
  messages: ParsedMail[];
  /** Envelope recipients of each message, in arrival order. */
  envelopes: string[][];
  waitFor(predicate: (m: ParsedMail) => boolean, ms?: number): Promise<ParsedMail>;
  /**
   * Hold the next connections at the greeting (nothing can be delivered) until `release()`;
   * `connected` resolves when the first one arrives.
   */
  stall(): { connected: Promise<void>; release(): void };
  close(): Promise<void>;
}

export async function startMailbox(port = 0): Promise<Mailbox> {
  const messages: ParsedMail[] = [];
  const envelopes: string[][] = [];
  let stalled: { onConnect: () => void; held: Array<() => void> } | undefined;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onConnect(_session, callback) {
      if (!stalled) return callback();
      stalled.held.push(() => callback());
      stalled.onConnect();
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          messages.push(mail);
          envelopes.push(session.envelope.rcptTo.map((r) => r.address));
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: bound } = server.server.address() as AddressInfo;
  return {
    port: bound,
    messages,
    envelopes,
    async waitFor(predicate, ms = 30_000) {
      const until = Date.now() + ms;
      for (;;) {
        const found = messages.find(predicate);
        if (found) return found;
        if (Date.now() > until) throw new Error(`no matching email within ${ms / 1000}s; received: ${messages.map((m) => m.subject).join(' | ') || 'none'}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    stall() {
      let onConnect = (): void => undefined;
      const connected = new Promise<void>((resolve) => (onConnect = resolve));
      const s = { onConnect: () => onConnect(), held: [] as Array<() => void> };
      stalled = s;
      return {
        connected,
        release() {
          stalled = undefined;
          for (const go of s.held) go();
        },
      };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
