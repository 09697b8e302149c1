/**
 * The workflow code as one file, made at build time (`npm run build` runs this after tsc) so a
 * production worker starts without webpack: dist/workflow-bundle.js. The development worker
 * (`npm start`) bundles the same source with the same options at start instead.
 */
import { bundleWorkflowCode, DefaultLogger, type BundleOptions } from '@temporalio/worker';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../src/config';

/** Where `npm run build` writes the bundle. */
export const WORKFLOW_BUNDLE = path.join(PACKAGE_ROOT, 'dist', 'workflow-bundle.js');

/** The same options for the build-time bundle and the one made at start: workflows plus the failure converter the data converter names. */
export function workflowBundleOptions(): BundleOptions {
  return {
    workflowsPath: require.resolve('../workflows'),
    failureConverterPath: require.resolve('../workflows/failureConverter'),
    // The bundler's module report is noise for the Business Unit.
    logger: new DefaultLogger('WARN'),
  };
}

async function main(out = WORKFLOW_BUNDLE): Promise<void> {
  const { code } = await bundleWorkflowCode(workflowBundleOptions());
  mkdirSync(path.dirname(out), { recursive: true });
  const staging = `${out}.${process.pid}.tmp`;
  writeFileSync(staging, code);
  renameSync(staging, out);
  process.stdout.write(`Workflow code bundled: ${path.relative(process.cwd(), out)} (${Math.round(code.length / 1024)} KiB)\n`);
}

if (require.main === module) {
  main(process.argv[2]).catch((err: unknown) => {
    process.stderr.write(`bundling the workflow code failed: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
