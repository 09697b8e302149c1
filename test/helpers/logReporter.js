// A Jest reporter: a test file's logs (its workers, servers and SDK runtime; test/helpers/suiteLog.ts)
// are kept in test-artifacts/logs and printed here only when that file fails, after Jest's own report.
'use strict';
const { existsSync, readdirSync, readFileSync, rmSync } = require('node:fs');
const path = require('node:path');
const { LOG_DIR, suiteLogFile } = require('./suiteLogFile');

/** Files beside a test file's log (a server's own log: `<log without .log>.temporal.log`). */
function sideFiles(log) {
  const stem = path.basename(log, '.log');
  if (!existsSync(LOG_DIR)) return [];
  return readdirSync(LOG_DIR).filter((f) => f.startsWith(`${stem}.`) && f !== path.basename(log)).map((f) => path.join(LOG_DIR, f));
}

/** The end of a long log is where a failure shows. */
const MAX_PRINTED = 200_000;

class LogReporter {
  onTestStart(test) {
    const log = suiteLogFile(test.path);
    for (const f of [log, ...sideFiles(log)]) rmSync(f, { force: true });
  }

  onTestResult(test, result) {
    const failed = result.numFailingTests > 0 || result.testExecError !== undefined || result.failureMessage;
    const file = suiteLogFile(test.path);
    if (!failed) return;
    const side = sideFiles(file);
    const also = side.length ? `also kept: ${side.join(', ')}\n` : '';
    if (!existsSync(file)) {
      if (also) process.stderr.write(`\n===== ${result.testFilePath} failed; its logs: ${also}`);
      return;
    }
    const text = readFileSync(file, 'utf8');
    const shown = text.length > MAX_PRINTED ? `[... the first ${text.length - MAX_PRINTED} characters are in the file ...]\n${text.slice(-MAX_PRINTED)}` : text;
    process.stderr.write(`\n===== logs of the failed test file ${result.testFilePath} (${file}) =====\n${shown}${shown.endsWith('\n') ? '' : '\n'}${also}===== end of logs =====\n\n`);
  }
}

module.exports = LogReporter;
