/**
 * Encryption of everything the product sends to Temporal (DESIGN.md, "Case details are encrypted
 * before they reach Temporal"): a payload codec with AES-256-GCM, used by every client and worker.
 *
 * Each payload is serialised whole (metadata and data) and encrypted with the current key; the
 * key's id travels in the new payload's metadata, so payloads written under an older key still
 * decrypt after a rotation as long as that key is listed. Search attributes are not payloads and
 * are not encrypted: they hold no personal data.
 */
import { defaultPayloadConverter, type DataConverter, type Payload, type PayloadCodec } from '@temporalio/common';
import { decode as utf8Decode, encode as utf8Encode } from '@temporalio/common/lib/encoding';
import { temporal } from '@temporalio/proto';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { refusedPayload } from './process/payloads';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface KeyRing {
  /** The key new payloads are encrypted with. */
  current: string;
  /** Every key that can decrypt, by id (32 bytes each). */
  keys: Record<string, Buffer>;
}

export class KeyError extends Error {
  override name = 'KeyError';
}

/**
 * How the codec treats a payload it cannot decrypt:
 * - `client` (kscp, the codec server, the archive): an unencrypted payload passes through as it is
 *   (for display); one that will not decrypt is an error.
 * - `worker`: the workflow must never act on what it cannot trust, nor fail its task on it
 *   (DESIGN.md §7): an unencrypted payload, one under a key the worker does not hold, or one that
 *   does not decrypt becomes a marker (src/process/payloads.ts) that the case records as refused.
 */
export type CodecMode = 'client' | 'worker';

/** Why a payload is refused, in words that name no key material and no payload content. */
function refusal(reason: string): Payload {
  return defaultPayloadConverter.toPayload(refusedPayload(reason));
}

const safeId = (id: string): string => (/^[A-Za-z0-9_.-]{1,40}$/.test(id) ? id : '(unreadable id)');

export class EncryptionCodec implements PayloadCodec {
  constructor(
    private readonly ring: KeyRing,
    private readonly mode: CodecMode = 'client',
  ) {
    if (!ring.keys[ring.current]) throw new KeyError(`the current key "${ring.current}" is not among the keys`);
    for (const [id, key] of Object.entries(ring.keys)) if (key.length !== 32) throw new KeyError(`key "${id}" is ${key.length} bytes; AES-256 needs 32`);
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const id = this.ring.current;
    const key = this.ring.keys[id]!;
    return payloads.map((payload) => {
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(id));
      const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return { metadata: { encoding: utf8Encode(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8Encode(id) }, data: sealed };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.decodeOne(payload));
  }

  private decodeOne(payload: Payload): Payload {
    const encoding = payload.metadata?.encoding;
    if (!encoding || utf8Decode(encoding) !== ENCRYPTED_ENCODING) {
      return this.mode === 'worker' ? refusal('it was not encrypted, so it did not come from kscp or another client holding the keys') : payload;
    }
    const idBytes = payload.metadata?.[KEY_ID_METADATA];
    const id = idBytes ? utf8Decode(idBytes) : '';
    const key = Object.prototype.hasOwnProperty.call(this.ring.keys, id) ? this.ring.keys[id] : undefined;
    if (!key) {
      if (this.mode === 'worker') return refusal(`it was encrypted with a key this worker does not hold (${safeId(id)})`);
      throw new KeyError(`cannot decrypt a payload encrypted with key "${safeId(id)}": it is not among the keys (${Object.keys(this.ring.keys).join(', ')})`);
    }
    try {
      const sealed = Buffer.from(payload.data ?? new Uint8Array());
      if (sealed.length < IV_BYTES + TAG_BYTES) throw new KeyError('too short to be ciphertext');
      const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(id));
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
      return temporal.api.common.v1.Payload.decode(plain);
    } catch (err) {
      if (this.mode === 'worker') return refusal('it is marked encrypted but does not decrypt (not ciphertext, tampered with, or cut short)');
      throw new KeyError(`a payload marked encrypted with key "${safeId(id)}" does not decrypt: ${(err as Error).message}`);
    }
  }
}

// Keys --------------------------------------------------------------------------------------

