// Where a test file's logs go: one file per test file under test-artifacts/logs, shared by the
// helpers that write it (test/helpers/suiteLog.ts, in the test) and the reporter that prints it
// when the file fails (test/helpers/logReporter.js, in Jest's own process).
'use strict';
const path = require('node:path');

const LOG_DIR = path.join(__dirname, '..', '..', 'test-artifacts', 'logs');

/** @param {string} testPath the test file's absolute path */
function suiteLogFile(testPath) {
  const relative = path.relative(path.join(__dirname, '..', '..'), testPath);
  return path.join(LOG_DIR, `${relative.replace(/[\\/]/g, '__')}.log`);
}

module.exports = { LOG_DIR, suiteLogFile };
