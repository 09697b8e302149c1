/**
 * Test output is for reading: a test file's worker, server and SDK logs go to
 * test-artifacts/logs/<test file>.log and Jest prints them only when that file fails
 * (test/helpers/suiteLog.ts, test/helpers/logReporter.js). Checked by running Jest itself, as
 * `npm test` does, on a fixture test file that makes every kind of noise, once passing and once failing;
 * and once leaving a native connection open, which must fail the run rather than hang it.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/fixtures';
import { suiteLogFile } from '../helpers/suiteLogFile';

const FIXTURE = path.join(REPO_ROOT, 'test', 'fixtures', 'quiet-logs', 'logs.fixture.ts');

function jest(mode: 'pass' | 'fail' | 'leak'): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(REPO_ROOT, 'node_modules', 'jest', 'bin', 'jest.js'), '-c', path.join(REPO_ROOT, 'test', 'fixtures', 'quiet-logs', 'jest.config.js')],
      { cwd: REPO_ROOT, env: { ...process.env, QUIET_LOGS_FIXTURE: mode, FORCE_COLOR: '0', KSCP_TEST_EXIT_GRACE_MS: '3000' }, timeout: 90_000 },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, output: stdout + stderr }),
    );
  });
}

/** What each noisy part says, as the fixture makes it say it. */
const NOISE = {
  sdk: /\[sdk\] \S+ INFO reminder sent \{"caseRef":"KSCP-2099-001","deadline":"panel-notification","level":1/,
  workerStdout: /\[chatty \d+\] chatty worker: task queue fixture, polling/,
  workerStderr: /\[chatty \d+\] chatty worker: a warning on stderr/,
  testServer: /SLF4J/,
};

describe('a test file’s logs', () => {
  it('stay out of the output of a passing file, and are kept in its log file', async () => {
    const run = await jest('pass');
    expect(run.code).toBe(0);
    expect(run.output).toMatch(/Tests: +1 passed, 1 total/);
    for (const pattern of Object.values(NOISE)) expect(run.output).not.toMatch(pattern);
    expect(run.output).not.toContain('chatty worker');
    expect(run.output).not.toContain('reminder sent');
    const log = suiteLogFile(FIXTURE);
    expect(existsSync(log)).toBe(true);
    const kept = readFileSync(log, 'utf8');
    for (const pattern of Object.values(NOISE)) expect(kept).toMatch(pattern);
  }, 120_000);

  it('are printed after the failure of a failing file, every part of them', async () => {
    const run = await jest('fail');
    expect(run.code).toBe(1);
    expect(run.output).toMatch(/Tests: +1 failed, 1 total/);
    const printed = run.output.slice(run.output.indexOf('===== logs of the failed test file'));
    expect(printed).toContain(`(${suiteLogFile(FIXTURE)}) =====`);
    for (const pattern of Object.values(NOISE)) expect(printed).toMatch(pattern);
    expect(printed).toContain('===== end of logs =====');
  }, 120_000);
});

describe('a test file that leaves something open', () => {
  // Tests share Jest's process (maxWorkers 1): an open native connection would keep it alive after a
  // green run until CI kills it. The reporter fails the run instead, naming what holds the process.
  it('fails the run shortly after it ends, saying so, instead of hanging', async () => {
    const run = await jest('leak');
    expect(run.output).toMatch(/Tests: +1 passed, 1 total/);
    expect(run.output).toContain('The test run is over but the process is still running 3 s later: a test file left something open');
    expect(run.code).toBe(1);
  }, 120_000);
});
