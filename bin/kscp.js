#!/usr/bin/env node
// The `kscp` admin command: on PATH after `npm link` in the project (or an install of the package).
// It runs dist/src/kscp.js, the whole command in one file (`npm run build` makes it from the
// TypeScript in src/cli), from V8's code cache in dist/kscp-cache/ so Node need not compile the
// Temporal client and its protobuf definitions at every start.
//
// The cache is V8's compiled code for that one file, valid for that file (its size and time),
// this Node version and this processor. It is written, atomically, after a run that succeeded
// (a failed or refused command, a usage error, leaves no cache), and only where dist/ is writable:
// elsewhere kscp runs exactly the same, compiling as it goes. V8 checks the cache itself and
// ignores one that does not fit; kscp then writes a good one.
'use strict';
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const vm = require('node:vm');

const root = path.join(__dirname, '..');
const bundle = path.join(root, 'dist', 'src', 'kscp.js');
const cacheDir = path.join(root, 'dist', 'kscp-cache');

let source;
let stat;
try {
  stat = fs.statSync(bundle);
  // esbuild writes ASCII only (its default charset): read as one-byte text, with no UTF-8 decoding.
  source = fs.readFileSync(bundle, 'latin1');
} catch {
  process.stderr.write(`kscp: not built yet: run \`npm install\` (or \`npm run build\`) in ${root}\n`);
  process.exit(1);
}

// `kscp list | head`: a closed pipe is not an error.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

// Two depths of cache: one from a run that used the Temporal client (it holds the client's compiled
// code too) and one from a run that did not (`kscp --help`, `kscp calendar ...`). The deeper is
// preferred, and written once a run goes that deep, so a first `kscp --help` does not leave a
// cache without the client for good.
const key = `kscp-${stat.size}-${Math.trunc(stat.mtimeMs)}-${process.version}-${process.arch}`;
const cacheFileOf = (depth) => path.join(cacheDir, `${key}-${depth}.cache`);
let loaded;
let cachedData;
for (const depth of ['client', 'local']) {
  try {
    cachedData = fs.readFileSync(cacheFileOf(depth));
    loaded = depth;
    break;
  } catch {
    // None yet, or not readable: compile from source.
  }
}

const script = new vm.Script(Module.wrap(source), {
  filename: bundle,
  cachedData,
  // A real `import()` in the bundle (there should be none) loads as it would from a file.
  importModuleDynamically: vm.constants && vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
});
if (script.cachedDataRejected === true) loaded = undefined;
const bundleModule = new Module(bundle, module);
bundleModule.filename = bundle;
bundleModule.paths = Module._nodeModulePaths(path.dirname(bundle));
// The bundle's require: Node's for that file, noting whether the Temporal client (gRPC over HTTP/2) was loaded.
const bundleRequire = Module.createRequire(bundle);
let usedClient = false;
const requireForBundle = Object.assign((id) => {
  if (id === 'http2' || id === 'node:http2') usedClient = true;
  return bundleRequire(id);
}, bundleRequire);
script.runInThisContext()(bundleModule.exports, requireForBundle, bundleModule, bundle, path.dirname(bundle));

/** Keep what V8 compiled in this run for the next; never an error of the command's own. */
function writeCache(depth) {
  const cacheFile = cacheFileOf(depth);
  const staging = `${cacheFile}.${process.pid}.tmp`;
  try {
    const data = script.createCachedData();
    fs.mkdirSync(cacheDir, { recursive: true });
    fs.writeFileSync(staging, data);
    fs.renameSync(staging, cacheFile);
    // Caches of earlier builds or other Node versions, and a shallower one, are of no further use.
    for (const name of fs.readdirSync(cacheDir)) {
      if (name.startsWith('kscp-') && name.endsWith('.cache') && name !== path.basename(cacheFile)) fs.rmSync(path.join(cacheDir, name), { force: true });
    }
  } catch {
    // dist/ is read-only (an installation owned by another user) or full: run without a cache.
    try {
      fs.rmSync(staging, { force: true });
    } catch {
      // Nothing was staged.
    }
  }
}

bundleModule.exports
  .run(process.argv.slice(2))
  .then((code) => {
    const depth = usedClient ? 'client' : 'local';
    if (code === 0 && (loaded === undefined || (loaded === 'local' && depth === 'client'))) writeCache(depth);
    process.exitCode = code;
  });
