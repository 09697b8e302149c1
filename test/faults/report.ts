/** Each fault test adds its counts to test-artifacts/faults-report.md (and prints them). */
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/fixtures';

export function report(line: string): void {
  const dir = path.join(REPO_ROOT, 'test-artifacts');
  mkdirSync(dir, { recursive: true });
  appendFileSync(path.join(dir, 'faults-report.md'), `- ${new Date().toISOString()} ${line}\n`);
  process.stdout.write(`FAULTS: ${line}\n`);
}
