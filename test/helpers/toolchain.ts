/** The servers tests run against, found where `npm test`'s pretest step put them. */
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { findChromium } from '../../src/toolchain/chromium';
import { findTemporalCli } from '../../src/toolchain/temporalCli';
import { findTestServer } from '../../src/toolchain/testServer';

export function testServerPath(): string {
  const found = findTestServer();
  if (!found) throw new Error('no Temporal test server: run `npm run toolchain -- ensure` (npm test does it first)');
  return found.path;
}

export function temporalCliPath(): string {
  const found = findTemporalCli();
  if (!found) throw new Error('no Temporal CLI: run `npm run toolchain -- ensure` (npm test does it first)');
  return found.path;
}

/** Workers in tests log warnings and errors only. Call before creating any connection or worker. */
export function quietRuntime(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
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
