/**
 * docker-compose for checking docker-compose.yml in `npm test` (`docker-compose config -q`): no
 * Docker engine runs on these machines, only the file is validated. From Debian (`docker-compose`),
 * found at DOCKER_COMPOSE_PATH or /usr/bin/docker-compose; installed with apt-get when missing and
 * this process may (root on these machines); otherwise one sentence says what to install.
 */
import { existsSync } from 'node:fs';
import { ensureDebianTool } from './debian';
import type { Log } from './paths';

export function findDockerCompose(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = [env.DOCKER_COMPOSE_PATH, '/usr/bin/docker-compose', '/usr/local/bin/docker-compose'].filter((p): p is string => Boolean(p));
  return candidates.find((p) => existsSync(p));
}

export function ensureDockerCompose(log: Log, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return ensureDebianTool(
    {
      pkg: 'docker-compose',
      title: 'docker-compose',
      find: () => findDockerCompose(env),
      missing: 'Cannot check docker-compose.yml: docker-compose is missing; install the Debian package `docker-compose` (sudo apt-get install docker-compose) or set DOCKER_COMPOSE_PATH.',
      installing: 'Installing docker-compose from Debian to check docker-compose.yml (first time only) ...',
      aptOptions: ['--no-install-recommends'],
    },
    log,
  );
}