/** Key ids travel in every payload's metadata and authenticate it: short and plain. */
const KEY_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const KEY_FILE_SHAPE = '{"current": "<id>", "keys": {"<id>": "<base64 of 32 bytes>"}}';
/** Set to true to load a key file that others can read (docs/security.md, "Keys"). */
export const ALLOW_READABLE_KEY_FILE = 'KSCP_ALLOW_READABLE_KEY_FILE';

interface KeyFile {
  current: string;
  keys: Record<string, string>;
}

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** One key, checked: a plain id and the base64 of exactly 32 bytes. `where` names the file or variable. */
function keyBytes(where: string, id: string, b64: unknown): Buffer {
  if (!KEY_ID.test(id)) throw new KeyError(`${where}: key id ${JSON.stringify(id)} is not allowed: use letters, digits, ".", "_" and "-" (up to 64, starting with a letter or digit)`);
  if (typeof b64 !== 'string') throw new KeyError(`${where}: key "${id}" must be a base64 string, not ${kind(b64)}`);
  if (!BASE64.test(b64.trim())) throw new KeyError(`${where}: key "${id}" is not valid base64`);
  const bytes = Buffer.from(b64.trim(), 'base64');
  if (bytes.length !== 32) throw new KeyError(`${where}: key "${id}" is ${bytes.length} bytes; AES-256 needs 32 (base64 of 32 random bytes, 44 characters)`);
  return bytes;
}

function parseKeyFile(file: string): KeyRing {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new KeyError(`key file ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new KeyError(`key file ${file}: not valid JSON (${(err as Error).message}); it must be ${KEY_FILE_SHAPE}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new KeyError(`key file ${file}: must be ${KEY_FILE_SHAPE}, not ${kind(raw)}`);
  const { current, keys, ...extra } = raw as Record<string, unknown>;
  const unknown = Object.keys(extra);
  if (unknown.length) throw new KeyError(`key file ${file}: unknown field ${unknown.map((k) => JSON.stringify(k)).join(', ')}; it must be ${KEY_FILE_SHAPE}`);
  if (keys === undefined) throw new KeyError(`key file ${file}: "keys" is missing; it must be ${KEY_FILE_SHAPE}`);
  if (typeof keys !== 'object' || keys === null || Array.isArray(keys)) throw new KeyError(`key file ${file}: "keys" must be an object of key id to base64 key, not ${kind(keys)}`);
  const ids = Object.keys(keys);
  if (ids.length === 0) throw new KeyError(`key file ${file}: "keys" is empty; it needs at least the current key`);
  if (current === undefined) throw new KeyError(`key file ${file}: "current" is missing: it names the key new data is encrypted with (one of ${ids.join(', ')})`);
  if (typeof current !== 'string') throw new KeyError(`key file ${file}: "current" must be a key id (a string), not ${kind(current)}`);
  if (!ids.includes(current)) throw new KeyError(`key file ${file}: "current" is "${current}", but "keys" has no such key (it has ${ids.join(', ')})`);
  const where = `key file ${file}`;
  return { current, keys: Object.fromEntries(Object.entries(keys as Record<string, unknown>).map(([id, b64]) => [id, keyBytes(where, id, b64)])) };
}

/** `KSCP_ENCRYPTION_KEYS=id1=base64,id2=base64`: the first is current. */
function parseKeyList(list: string): KeyRing {
  const where = 'KSCP_ENCRYPTION_KEYS';
  const entries = list
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)
    .map((e) => {
      const at = e.indexOf('=');
      if (at <= 0) throw new KeyError(`${where}: each key is <id>=<base64 of 32 bytes>, separated by commas; the first is current`);
      const id = e.slice(0, at);
      return [id, keyBytes(where, id, e.slice(at + 1))] as const;
    });
  if (entries.length === 0) throw new KeyError(`${where} is empty`);
  const seen = new Set<string>();
  for (const [id] of entries) {
    // A second key under the same id would silently shadow the first: data written with it could not be read.
    if (seen.has(id)) throw new KeyError(`${where}: key id "${id}" is given twice; each key needs its own id`);
    seen.add(id);
  }
  return { current: entries[0]![0], keys: Object.fromEntries(entries) };
}

export function newKey(): string {
  return randomBytes(32).toString('base64');
}

