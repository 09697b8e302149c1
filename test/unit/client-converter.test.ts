/**
 * kscp's client is given its converters already loaded (src/temporal.ts, clientConverter): bundled
 * as kscp is bundled (workers/bundleKscp.ts), making a client loads nothing more from node_modules,
 * in particular not a second copy of @temporalio/common (what naming the failure converter by path
 * did: the client then required dist/workflows/failureConverter.js and, through it, the package).
 * Also: the client's failure converter is the project's (messages and stack traces encoded, so
 * encrypted), and its payloads go through the encryption codec.
 */
import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { kscpBuildOptions } from '../../workers/bundleKscp';
import { REPO_ROOT } from '../helpers/fixtures';

const run = promisify(execFile);
const DIST_SRC = path.join(REPO_ROOT, 'dist', 'src');
// Beside dist/src/kscp.js, so paths resolve from the bundle exactly as they do from kscp's.
const entry = path.join(DIST_SRC, `.client-converter-test-${process.pid}.entry.js`);
const bundle = path.join(DIST_SRC, `.client-converter-test-${process.pid}.js`);

afterAll(() => {
  rmSync(entry, { force: true });
  rmSync(bundle, { force: true });
});

it('bundled as kscp is, a client loads no @temporalio/common from node_modules and uses the project converters', async () => {
  writeFileSync(
    entry,
    `const { Connection } = require('@temporalio/client');
const { clientOn } = require('./temporal');
const before = new Set(Object.keys(require.cache));
const key = Buffer.alloc(32, 7);
// A connection that is never used: nothing here talks to a server.
const client = clientOn(Connection.lazy({ address: '127.0.0.1:1' }), { address: '127.0.0.1:1', namespace: 'kscp' }, { current: 'k', keys: { k: key } });
const loaded = client.options.loadedDataConverter;
process.stdout.write(JSON.stringify({
  loadedByClient: Object.keys(require.cache).filter((f) => !before.has(f)),
  fromCommon: Object.keys(require.cache).filter((f) => f.includes('/node_modules/@temporalio/common/')),
  encodeCommonAttributes: loaded.failureConverter.options.encodeCommonAttributes,
  codecs: loaded.payloadCodecs.map((c) => c.constructor.name),
}));
`,
  );
  await build(kscpBuildOptions(entry, bundle));
  const { stdout } = await run(process.execPath, [bundle], { cwd: REPO_ROOT });
  const seen = JSON.parse(stdout) as { loadedByClient: string[]; fromCommon: string[]; encodeCommonAttributes: boolean; codecs: string[] };
  expect(seen.loadedByClient).toEqual([]);
  expect(seen.fromCommon).toEqual([]);
  expect(seen.encodeCommonAttributes).toBe(true);
  expect(seen.codecs).toEqual(['EncryptionCodec']);
});
