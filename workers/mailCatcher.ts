/**
 * A local mail catcher (maildev) so reminder emails can be read in a browser
 * when no real SMTP server is configured.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export interface MailCatcher {
  process: ChildProcess;
  webUrl: string;
  stop(): Promise<void>;
}

/** maildev's CLI script. Its package exports only an ESM entry, so look for the package folder itself. */
function maildevBin(): string {
  for (const dir of require.resolve.paths('maildev') ?? []) {
    const bin = path.join(dir, 'maildev', 'dist', 'bin', 'maildev.js');
    if (existsSync(bin)) return bin;
  }
  throw new Error('maildev is not installed: run `npm install` (or set SMTP_HOST to use a real mail server)');
}

export function waitForPort(port: number, withinMs: number, isDead: () => string | undefined): Promise<void> {
  const deadline = Date.now() + withinMs;
  return new Promise((resolve, reject) => {
    const attempt = (): void => {
      const dead = isDead();
      if (dead) return reject(new Error(dead));
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`nothing answered on port ${port} within ${withinMs / 1000}s`));
        else setTimeout(attempt, 200);
      });
    };
    attempt();
  });
}

export async function startMailCatcher(opts: { smtpPort: number; webPort: number; logFile: string }): Promise<MailCatcher> {
  const log = openSync(opts.logFile, 'a');
  const child = spawn(
    process.execPath,
    [maildevBin(), '--smtp', String(opts.smtpPort), '--web', String(opts.webPort), '--ip', '127.0.0.1', '--web-ip', '127.0.0.1'],
    { stdio: ['ignore', log, log], detached: true },
  );
  closeSync(log);
  let exited: string | undefined;
  const exit = new Promise<void>((resolve) =>
    child.on('exit', (code, signal) => {
      exited = signal ?? String(code);
      resolve();
    }),
  );
  const stop = async (): Promise<void> => {
    if (exited !== undefined) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exit;
    clearTimeout(killer);
  };
  try {
    await waitForPort(opts.smtpPort, 30_000, () => exited && `the mail catcher stopped at start (exit ${exited}); see ${opts.logFile}`);
  } catch (err) {
    await stop();
    throw err;
  }
  return { process: child, webUrl: `http://127.0.0.1:${opts.webPort}/index.html`, stop };
}
