/**
 * `kscp` runs from V8's code cache in dist/kscp-cache/ (bin/kscp.js): written after a run that
 * succeeded, never after one that failed, replaced when V8 cannot use it, and skipped where dist/
 * cannot be written (kscp then runs the same without one). Each test runs the real command from a
 * copy of the built package (bin/, dist/src/kscp.js, package.json, config/) so that it owns the cache.
 * Speed is the bench's business (bench/kscpLatency.ts), not this file's.
 */
import { execFile } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/fixtures';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let pkg: string;
const cacheDir = (): string => path.join(pkg, 'dist', 'kscp-cache');
const caches = (): string[] => (existsSync(cacheDir()) ? readdirSync(cacheDir()) : []);

function kscpIn(args: string[], uid?: number): Promise<Run> {
  return new Promise((resolve) =>
    execFile(process.execPath, [path.join(pkg, 'bin', 'kscp.js'), ...args], { cwd: pkg, env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000, ...(uid === undefined ? {} : { uid, gid: uid }) }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    ),
  );
}

beforeEach(() => {
  pkg = mkdtempSync(path.join(os.tmpdir(), 'kscp-code-cache-'));
  mkdirSync(path.join(pkg, 'bin'));
  mkdirSync(path.join(pkg, 'dist', 'src'), { recursive: true });
  copyFileSync(path.join(REPO_ROOT, 'bin', 'kscp.js'), path.join(pkg, 'bin', 'kscp.js'));
  copyFileSync(path.join(REPO_ROOT, 'dist', 'src', 'kscp.js'), path.join(pkg, 'dist', 'src', 'kscp.js'));
  copyFileSync(path.join(REPO_ROOT, 'package.json'), path.join(pkg, 'package.json'));
  cpSync(path.join(REPO_ROOT, 'config'), path.join(pkg, 'config'), { recursive: true });
});

afterEach(() => rmSync(pkg, { recursive: true, force: true }));

const CHRISTMAS = ['calendar', 'is-working-day', '2026-12-25'];

it('a successful run leaves a cache for this Node version and processor, which the next run uses as it is', async () => {
  const first = await kscpIn(CHRISTMAS);
  expect(first.code).toBe(0);
  expect(first.stdout).toMatch(/not a working day/i);
  const files = caches();
  expect(files).toEqual([expect.stringContaining(`-${process.version}-${process.arch}-`)]);
  const file = path.join(cacheDir(), files[0]!);
  const before = { bytes: readFileSync(file), mtimeMs: statSync(file).mtimeMs };

  const second = await kscpIn(CHRISTMAS);
  expect(second).toEqual(first);
  expect(caches()).toEqual(files);
  expect(statSync(file).mtimeMs).toBe(before.mtimeMs);
  expect(readFileSync(file).equals(before.bytes)).toBe(true);
});

it('a command that fails (a usage error, bad input) leaves no cache', async () => {
  expect((await kscpIn(['calendar', 'is-working-day', 'not-a-date'])).code).toBe(2);
  expect((await kscpIn(['no-such-command'])).code).toBe(2);
  expect(caches()).toEqual([]);
});

it('a cache V8 cannot use (damaged) changes nothing for the user and is replaced by a good one', async () => {
  expect((await kscpIn(CHRISTMAS)).code).toBe(0);
  const file = path.join(cacheDir(), caches()[0]!);
  const garbage = Buffer.alloc(statSync(file).size, 0x5a);
  writeFileSync(file, garbage);

  const run = await kscpIn(CHRISTMAS);
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(/not a working day/i);
  expect(readFileSync(file).equals(garbage)).toBe(false);
});

it('where dist/ cannot be written (another user\'s installation) kscp runs the same, without a cache', async () => {
  const expected = await kscpIn(['calendar', 'bank-holidays', '2027']);
  rmSync(cacheDir(), { recursive: true, force: true });
  let uid: number | undefined;
  if (process.getuid?.() === 0) {
    // As root nothing is read-only: run as nobody, who can read the copy but not write to it.
    uid = 65534;
    chmodSync(pkg, 0o755);
  } else {
    chmodSync(path.join(pkg, 'dist'), 0o555);
  }
  const run = await kscpIn(['calendar', 'bank-holidays', '2027'], uid);
  expect(run).toEqual(expected);
  expect(existsSync(cacheDir())).toBe(false);
});
