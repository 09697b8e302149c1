/**
 * The workflow bundle `npm run build` writes for production workers (workers/bundle.ts): it must be
 * there after a build, hold the workflows and the failure converter the data converter names,
 * import no Node built-in (workflow code runs in Temporal's deterministic sandbox), and stay small:
 * the worker instantiates the bundle's modules again for every case it keeps cached, so what the
 * bundle carries, each open case carries. zod stays out (the workflow checks its inputs with
 * src/process/inputs.ts); the code is mostly the Temporal SDK's own.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/fixtures';

const BUNDLE = path.join(REPO_ROOT, 'dist', 'workflow-bundle.js');
/** The bundle's code without its inline source map (the map is read only to print a stack trace). */
const CODE_LIMIT = 1_000_000;

/** The modules the bundle holds, by the path webpack names them with. */
function modulesOf(code: string): string[] {
  return [...code.matchAll(/^\/\*\*\*\/ "([^"]+)"/gm)].map((m) => m[1]!);
}

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

  it('holds no zod module (the workflow checks inputs by hand)', () => {
    const modules = modulesOf(code);
    expect(modules.length).toBeGreaterThan(10);
    expect(modules.filter((m) => /node_modules\/zod\//.test(m))).toEqual([]);
    expect(code).not.toMatch(/node_modules\/zod\//);
  });

  it(`is under ${CODE_LIMIT / 1_000_000} MB of code`, () => {
    const map = code.indexOf('\n//# sourceMappingURL=');
    const bytes = Buffer.byteLength(map >= 0 ? code.slice(0, map) : code);
    expect(bytes).toBeLessThan(CODE_LIMIT);
  });
});
