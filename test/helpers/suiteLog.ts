/**
 * Test output is for reading: what the workers, servers and the SDK's runtime say during a test
 * file goes to that file's log (test-artifacts/logs/<test file>.log), and Jest prints it only when
 * the file fails (test/helpers/logReporter.js). Outside Jest (the bench) it goes to test-artifacts/logs/<script>.log.
 */
import { appendFileSync, chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DefaultLogger, type LogEntry } from '@temporalio/worker';
import { LOG_DIR, suiteLogFile } from './suiteLogFile';

/** The running test file's log; outside Jest (the bench), one log per script: test-artifacts/logs/<script>.log. */
export function currentSuiteLog(): string {
  const testPath = (globalThis as { expect?: { getState(): { testPath?: string } } }).expect?.getState().testPath;
  return testPath ? suiteLogFile(testPath) : path.join(LOG_DIR, `${path.basename(process.argv[1] ?? 'node')}.log`);
}

/** A file beside the test file's log for output too long to print (a server's own log). */
export function suiteSideFile(name: string): string {
  return currentSuiteLog().replace(/\.log$/, `.${name}`);
}

/** Append text from `source` to the test file's log, each line prefixed with the source. */
export function suiteLog(source: string, text: string): void {
  const lines = text.endsWith('\n') ? text.slice(0, -1) : text;
  const prefixed = `${lines
    .split('\n')
    .map((l) => `[${source}] ${l}`)
    .join('\n')}\n`;
  const file = currentSuiteLog();
  mkdirSync(path.dirname(file), { recursive: true });
  appendFileSync(file, prefixed);
}

/** Collects a child process's output into whole lines for suiteLog. */
export function lineWriter(source: string): { write(chunk: string): void; end(last?: string): void } {
  let partial = '';
  return {
    write(chunk) {
      const text = partial + chunk;
      const cut = text.lastIndexOf('\n');
      if (cut < 0) {
        partial = text;
        return;
      }
      partial = text.slice(cut + 1);
      suiteLog(source, text.slice(0, cut + 1));
    },
    /** Flush what is left, and a last line of our own (how the process ended). */
    end(last) {
      if (partial) suiteLog(source, partial);
      if (last) suiteLog(source, last);
      partial = '';
    },
  };
}

/** The SDK's logger in tests: everything from INFO up (activities' "reminder sent", the worker's state), into the log. */
export function suiteLogger(): DefaultLogger {
  return new DefaultLogger('INFO', (entry: LogEntry) => {
    const meta = entry.meta && Object.keys(entry.meta).length ? ` ${safeJson(entry.meta)}` : '';
    const at = new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString();
    suiteLog('sdk', `${at} ${entry.level} ${entry.message}${meta}`);
  });
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v instanceof Error ? { name: v.name, message: v.message } : v));
  } catch {
    return String(value);
  }
}

/**
 * A program started by code we do not control (the SDK starts the time-skipping test server)
 * whose output should go to the log: a small shell script that runs it with stdout and stderr
 * appended to the test file's log.
 */
export function loggedExecutable(program: string, name: string): string {
  const log = currentSuiteLog();
  const dir = path.join(LOG_DIR, 'bin');
  mkdirSync(dir, { recursive: true });
  const script = path.join(dir, `${path.basename(log, '.log')}.${name}.sh`);
  const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  writeFileSync(script, `#!/bin/sh\nexec ${quote(program)} "$@" >>${quote(log)} 2>&1\n`);
  chmodSync(script, 0o755);
  return script;
}
