/**
 * `npm run toolchain -- <command>`: the offline Temporal toolchain.
 *   ensure               build/fetch/install what is missing (the CLI, the Web UI server, the Java test server, Chromium,
 *                        docker-compose, PostgreSQL, the Temporal server and temporal-sql-tool), print where they are
 *   which                print where they are, building nothing
 *   measure-test-server  time the Java test server's start against the SDK's ~5 s port wait
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import { ensureTemporalCli, findTemporalCli } from './temporalCli';
import { ensureChromium, findChromium } from './chromium';
import { ensureDockerCompose, findDockerCompose } from './dockerCompose';
import { ensurePostgres, findPostgres } from './postgres';
import { ensureTemporalServer, findTemporalServer } from './temporalServer';
import { ensureTestServer, findTestServer } from './testServer';
import { ensureUiServer, findUiServer } from './uiServer';
import { ToolchainError } from './paths';
import { freePort } from './process';

const say = (line: string): void => void process.stdout.write(`${line}\n`);

async function timeStart(wrapper: string): Promise<number> {
  const port = await freePort();
  const started = Date.now();
  const child = spawn(wrapper, [String(port)], { stdio: 'ignore' });
  try {
    for (;;) {
      const open = await new Promise<boolean>((resolve) => {
        const s = net.connect(port, '127.0.0.1');
        s.once('connect', () => (s.destroy(), resolve(true)));
        s.once('error', () => (s.destroy(), resolve(false)));
      });
      if (open) return Date.now() - started;
      if (Date.now() - started > 30_000) throw new ToolchainError('the test server did not open its port within 30 s');
      await new Promise((r) => setTimeout(r, 25));
    }
  } finally {
    child.kill('SIGTERM');
  }
}

async function main(command = 'ensure'): Promise<void> {
  if (command === 'ensure') {
    const cli = await ensureTemporalCli(say);
    say(`Temporal CLI: ${cli.path} (${cli.how})`);
    const ui = await ensureUiServer(say);
    say(`Temporal Web UI server: ${ui.path} (${ui.how})`);
    const ts = await ensureTestServer(say);
    say(`Temporal test server: ${ts.path} (${ts.how})`);
    say(`Chromium (browser tests): ${await ensureChromium(say)}`);
    say(`docker-compose (checks docker-compose.yml): ${await ensureDockerCompose(say)}`);
    say(`PostgreSQL (case archive tests, npm run start:cluster): ${await ensurePostgres(say)}`);
    const server = await ensureTemporalServer(say);
    say(`Temporal server (npm run start:cluster): ${server.server} (${server.how})`);
    say(`temporal-sql-tool: ${server.sqlTool}; the server's config template and schemas: ${server.source}`);
  } else if (command === 'which') {
    say(`Temporal CLI: ${findTemporalCli()?.path ?? 'missing (npm run toolchain -- ensure)'}`);
    say(`Temporal Web UI server: ${findUiServer()?.path ?? 'missing (npm run toolchain -- ensure)'}`);
    say(`Temporal test server: ${findTestServer()?.path ?? 'missing (npm run toolchain -- ensure)'}`);
    say(`Chromium: ${findChromium() ?? 'missing (npm run toolchain -- ensure)'}`);
    say(`docker-compose: ${findDockerCompose() ?? 'missing (npm run toolchain -- ensure)'}`);
    say(`PostgreSQL: ${findPostgres() ?? 'missing (npm run toolchain -- ensure)'}`);
    const server = findTemporalServer();
    say(`Temporal server and temporal-sql-tool: ${server ? `${server.server}, ${server.sqlTool} (source ${server.source})` : 'missing (npm run toolchain -- ensure)'}`);
  } else if (command === 'measure-test-server') {
    const ts = await ensureTestServer(say);
    const times: number[] = [];
    for (let i = 0; i < 5; i++) times.push(await timeStart(ts.path));
    times.sort((a, b) => a - b);
    say(`Java test server start to open port, 5 runs (ms): ${times.join(', ')}`);
    say(`median ${times[2]} ms, worst ${times[4]} ms, against the SDK's port wait of 5000 ms (worst uses ${Math.round((times[4]! / 5000) * 100)}% of it)`);
  } else {
    throw new ToolchainError(`unknown command ${JSON.stringify(command)}: use ensure, which or measure-test-server`);
  }
}

main(process.argv[2]).catch((err: unknown) => {
  process.stderr.write(`${err instanceof ToolchainError ? '' : 'toolchain: '}${(err as Error).message}\n`);
  process.exit(1);
});
