#!/usr/bin/env node
// The `kscp` admin command (npx kscp). The code is TypeScript compiled to dist/ by `npm install`.
const path = require('node:path');
const { existsSync } = require('node:fs');

const main = path.join(__dirname, '..', 'dist', 'src', 'cli', 'main.js');
if (!existsSync(main)) {
  process.stderr.write(`kscp: not built yet: run \`npm install\` (or \`npm run build\`) in ${path.dirname(__dirname)}\n`);
  process.exit(1);
}
// `kscp list | head`: a closed pipe is not an error.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});
require(main)
  .run(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
