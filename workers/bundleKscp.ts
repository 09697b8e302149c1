/**
 * The `kscp` command as one file, made at build time (`npm run build` runs this after tsc):
 * dist/src/kscp.js, the compiled CLI (dist/src/cli/main.js) with everything it imports, the Temporal
 * client, gRPC and the protobuf definitions included. Node then reads and compiles one file instead
 * of resolving and loading a few hundred modules from node_modules at every start, and bin/kscp.js
 * can keep V8's compiled code for it (dist/kscp-cache/). A command's own modules still run only when
 * that command does (esbuild keeps the lazy `import()`s lazy).
 */
import { build, type BuildOptions } from 'esbuild';
import { renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../src/config';

/** Where `npm run build` writes the bundle (bin/kscp.js loads it). */
export const KSCP_BUNDLE = path.join(PACKAGE_ROOT, 'dist', 'src', 'kscp.js');

/**
 * Left to Node at run time: native addons (the case archive's SQLite) and optional modules that
 * are not installed (pg's native driver); they load from node_modules if and when they are needed.
 */
export const KSCP_EXTERNAL = ['better-sqlite3', 'pg-native', '@temporalio/core-bridge'];

/** How kscp is bundled (the unit tests bundle other entries the same way). */
export function kscpBuildOptions(entry: string, outfile: string): BuildOptions & { metafile: true } {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: KSCP_EXTERNAL,
    // Less to read and parse at every start; names are kept (errors are told apart by them).
    minifyWhitespace: true,
    minifySyntax: true,
    keepNames: true,
    legalComments: 'none',
    logLevel: 'warning',
    // src/codec.ts names the worker's converters by path for the worker; kscp's client is given them
    // loaded (src/temporal.ts, clientConverter), so those paths are never resolved from the bundle.
    logOverride: { 'require-resolve-not-external': 'silent' },
    metafile: true,
  };
}

export async function bundleKscp(out = KSCP_BUNDLE): Promise<number> {
  const staging = `${out}.${process.pid}.tmp`;
  try {
    const result = await build(kscpBuildOptions(path.join(PACKAGE_ROOT, 'dist', 'src', 'cli', 'main.js'), staging));
    renameSync(staging, out);
    return Object.values(result.metafile.outputs)[0]?.bytes ?? 0;
  } finally {
    rmSync(staging, { force: true });
  }
}

if (require.main === module) {
  bundleKscp(process.argv[2]).then(
    (bytes) => process.stdout.write(`kscp bundled: ${path.relative(process.cwd(), process.argv[2] ?? KSCP_BUNDLE)} (${Math.round(bytes / 1024)} KiB)\n`),
    (err: unknown) => {
      process.stderr.write(`bundling kscp failed: ${(err as Error).message}\n`);
      process.exit(1);
    },
  );
}
