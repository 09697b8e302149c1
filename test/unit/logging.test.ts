/** The worker's log lines: an Error in a field says what failed and why, never its details or stack, and no line can be forged. */
import { ApplicationFailure } from '@temporalio/common';
import type { LogEntry } from '@temporalio/worker';
import { describeError, formatEntry } from '../../workers/logging';

const entry = (message: string, meta: Record<string, unknown>): LogEntry => ({ level: 'WARN', message, meta, timestampNanos: BigInt(Date.parse('2026-12-04T09:00:00Z')) * 1_000_000n });

it('writes an Error field as name, message, code and causes, where JSON gave error={}', () => {
  const smtp = Object.assign(new Error('Error upgrading connection with STARTTLS'), { code: 'ETLS', command: 'STARTTLS' });
  const err = Object.assign(new Error('the mail server smtp.example.org:587 does not offer STARTTLS, so nothing was sent', { cause: smtp }), { code: 'ETLS' });
  expect(JSON.stringify({ error: err })).toBe('{"error":{"code":"ETLS"}}');
  expect(formatEntry(entry('Activity failed', { error: err, durationMs: 12 }))).toBe(
    '2026-12-04 09:00:00 WARN  Activity failed  error=Error: the mail server smtp.example.org:587 does not offer STARTTLS, so nothing was sent [code ETLS] ' +
      '<- caused by Error: Error upgrading connection with STARTTLS [code ETLS] durationMs=12',
  );
});

it("names a Temporal failure's type, and leaves out its details and stack (they can carry case data)", () => {
  const failure = ApplicationFailure.create({ type: 'NoSuchRole', message: 'no address for role la-lead', nonRetryable: true, details: ['fictional-child-name-secret'] });
  const line = formatEntry(entry('Activity failed', { error: failure }));
  expect(line).toContain('error=ApplicationFailure: no address for role la-lead [type NoSuchRole, not retryable]');
  expect(line).not.toContain('fictional-child-name-secret');
  expect(line).not.toContain('at ');
  expect(describeError(new TypeError('x'))).toBe('TypeError: x');
  class KeyError extends Error {}
  expect(describeError(new KeyError('bad key'))).toBe('KeyError: bad key');
  expect(describeError('a string')).toBe('a string');
});

it('keeps an entry on one line, whatever its message or fields hold', () => {
  const line = formatEntry(entry('reminder\nsent', { ref: 'KSCP-2026-001\r\n2026-12-04 09:00:00 INFO  forged', nested: { error: new Error('inner\u001b[2J') } }));
  expect(line.split('\n')).toHaveLength(1);
  expect(line).toBe('2026-12-04 09:00:00 WARN  reminder\\nsent  ref=KSCP-2026-001\\r\\n2026-12-04 09:00:00 INFO  forged nested={"error":"Error: inner\\u001b[2J"}');
});
