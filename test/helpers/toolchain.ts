/** The servers tests run against, found where `npm test`'s pretest step put them. */
import { makeTelemetryFilterString, Runtime } from '@temporalio/worker';
import { findChromium } from '../../src/toolchain/chromium';
import { findTemporalCli } from '../../src/toolchain/temporalCli';
import { findTestServer } from '../../src/toolchain/testServer';
import { loggedExecutable, suiteLogger } from './suiteLog';

/** The time-skipping test server, its output going to the test file's log (suiteLog.ts). */
export function testServerPath(): string {
  const found = findTestServer();
  if (!found) throw new Error('no Temporal test server: run `npm run toolchain -- ensure` (npm test does it first)');
  return loggedExecutable(found.path, 'test-server');
}

export function temporalCliPath(): string {
  const found = findTemporalCli();
  if (!found) throw new Error('no Temporal CLI: run `npm run toolchain -- ensure` (npm test does it first)');
  return found.path;
}

/**
 * In-process workers in tests log into the test file's log (INFO and up, the SDK core's warnings
 * forwarded there too), printed only if the file fails. Call before creating any connection or worker.
 */
export function quietRuntime(): void {
  try {
    Runtime.install({ logger: suiteLogger(), telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'WARN', other: 'WARN' }), forward: {} } } });
  } catch {
    // Already installed by an earlier test file in this process.
  }
}

export function chromiumPath(): string {
  const found = findChromium();
  if (!found) throw new Error('no Chromium: run `npm run toolchain -- ensure` (npm test does it first) or install the Debian package chromium');
  return found;
}

/** The flags Chromium needs on these machines (root, no GPU, closed network). */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
