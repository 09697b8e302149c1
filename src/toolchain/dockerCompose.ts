/**
 * docker-compose for checking docker-compose.yml in `npm test` (`docker-compose config -q`): no
 * Docker engine runs on these machines, only the file is validated. From Debian (`docker-compose`),
 * found at DOCKER_COMPOSE_PATH or /usr/bin/docker-compose; installed with apt-get when missing and
 * this process may (root on these machines); otherwise one sentence says what to install.
 */
import { existsSync } from 'node:fs';
import { available, runWithProgress } from './run';
import { ToolchainError, type Log } from './paths';

export function findDockerCompose(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = [env.DOCKER_COMPOSE_PATH, '/usr/bin/docker-compose', '/usr/local/bin/docker-compose'].filter((p): p is string => Boolean(p));
  return candidates.find((p) => existsSync(p));
}

export async function ensureDockerCompose(log: Log, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const found = findDockerCompose(env);
  if (found) return found;
  if (process.getuid?.() !== 0 || !available('apt-get', ['--version'])) {
    throw new ToolchainError('Cannot check docker-compose.yml: docker-compose is missing; install the Debian package `docker-compose` (sudo apt-get install docker-compose) or set DOCKER_COMPOSE_PATH.');
  }
  log('Installing docker-compose from Debian to check docker-compose.yml (first time only) ...');
  const aptEnv = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let result = await runWithProgress('apt-get', ['install', '-y', '-q', '--no-install-recommends', 'docker-compose'], { env: aptEnv, log, what: 'installing docker-compose' });
  if (!result.ok) {
    await runWithProgress('apt-get', ['update', '-q'], { env: aptEnv, log, what: 'updating the package lists' });
    result = await runWithProgress('apt-get', ['install', '-y', '-q', '--no-install-recommends', 'docker-compose'], { env: aptEnv, log, what: 'installing docker-compose' });
  }
  const installed = findDockerCompose(env);
  if (!result.ok || !installed) throw new ToolchainError(`Cannot install docker-compose with apt-get:\n${result.output.trim().split('\n').slice(-10).join('\n')}`);
  return installed;
}
