/**
 * Chromium for the browser tests, from Debian (`chromium`): test tools cannot download their own
 * browser here. Found at CHROMIUM_PATH or /usr/bin/chromium; installed with apt-get when missing
 * and this process may (root on these machines); otherwise one sentence says what to install.
 */
import { existsSync } from 'node:fs';
import { ensureDebianTool } from './debian';
import type { Log } from './paths';

export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = [env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => Boolean(p));
  return candidates.find((p) => existsSync(p));
}

export function ensureChromium(log: Log, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return ensureDebianTool(
    {
      pkg: 'chromium',
      title: 'Chromium',
      find: () => findChromium(env),
      missing: 'Cannot run the browser tests: Chromium is missing; install the Debian package `chromium` (sudo apt-get install chromium) or set CHROMIUM_PATH.',
      installing: 'Installing Chromium from Debian for the browser tests (first time only, under a minute) ...',
    },
    log,
  );
}
