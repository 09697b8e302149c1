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
  /** Answer RCPT TO for this address with an error reply (e.g. 550, 450); `undefined` accepts it again. */
  refuseRecipient(address: string, reply?: SmtpReply): void;
  /** Answer MAIL FROM with an error reply; `undefined` accepts again. */
  refuseSender(reply?: SmtpReply): void;
  /** Answer every new connection's greeting with an error reply (e.g. 421) and close it; `undefined` greets again. */
  refuseConnections(reply?: SmtpReply): void;
  close(): Promise<void>;
}

export interface SmtpReply {
  code: number;
  message: string;
}

const replyError = (reply: SmtpReply): Error => Object.assign(new Error(reply.message), { responseCode: reply.code });

export async function startMailbox(port = 0): Promise<Mailbox> {
  const messages: ParsedMail[] = [];
  const envelopes: string[][] = [];
  let stalled: { onConnect: () => void; held: Array<() => void> } | undefined;
  const refusedRecipients = new Map<string, SmtpReply>();
  let refusedSender: SmtpReply | undefined;
  let refusedConnections: SmtpReply | undefined;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onConnect(_session, callback) {
      if (refusedConnections) return callback(replyError(refusedConnections));
      if (!stalled) return callback();
      stalled.held.push(() => callback());
      stalled.onConnect();
    },
    onMailFrom(_address, _session, callback) {
      callback(refusedSender && replyError(refusedSender));
    },
    onRcptTo(address, _session, callback) {
      const refused = refusedRecipients.get(address.address.toLowerCase());
      callback(refused && replyError(refused));
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
    refuseRecipient(address, reply) {
      if (reply) refusedRecipients.set(address.toLowerCase(), reply);
      else refusedRecipients.delete(address.toLowerCase());
    },
    refuseSender(reply) {
      refusedSender = reply;
    },
    refuseConnections(reply) {
      refusedConnections = reply;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
