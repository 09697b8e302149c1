/**
 * `npm run start:cluster`: the product on the production topology, on one machine, in the
 * foreground. PostgreSQL (Debian's, as a non-root user, data in data/cluster/postgres), Temporal's
 * schemas created or upgraded, the Temporal server v1.29.1 as four processes (history, matching,
 * frontend, worker), the namespace and the case board's search attributes (src/toolchain/cluster.ts,
 * the same setup scripts and server settings as docker-compose.yml), the codec server, the read-only
 * Web UI server wired to it (as `npm start`'s), the mail catcher unless SMTP_HOST is set, and two
 * workers (`npm run worker`, each with its own data folder) sharing the case archive's database
 * (and so the email ledger) on the same PostgreSQL. The same ports as `npm start`
 * where they mean the same thing, so `kscp` works unchanged. A worker or Temporal service that
 * stops unexpectedly is started again, as the compose file's `restart: unless-stopped` does.
 * Ctrl-C stops the workers first, then the rest, PostgreSQL and the codec server last; a second run
 * reuses the data. workers/launch.ts holds what it shares with `npm start`.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { KeyError } from '../src/codec';
import { ConfigError, loadSettings, PACKAGE_ROOT, type Settings } from '../src/config';
import { startTemporalCluster, SERVICES, type TemporalCluster } from '../src/toolchain/cluster';
import { DATABASES, DB_USER, TEMPORAL_SERVER_VERSION } from '../src/toolchain/deployment';
import { letPostgresThrough } from '../src/toolchain/localPostgres';
import { ToolchainError } from '../src/toolchain/paths';
import { ensurePostgres } from '../src/toolchain/postgres';
import { ManagedProcess } from '../src/toolchain/process';
import { ensureTemporalCli } from '../src/toolchain/temporalCli';
import { ensureTemporalServer } from '../src/toolchain/temporalServer';
import { accessLines, Launch, prepareDataDir, prepareKeys, say, startCodecForUi, startReadOnlyUi } from './launch';
import { startMailCatcher, type MailCatcher } from './mailCatcher';

/** The environment of worker `n`: the cluster, the shared archive database, its own data folder. */
function workerEnv(settings: Settings, cluster: TemporalCluster, n: number, dir: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_ENV: 'production',
    TEMPORAL_ADDRESS: cluster.address,
    TEMPORAL_NAMESPACE: settings.temporal.namespace,
    KSCP_TASK_QUEUE: settings.temporal.taskQueue,
    KSCP_DATA_DIR: path.join(dir, `worker-${n}`),
    KSCP_KEY_FILE: settings.keyFile,
    KSCP_ARCHIVE_URL: cluster.archiveUrl,
    SMTP_HOST: settings.smtp.host,
    SMTP_PORT: String(settings.smtp.port),
  };
}

/** Start `p` again whenever it stops unexpectedly, unless it keeps stopping (5 times in a minute). */
function superviseRestarts(p: ManagedProcess, launch: Launch, match: string): void {
  const restarts: number[] = [];
  p.onUnexpectedExit = (how) => {
    const now = Date.now();
    restarts.push(now);
    while (restarts[0]! < now - 60_000) restarts.shift();
    if (restarts.length > 5) {
      say(`The ${p.spec.name} stopped (${how}) for the ${restarts.length}th time in a minute; leaving it stopped. Its log: ${p.spec.logFile}`);
      return;
    }
    say(`The ${p.spec.name} stopped unexpectedly (${how}); starting it again (its log: ${p.spec.logFile}).`);
    setTimeout(() => {
      p.start().then(
        () => launch.record(p.spec.name, p.pid!, match),
        (err: Error) => say(`Could not start the ${p.spec.name} again: ${err.message}`),
      );
    }, 1_000);
  };
}

