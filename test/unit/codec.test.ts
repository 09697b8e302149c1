import { DefaultPayloadConverter } from '@temporalio/common';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EncryptionCodec, ensureKeyFile, KeyError, loadKeys, rotateKeyFile } from '../../src/codec';

const converter = new DefaultPayloadConverter();
const key = (n: number) => Buffer.alloc(32, n);
const CANARY = 'canary-summary-7f3a';

describe('the encryption codec', () => {
  const codec = new EncryptionCodec({ current: 'k1', keys: { k1: key(1) } });

  it('round-trips a payload and leaves no plaintext in what it sends', async () => {
    const payload = converter.toPayload({ summary: CANARY });
    const [sealed] = await codec.encode([payload]);
    expect(Buffer.from(sealed!.data!).toString('latin1')).not.toContain(CANARY);
    expect(Buffer.from(sealed!.metadata!.encoding!).toString()).toBe('binary/encrypted');
    expect(Buffer.from(sealed!.metadata!['encryption-key-id']!).toString()).toBe('k1');
    const [opened] = await codec.decode([sealed!]);
    expect(converter.fromPayload(opened!)).toEqual({ summary: CANARY });
  });

  it('uses a fresh IV each time: the same payload never encrypts the same way twice', async () => {
    const payload = converter.toPayload('same');
    const [a, b] = await codec.encode([payload, payload]);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
  });

  it('passes unencrypted payloads through on decode', async () => {
    const plain = converter.toPayload('not encrypted');
    expect(await codec.decode([plain])).toEqual([plain]);
  });

  it('refuses a tampered payload', async () => {
    const [sealed] = await codec.encode([converter.toPayload('x')]);
    const data = Buffer.from(sealed!.data!);
    data[14] = data[14]! ^ 0xff;
    await expect(codec.decode([{ ...sealed!, data }])).rejects.toThrow(/unable to authenticate|auth/i);
  });

  it('after a rotation, encrypts with the new key and still decrypts what the old key wrote', async () => {
    const [old] = await codec.encode([converter.toPayload('written under k1')]);
    const rotated = new EncryptionCodec({ current: 'k2', keys: { k1: key(1), k2: key(2) } });
    const [fresh] = await rotated.encode([converter.toPayload('written under k2')]);
    expect(Buffer.from(fresh!.metadata!['encryption-key-id']!).toString()).toBe('k2');
    expect(converter.fromPayload((await rotated.decode([old!]))[0]!)).toBe('written under k1');
    const withoutOld = new EncryptionCodec({ current: 'k2', keys: { k2: key(2) } });
    await expect(withoutOld.decode([old!])).rejects.toThrow('cannot decrypt a payload encrypted with key "k1": it is not among the keys (k2)');
  });

  it('refuses keys of the wrong size and a current key that is not listed', () => {
    expect(() => new EncryptionCodec({ current: 'k1', keys: { k1: Buffer.alloc(16) } })).toThrow('key "k1" is 16 bytes; AES-256 needs 32');
    expect(() => new EncryptionCodec({ current: 'k9', keys: { k1: key(1) } })).toThrow(KeyError);
  });
});

describe('the keys', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kscp-keys-'));

  it('are created once, readable by their owner only, and rotated keeping the old ones', () => {
    const file = path.join(dir, 'keys.json');
    expect(ensureKeyFile(file)).toBe(true);
    expect(ensureKeyFile(file)).toBe(false);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const first = loadKeys(file, {});
    const id = rotateKeyFile(file, new Date('2030-01-01T00:00:00Z'));
    const after = loadKeys(file, {});
    expect(after.current).toBe(id);
    expect(Object.keys(after.keys)).toEqual([first.current, id]);
    expect(after.keys[first.current]).toEqual(first.keys[first.current]);
    expect(JSON.parse(readFileSync(file, 'utf8')).current).toBe(id);
  });

  it('come from KSCP_ENCRYPTION_KEYS first, and say clearly when there are none', () => {
    expect(loadKeys('/nowhere', { KSCP_ENCRYPTION_KEYS: `a=${key(1).toString('base64')},b=${key(2).toString('base64')}` }).current).toBe('a');
    expect(() => loadKeys('/nowhere/keys.json', {})).toThrow('no encryption keys: /nowhere/keys.json does not exist (`npm start` creates it; or set KSCP_KEY_FILE or KSCP_ENCRYPTION_KEYS)');
    expect(() => loadKeys('/nowhere', { KSCP_ENCRYPTION_KEYS: 'nokey' })).toThrow(/each key is <id>=<base64 of 32 bytes>/);
  });
});
