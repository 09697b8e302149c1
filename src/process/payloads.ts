/**
 * What a case receives in place of a payload it cannot use (DESIGN.md §7): a marker naming why.
 *
 * The worker's codec (src/codec.ts) and the workflow's payload converter
 * (workflows/payloadConverter.ts) never throw on a client's payload: an undecodable, unencrypted,
 * wrongly keyed or malformed payload becomes this marker, so the workflow task goes on and the
 * case records the refusal instead of failing forever. No Node imports.
 */
export const REFUSED_PAYLOAD_KEY = '__kscpRefusedPayload';

export interface RefusedPayload {
  [REFUSED_PAYLOAD_KEY]: string;
}

export function refusedPayload(reason: string): RefusedPayload {
  return { [REFUSED_PAYLOAD_KEY]: reason };
}

/** The reason, when `value` is the marker of a refused payload. */
export function refusedPayloadReason(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || !Object.prototype.hasOwnProperty.call(value, REFUSED_PAYLOAD_KEY)) return undefined;
  const reason = (value as Record<string, unknown>)[REFUSED_PAYLOAD_KEY];
  return typeof reason === 'string' ? reason : 'a payload the case could not read';
}