async function main(): Promise<void> {
  const settings = loadSettings();
  if (settings.externalTemporal) {
    throw new ConfigError('TEMPORAL_ADDRESS is set, but `npm run start:cluster` runs its own Temporal cluster: unset it (or run `npm run worker` against that Temporal)');
  }
  const dir = path.join(settings.dataDir, 'cluster');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // As root PostgreSQL runs as its own user: it may pass through the data folder, nothing more.
  prepareDataDir(settings.dataDir, await letPostgresThrough([settings.dataDir, dir]));
  const launch = new Launch(dir, true);
  await launch.stopLeftovers();
  launch.guardStart();
  try {
    // The cluster's own database may hold cases too: no new key then either.
    const clusterData = path.join(dir, 'postgres', 'data', 'PG_VERSION');
    const keys = await prepareKeys(settings, existsSync(clusterData) ? [`the cluster's PostgreSQL in ${path.dirname(clusterData)} exists`] : []);
    const [tools, cli, postgresBin] = [await ensureTemporalServer(say), await ensureTemporalCli(say), await ensurePostgres(say)];
    const codec = await startCodecForUi(settings, keys, launch);
    say(`Starting PostgreSQL and the Temporal server v${TEMPORAL_SERVER_VERSION} (${tools.how}: ${tools.server}) with their data in ${dir} ...`);
    const cluster = await startTemporalCluster({
      tools,
      cli: cli.path,
      postgresBin,
      dir,
      frontendPort: settings.devServer.port,
      postgresPort: settings.cluster.postgresPort,
      namespace: settings.temporal.namespace,
      retentionDays: settings.devServer.retentionDays,
      log: say,
    });
    launch.started('PostgreSQL server', () => cluster.postgres.stop('fast'));
    const archiveUrlFile = path.join(dir, 'archive-url');
    writeFileSync(archiveUrlFile, `${cluster.archiveUrl}\n`, { mode: 0o600 });
    for (const name of SERVICES) {
      const service = cluster.services[name];
      launch.started(service.spec.name, () => service.stop(), { pid: service.pid, match: 'temporal-server' });
      superviseRestarts(service, launch, 'temporal-server');
    }

    const ui = await startReadOnlyUi(settings, cluster.address, codec.server.url, dir, launch);
    let mail: MailCatcher | undefined;
    if (!settings.externalSmtp) {
      mail = await startMailCatcher({ ...settings.mailCatcher, logFile: path.join(dir, 'maildev.log') });
      launch.started('mail catcher', mail.stop, { pid: mail.process.pid, match: 'maildev' });
    }

    const workers: ManagedProcess[] = [];
    for (let n = 1; n <= settings.cluster.workers; n++) {
      const worker = new ManagedProcess({
        name: `worker ${n}`,
        command: process.execPath,
        args: [path.join(PACKAGE_ROOT, 'dist', 'workers', 'main.js')],
        env: workerEnv(settings, cluster, n, dir),
        logFile: path.join(dir, `worker-${n}.log`),
        readyLine: /kscp worker: task queue .* ready/,
        readyWithinMs: 120_000,
        stopGraceMs: (settings.shutdownGraceSeconds + 10) * 1000,
      });
      await worker.start();
      launch.started(worker.spec.name, () => worker.stop(), { pid: worker.pid, match: 'workers/main.js' });
      superviseRestarts(worker, launch, 'workers/main.js');
      workers.push(worker);
    }

    const { temporal } = settings;
    const pg = `127.0.0.1:${cluster.postgres.port}`;
    say('');
    say(`KSCP serious-incident workflows are running on a Temporal cluster on PostgreSQL.`);
    for (const line of accessLines(settings, cluster.address, { ui, codec, mail })) say(line);
    say(`  Temporal:                  ${cluster.address}, namespace ${temporal.namespace}, task queue ${temporal.taskQueue}`);
    say(`                             server ${TEMPORAL_SERVER_VERSION}: ${SERVICES.map((s) => `${s} (pid ${cluster.services[s].pid})`).join(', ')}`);
    say(`  PostgreSQL:                ${pg}, user ${DB_USER} (password in ${path.join(dir, 'postgres-password')}), databases ${Object.values(DATABASES).join(', ')}`);
    say(`  Workers:                   ${workers.map((w) => `${w.spec.name} (pid ${w.pid}, log ${w.spec.logFile})`).join(', ')}`);
    say(`  Case archive:              database ${DATABASES.archive} on ${pg}, shared by the workers; for \`kscp report\`: KSCP_ARCHIVE_URL=$(cat ${archiveUrlFile}) kscp report ...`);
    say(`  Data and logs:             ${dir}`);
    say('  Record a case:             kscp notify --file examples/incident.json   (kscp --help for more; `npm link` once puts kscp on PATH)');
    say('Press Ctrl-C to stop. Open cases carry on at the next npm run start:cluster.');
    launch.startedAll();
    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      process.once('SIGINT', () => resolve('SIGINT'));
      process.once('SIGTERM', () => resolve('SIGTERM'));
    });
    say(`${signal} received: stopping the workers, then the mail catcher, the Web UI, the Temporal services and PostgreSQL ...`);
    for (const w of [...workers, ...SERVICES.map((s) => cluster.services[s])]) w.onUnexpectedExit = undefined;
  } finally {
    await launch.stopAll();
  }
  say('Stopped. Cases are kept; `npm run start:cluster` carries on with them.');
}

main().catch((err: unknown) => {
  const known = err instanceof ConfigError || err instanceof ToolchainError || err instanceof KeyError;
  process.stderr.write(`npm run start:cluster: ${known ? '' : 'unexpected error: '}${(err as Error).message}\n`);
  process.exitCode = 1;
});
