/**
 * The workflow bundle `npm run build` writes for production workers (workers/bundle.ts): it must be
 * there after a build, hold the workflows and the failure converter the data converter names, and
 * import no Node built-in (workflow code runs in Temporal's deterministic sandbox).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/fixtures';

const BUNDLE = path.join(REPO_ROOT, 'dist', 'workflow-bundle.js');

describe('dist/workflow-bundle.js', () => {
  it('exists after npm run build, newer than the workflow source', () => {
    expect(existsSync(BUNDLE)).toBe(true);
    expect(statSync(BUNDLE).mtimeMs).toBeGreaterThanOrEqual(statSync(path.join(REPO_ROOT, 'workflows', 'incident.ts')).mtimeMs);
  });

  const code = existsSync(BUNDLE) ? readFileSync(BUNDLE, 'utf8') : '';

  it('holds the incident workflow and the project failure converter', () => {
    expect(code).toContain('__temporal_custom_failure_converter');
    expect(code).toMatch(/workflows\/incident\.(ts|js)/);
    expect(code).toMatch(/workflows\/failureConverter\.(ts|js)/);
  });

  it('imports no Node built-in module', () => {
    const names = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
    const required = [...code.matchAll(/\brequire\(\s*["'`]([^"'`]+)["'`]\s*\)/g)].map((m) => m[1]!);
    const imported = [...code.matchAll(/\bfrom\s*["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/g)].map((m) => (m[1] ?? m[2])!);
    expect([...required, ...imported].filter((m) => names.has(m) || m.startsWith('node:'))).toEqual([]);
  });
});
