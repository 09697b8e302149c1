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

/**
 * Tests run in Jest's own process (maxWorkers 1), so anything a test file leaves open (a native
 * Temporal connection keeps the SDK runtime, and with it the process, alive) would hang the run
 * with every test green: CI waits until it is killed. Once the run is over, give the process this
 * long to exit by itself; if it is still here, say what holds it and fail.
 */
const EXIT_GRACE_MS = Number(process.env.KSCP_TEST_EXIT_GRACE_MS ?? 15_000);

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

  onRunComplete() {
    const timer = setTimeout(() => {
      const held = process.getActiveResourcesInfo();
      process.stderr.write(
        `\nThe test run is over but the process is still running ${EXIT_GRACE_MS / 1000} s later: a test file left something open ` +
          `(active: ${held.join(', ') || 'unknown'}). Run the files with \`npx jest --detectOpenHandles <file>\` to find it. Failing the run.\n`,
      );
      process.exit(1);
    }, EXIT_GRACE_MS);
    // Unref'd: it does not itself keep the process alive; it fires only if something else does.
    timer.unref();
  }
}

module.exports = LogReporter;
