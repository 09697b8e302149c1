/**
 * Temporal's time-skipping test server (Java), for workflow tests.
 *
 * Found, in order: TEMPORAL_TEST_SERVER_PATH (an executable taking the port
 * as its only argument); this project's cache; else fetched from Maven
 * Central with Maven into the cache, with a wrapper script that `exec`s the
 * JVM (so the SDK's kill reaches it). JIT tiers and GC are chosen for a fast
 * start: the SDK waits about 5 s for the port (measure with
 * `npm run toolchain -- measure-test-server`).
 */
import { chmodSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { available, runWithProgress } from './run';
import { cacheDir, formatDuration, ToolchainError, type Log } from './paths';
import type { Resolved } from './temporalCli';

export const TEST_SERVER_VERSIONS = ['1.38.0', '1.37.0'] as const;
export const JVM_FAST_START = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-Xshare:auto'];

function wrapperIn(dir: string): string {
  return path.join(dir, 'temporal-test-server');
}

export function findTestServer(env: NodeJS.ProcessEnv = process.env): Resolved | undefined {
  const named = env.TEMPORAL_TEST_SERVER_PATH;
  if (named) {
    if (!existsSync(named)) throw new ToolchainError(`TEMPORAL_TEST_SERVER_PATH=${named} does not exist`);
    return { path: named, how: 'TEMPORAL_TEST_SERVER_PATH' };
  }
  for (const version of TEST_SERVER_VERSIONS) {
    const wrapper = wrapperIn(path.join(cacheDir(env), `temporal-test-server-${version}`));
    if (existsSync(wrapper)) return { path: wrapper, how: `cached v${version}` };
  }
  return undefined;
}

function pom(version: string): string {
  return `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>kscp.toolchain</groupId>
  <artifactId>temporal-test-server-runtime</artifactId>
  <version>1</version>
  <dependencies>
    <dependency>
      <groupId>io.temporal</groupId>
      <artifactId>temporal-test-server</artifactId>
      <version>${version}</version>
    </dependency>
  </dependencies>
</project>
`;
}

function wrapperScript(version: string): string {
  return `#!/bin/sh
# Temporal time-skipping test server ${version} (io.temporal:temporal-test-server, from Maven Central).
# Usage: temporal-test-server <port>. exec: the SDK's kill must reach the JVM.
DIR=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
JAVA="\${JAVA_HOME:+$JAVA_HOME/bin/}java"
exec "$JAVA" ${JVM_FAST_START.join(' ')} -cp "$DIR/lib/*" io.temporal.testserver.TestServer "$@"
`;
}

export async function ensureTestServer(log: Log, env: NodeJS.ProcessEnv = process.env): Promise<Resolved> {
  const found = findTestServer(env);
  if (found) return found;
  const missing = ['java', 'mvn'].filter((tool) => !available(tool, tool === 'java' ? ['-version'] : ['-v']));
  if (missing.length > 0) {
    throw new ToolchainError(
      `Cannot run workflow tests: there is no Temporal test server (set TEMPORAL_TEST_SERVER_PATH) and no ${missing.join(' or ')} to fetch it from Maven Central (install Java 17 and Maven).`,
    );
  }
  const failures: string[] = [];
  for (const version of TEST_SERVER_VERSIONS) {
    const dir = path.join(cacheDir(env), `temporal-test-server-${version}`);
    const staging = `${dir}.fetching-${process.pid}`;
    mkdirSync(staging, { recursive: true });
    writeFileSync(path.join(staging, 'pom.xml'), pom(version));
    log(`Fetching the Temporal test server ${version} and its libraries from Maven Central into ${dir}`);
    log('  (first time only: under a minute; later runs use the cache)');
    const started = Date.now();
    const result = await runWithProgress(
      'mvn',
      ['-q', '-B', 'dependency:copy-dependencies', '-DoutputDirectory=lib', '-DincludeScope=runtime'],
      { cwd: staging, log, what: `fetching the test server ${version}` },
    );
    if (result.ok) {
      rmSync(dir, { recursive: true, force: true });
      renameSync(staging, dir);
      writeFileSync(wrapperIn(dir), wrapperScript(version));
      chmodSync(wrapperIn(dir), 0o755);
      log(`Fetched the Temporal test server ${version} in ${formatDuration(Date.now() - started)}.`);
      return { path: wrapperIn(dir), how: `fetched v${version}` };
    }
    rmSync(staging, { recursive: true, force: true });
    failures.push(`${version}: ${result.output.trim().split('\n').slice(-10).join('\n')}`);
  }
  throw new ToolchainError(`Cannot fetch the Temporal test server from Maven Central:\n${failures.join('\n')}`);
}