function writeKeyFile(file: string, content: KeyFile): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const staging = `${file}.${process.pid}.tmp`;
  writeFileSync(staging, JSON.stringify(content, null, 2) + '\n', { mode: 0o600 });
  chmodSync(staging, 0o600);
  renameSync(staging, file);
}

const restoreHint = (file: string): string =>
  `restore ${file} from your backup (docs/security.md, "Backup and restore"), or set KSCP_ENCRYPTION_KEYS to the keys the cases were written with`;

/**
 * Make a key file with one fresh key, unless there is one (`npm start` does this on a fresh machine).
 * `recordedCases` lists where cases are already recorded (src/keyGuard.ts): then a new key could
 * read none of them, so no key is made and the error says how to get the real one back.
 */
export function ensureKeyFile(file: string, recordedCases: string[] = []): boolean {
  if (existsSync(file)) return false;
  if (recordedCases.length) {
    throw new KeyError(`the key file ${file} is missing, but cases are already recorded (${recordedCases.join('; ')}): a new key could not read them, so none was made. To read them, ${restoreHint(file)}.`);
  }
  const id = `k${new Date().toISOString().slice(0, 10).replace(/-/g, '')}`;
  writeKeyFile(file, { current: id, keys: { [id]: newKey() } });
  return true;
}

/** Add a fresh key and make it current; earlier keys stay, to decrypt what they encrypted. Returns its id. */
export function rotateKeyFile(file: string, now = new Date(), env: NodeJS.ProcessEnv = process.env): string {
  const ring = loadKeyFile(file, env);
  const base = `k${now.toISOString().slice(0, 10).replace(/-/g, '')}`;
  let id = base;
  for (let n = 2; ring.keys[id]; n++) id = `${base}-${n}`;
  writeKeyFile(file, {
    current: id,
    keys: { ...Object.fromEntries(Object.entries(ring.keys).map(([k, v]) => [k, v.toString('base64')])), [id]: newKey() },
  });
  return id;
}

/**
 * The key file, refused when its group or others may read it (as ssh refuses such a private key):
 * whoever reads it reads every case. KSCP_ALLOW_READABLE_KEY_FILE=true loads it anyway, for a
 * mount whose modes mean nothing (docs/security.md).
 */
function loadKeyFile(file: string, env: NodeJS.ProcessEnv): KeyRing {
  if (!existsSync(file)) {
    throw new KeyError(`no encryption keys: ${file} does not exist. If this installation has recorded cases, ${restoreHint(file)}; on a new installation \`npm start\` creates it (or set KSCP_KEY_FILE)`);
  }
  const mode = statSync(file).mode & 0o777;
  if (mode & 0o077 && !/^(1|true|yes|on)$/i.test(env[ALLOW_READABLE_KEY_FILE] ?? '')) {
    throw new KeyError(
      `key file ${file}: its mode ${mode.toString(8).padStart(4, '0')} lets ${mode & 0o007 ? 'every user of this machine' : 'its group'} ${mode & 0o044 ? 'read' : 'change'} it, ` +
        `and whoever reads it can read every case: run \`chmod 600 ${file}\` (or set ${ALLOW_READABLE_KEY_FILE}=true where file modes are managed otherwise)`,
    );
  }
  return parseKeyFile(file);
}

/** The keys, from KSCP_ENCRYPTION_KEYS or else the key file. */
export function loadKeys(keyFile: string, env: NodeJS.ProcessEnv = process.env): KeyRing {
  if (env.KSCP_ENCRYPTION_KEYS) return parseKeyList(env.KSCP_ENCRYPTION_KEYS);
  return loadKeyFile(keyFile, env);
}

/**
 * The data converter of every client and worker: payloads encrypted; failure messages and stack
 * traces moved into an encoded payload (workflows/failureConverter.ts), so they are encrypted too.
 * The worker's also never throws on a payload it cannot read: the case gets a marker and records
 * the refusal (workflows/payloadConverter.ts, DESIGN.md §7).
 */
export function dataConverter(ring: KeyRing, mode: CodecMode = 'client'): DataConverter {
  return {
    payloadCodecs: [new EncryptionCodec(ring, mode)],
    failureConverterPath: require.resolve('../workflows/failureConverter'),
    ...(mode === 'worker' && { payloadConverterPath: require.resolve('../workflows/payloadConverter') }),
  };
}
