/**
 * The questions in a real terminal: `kscp` runs on a pseudo-terminal (util-linux `script`, part of
 * every Debian system), so stdin and stderr are TTYs as when a person types. Cancelled at the
 * confirmation, so no Temporal is needed: nothing is started.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/fixtures';

function inTerminal(args: string[], typed: string[]): Promise<{ code: number | null; output: string }> {
  const command = [process.execPath, path.join(REPO_ROOT, 'bin', 'kscp.js'), ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], { env: { ...process.env, NO_COLOR: '1', TEMPORAL_ADDRESS: '127.0.0.1:1' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr.on('data', (b: Buffer) => (output += b.toString()));
    child.on('error', reject);
    const timer = setTimeout(() => child.kill(), 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
    // Typed ahead, as a quick typist would; stdin stays open until kscp is done.
    child.stdin.write(typed.map((l) => `${l}\r`).join(''));
  });
}

it('asks the LA decision in a terminal, re-asks a bad answer, and records nothing on "no"', async () => {
  const run = await inTerminal(['la-decision', 'KSCP-2026-001'], ['maybe', 'yes', '2026-11-26', 'no', 'A. Officer', 'no']);
  expect(run.output).toContain('notifiable: answer yes or no, not "maybe". Please answer again.');
  expect(run.output).toContain('Panel notified:  Thursday 26 November 2026');
  expect(run.output).toContain('Ofsted:          not-required');
  expect(run.output).toContain('kscp: cancelled at the confirmation: nothing was started or recorded');
  expect(run.code).toBe(6);
});
