/** The email ledger in memory: for unit tests and activities built without a database. Same rules as the real ones. */
import { newClaimToken, type Claim, type EmailLedger, type SentRecord } from './contract';

interface Row {
  messageId: string;
  state: 'claimed' | 'released' | 'sent';
  owner: string;
  leaseUntil: number;
  claims: number;
  sent?: SentRecord;
}

export function memoryLedger(): EmailLedger & { rows: Map<string, Row> } {
  const rows = new Map<string, Row>();
  return {
    where: 'memory',
    rows,
    async claim(identity, messageId, leaseMs): Promise<Claim> {
      const now = Date.now();
      const row = rows.get(identity);
      if (row?.state === 'sent') return { outcome: 'sent', sent: structuredClone(row.sent!) };
      if (row?.state === 'claimed' && row.leaseUntil >= now) return { outcome: 'busy', leaseUntil: new Date(row.leaseUntil).toISOString() };
      const token = newClaimToken();
      const claims = (row?.claims ?? 0) + 1;
      rows.set(identity, { messageId, state: 'claimed', owner: token, leaseUntil: now + leaseMs, claims });
      return { outcome: 'claimed', token, takenOver: row?.state === 'claimed', claims };
    },
    async renew(identity, token, leaseMs) {
      const row = rows.get(identity);
      if (row?.state !== 'claimed' || row.owner !== token) return false;
      row.leaseUntil = Date.now() + leaseMs;
      return true;
    },
    async markSent(identity, token, record) {
      const row = rows.get(identity);
      if (row?.state === 'sent') return structuredClone(row.sent!);
      rows.set(identity, { messageId: record.messageId, state: 'sent', owner: token, leaseUntil: 0, claims: row?.claims ?? 1, sent: structuredClone(record) });
      return record;
    },
    async release(identity, token) {
      const row = rows.get(identity);
      if (row?.state === 'claimed' && row.owner === token) row.state = 'released';
    },
    async close() {},
  };
}
