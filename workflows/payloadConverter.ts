/**
 * The worker's payload converter (loaded by path into the workflow sandbox and the worker): the
 * SDK's default, except that a payload it cannot convert (an unknown encoding, JSON that does not
 * parse) becomes a refused-payload marker instead of an error, so no client's input can fail a
 * workflow task (DESIGN.md §7). The marker names the encoding only, never the payload's content.
 */
import { DefaultPayloadConverter, type Payload, type PayloadConverter } from '@temporalio/common';
import { decode } from '@temporalio/common/lib/encoding';
import { refusedPayload } from '../src/process/payloads';

function encodingOf(payload: Payload): string {
  const raw = payload.metadata?.encoding;
  if (!raw) return 'no encoding';
  const text = decode(raw);
  return /^[A-Za-z0-9/._+-]{1,40}$/.test(text) ? `encoding ${text}` : 'an unreadable encoding';
}

class RefusingPayloadConverter implements PayloadConverter {
  private readonly inner = new DefaultPayloadConverter();

  toPayload<T>(value: T): Payload {
    return this.inner.toPayload(value);
  }

  fromPayload<T>(payload: Payload): T {
    try {
      return this.inner.fromPayload<T>(payload);
    } catch {
      return refusedPayload(`it could not be read (a payload with ${encodingOf(payload)} that does not convert)`) as T;
    }
  }
}

export const payloadConverter = new RefusingPayloadConverter();
