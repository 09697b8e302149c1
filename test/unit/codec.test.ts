import { DefaultPayloadConverter } from '@temporalio/common';
import { chmodSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
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
    expect(() => loadKeys('/nowhere/keys.json', {})).toThrow(
      'no encryption keys: /nowhere/keys.json does not exist. If this installation has recorded cases, restore /nowhere/keys.json from your backup (docs/security.md, "Backup and restore"), ' +
        'or set KSCP_ENCRYPTION_KEYS to the keys the cases were written with; on a new installation `npm start` creates it (or set KSCP_KEY_FILE)',
    );
    expect(() => loadKeys('/nowhere', { KSCP_ENCRYPTION_KEYS: 'nokey' })).toThrow(/each key is <id>=<base64 of 32 bytes>/);
  });

  it('refuse a key id given twice in KSCP_ENCRYPTION_KEYS, and a key that is not base64 of 32 bytes', () => {
    const list = (...entries: string[]) => () => loadKeys('/nowhere', { KSCP_ENCRYPTION_KEYS: entries.join(',') });
    expect(list(`a=${key(1).toString('base64')}`, `b=${key(2).toString('base64')}`, `a=${key(3).toString('base64')}`)).toThrow('KSCP_ENCRYPTION_KEYS: key id "a" is given twice; each key needs its own id');
    expect(list('a=not*base64')).toThrow('KSCP_ENCRYPTION_KEYS: key "a" is not valid base64');
    expect(list(`a=${Buffer.alloc(16).toString('base64')}`)).toThrow('KSCP_ENCRYPTION_KEYS: key "a" is 16 bytes; AES-256 needs 32');
    expect(list(`bad id=${key(1).toString('base64')}`)).toThrow('KSCP_ENCRYPTION_KEYS: key id "bad id" is not allowed');
  });

  it('refuse every malformed key file with a KeyError naming the file and what is wrong', () => {
    const good = key(5).toString('base64');
    const cases: Array<[string, string]> = [
      ['{"current": "k1", "keys": null}', '"keys" must be an object of key id to base64 key, not null'],
      ['{"current": "k1"}', '"keys" is missing; it must be {"current": "<id>", "keys": {"<id>": "<base64 of 32 bytes>"}}'],
      ['{"current": "k1", "keys": ["x"]}', '"keys" must be an object of key id to base64 key, not a list'],
      ['{"current": "k1", "keys": {}}', '"keys" is empty; it needs at least the current key'],
      [`{"keys": {"k1": "${good}"}}`, '"current" is missing: it names the key new data is encrypted with (one of k1)'],
      [`{"current": 7, "keys": {"k1": "${good}"}}`, '"current" must be a key id (a string), not a number'],
      [`{"current": "k2", "keys": {"k1": "${good}"}}`, '"current" is "k2", but "keys" has no such key (it has k1)'],
      ['{"current": "k1", "keys": {"k1": 42}}', 'key "k1" must be a base64 string, not a number'],
      ['{"current": "k1", "keys": {"k1": null}}', 'key "k1" must be a base64 string, not null'],
      ['{"current": "k1", "keys": {"k1": "%%%not base64%%%"}}', 'key "k1" is not valid base64'],
      [`{"current": "k1", "keys": {"k1": "${Buffer.alloc(31).toString('base64')}"}}`, 'key "k1" is 31 bytes; AES-256 needs 32'],
      [`{"current": "k1", "keys": {"k1": "${good}"}, "key": 1}`, 'unknown field "key"'],
      ['null', 'must be {"current": "<id>", "keys": {"<id>": "<base64 of 32 bytes>"}}, not null'],
      ['[]', 'not a list'],
      ['{"current": ', 'not valid JSON'],
    ];
    for (const [content, problem] of cases) {
      const file = path.join(dir, `malformed-${cases.findIndex((c) => c[0] === content)}.json`);
      writeFileSync(file, content, { mode: 0o600 });
      let caught: unknown;
      try {
        loadKeys(file, {});
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(KeyError);
      expect((caught as Error).message).toContain(`key file ${file}: `);
      expect((caught as Error).message).toContain(problem);
    }
  });

  it('refuse a key file that its group or others may read, unless KSCP_ALLOW_READABLE_KEY_FILE says so', () => {
    const file = path.join(dir, 'shared.json');
    writeFileSync(file, JSON.stringify({ current: 'k1', keys: { k1: key(1).toString('base64') } }));
    chmodSync(file, 0o644);
    expect(() => loadKeys(file, {})).toThrow(`key file ${file}: its mode 0644 lets every user of this machine read it, and whoever reads it can read every case: run \`chmod 600 ${file}\``);
    chmodSync(file, 0o640);
    expect(() => loadKeys(file, {})).toThrow('its mode 0640 lets its group read it');
    expect(loadKeys(file, { KSCP_ALLOW_READABLE_KEY_FILE: 'true' }).current).toBe('k1');
    chmodSync(file, 0o600);
    expect(loadKeys(file, {}).current).toBe('k1');
  });

  it('are not made where cases are already recorded: a new key could read none of them', () => {
    const file = path.join(dir, 'lost', 'keys.json');
    expect(() => ensureKeyFile(file, ['/data/temporal.db holds 3 cases'])).toThrow(
      `the key file ${file} is missing, but cases are already recorded (/data/temporal.db holds 3 cases): a new key could not read them, so none was made. ` +
        `To read them, restore ${file} from your backup (docs/security.md, "Backup and restore"), or set KSCP_ENCRYPTION_KEYS to the keys the cases were written with.`,
    );
    expect(existsSync(file)).toBe(false);
    expect(ensureKeyFile(file, [])).toBe(true);
  });
});
