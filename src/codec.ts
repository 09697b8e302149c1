/**
 * Encryption of everything the product sends to Temporal (DESIGN.md, "Case details are encrypted
 * before they reach Temporal"): a payload codec with AES-256-GCM, used by every client and worker.
 *
 * Each payload is serialised whole (metadata and data) and encrypted with the current key; the
 * key's id travels in the new payload's metadata, so payloads written under an older key still
 * decrypt after a rotation as long as that key is listed. Search attributes are not payloads and
 * are not encrypted: they hold no personal data.
 */
import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';
import { decode as utf8Decode, encode as utf8Encode } from '@temporalio/common/lib/encoding';
import { temporal } from '@temporalio/proto';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

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

export class KeyError extends Error {}

export class EncryptionCodec implements PayloadCodec {
  constructor(private readonly ring: KeyRing) {
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
    return payloads.map((payload) => {
      const encoding = payload.metadata?.encoding;
      if (!encoding || utf8Decode(encoding) !== ENCRYPTED_ENCODING) return payload;
      const idBytes = payload.metadata?.[KEY_ID_METADATA];
      const id = idBytes ? utf8Decode(idBytes) : '';
      const key = this.ring.keys[id];
      if (!key) throw new KeyError(`cannot decrypt a payload encrypted with key "${id}": it is not among the keys (${Object.keys(this.ring.keys).join(', ')})`);
      const sealed = Buffer.from(payload.data ?? new Uint8Array());
      const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(id));
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
      return temporal.api.common.v1.Payload.decode(plain);
    });
  }
}

// Keys --------------------------------------------------------------------------------------

interface KeyFile {
  current: string;
  keys: Record<string, string>;
}

function parseKeyFile(file: string): KeyRing {
  let raw: KeyFile;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8')) as KeyFile;
  } catch (err) {
    throw new KeyError(`key file ${file}: ${(err as Error).message}`);
  }
  if (typeof raw?.current !== 'string' || typeof raw.keys !== 'object') throw new KeyError(`key file ${file}: must be {"current": "<id>", "keys": {"<id>": "<base64 of 32 bytes>"}}`);
  return { current: raw.current, keys: Object.fromEntries(Object.entries(raw.keys).map(([id, b64]) => [id, Buffer.from(b64, 'base64')])) };
}

/** `KSCP_ENCRYPTION_KEYS=id1=base64,id2=base64`: the first is current. */
function parseKeyList(list: string): KeyRing {
  const entries = list.split(',').map((e) => e.trim()).filter(Boolean).map((e) => {
    const at = e.indexOf('=');
    if (at <= 0) throw new KeyError('KSCP_ENCRYPTION_KEYS: each key is <id>=<base64 of 32 bytes>, separated by commas; the first is current');
    return [e.slice(0, at), Buffer.from(e.slice(at + 1), 'base64')] as const;
  });
  if (entries.length === 0) throw new KeyError('KSCP_ENCRYPTION_KEYS is empty');
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

/** Make a key file with one fresh key, unless there is one (`npm start` does this on a fresh machine). */
export function ensureKeyFile(file: string): boolean {
  if (existsSync(file)) return false;
  const id = `k${new Date().toISOString().slice(0, 10).replace(/-/g, '')}`;
  writeKeyFile(file, { current: id, keys: { [id]: newKey() } });
  return true;
}

/** Add a fresh key and make it current; earlier keys stay, to decrypt what they encrypted. Returns its id. */
export function rotateKeyFile(file: string, now = new Date()): string {
  const ring = parseKeyFile(file);
  const base = `k${now.toISOString().slice(0, 10).replace(/-/g, '')}`;
  let id = base;
  for (let n = 2; ring.keys[id]; n++) id = `${base}-${n}`;
  writeKeyFile(file, {
    current: id,
    keys: { ...Object.fromEntries(Object.entries(ring.keys).map(([k, v]) => [k, v.toString('base64')])), [id]: newKey() },
  });
  return id;
}

/** The keys, from KSCP_ENCRYPTION_KEYS or else the key file. */
export function loadKeys(keyFile: string, env: NodeJS.ProcessEnv = process.env): KeyRing {
  if (env.KSCP_ENCRYPTION_KEYS) return parseKeyList(env.KSCP_ENCRYPTION_KEYS);
  if (!existsSync(keyFile))
    throw new KeyError(`no encryption keys: ${keyFile} does not exist (\`npm start\` creates it; or set KSCP_KEY_FILE or KSCP_ENCRYPTION_KEYS)`);
  return parseKeyFile(keyFile);
}

/**
 * The data converter of every client and worker: payloads encrypted; failure messages and stack
 * traces moved into an encoded payload (workflows/failureConverter.ts), so they are encrypted too.
 */
export function dataConverter(ring: KeyRing): DataConverter {
  return { payloadCodecs: [new EncryptionCodec(ring)], failureConverterPath: require.resolve('../workflows/failureConverter') };
}
