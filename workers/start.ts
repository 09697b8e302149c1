/**
 * `npm start`: everything the Business Unit needs on one machine, in the
 * foreground. The Temporal dev server (persisted to data/temporal.db, Web UI
 * on 8233), a mail catcher (maildev, SMTP 1025, web 1080) unless SMTP_HOST is
 * set, and the incident worker. With TEMPORAL_ADDRESS it uses that Temporal
 * instead of starting one. Ctrl-C stops the worker first, then the rest.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadSettings, type Settings } from '../src/config';
import { connect } from '../src/temporal';
import { startDevServer, type DevServer } from '../src/toolchain/devServer';
import { ensureTemporalCli } from '../src/toolchain/temporalCli';
import { ensureNamespace, ensureSearchAttributes } from '../src/toolchain/serverSetup';
import { ensureKeyFile, EncryptionCodec, loadKeys } from '../src/codec';
import { startCodecServer, type CodecServer } from './codecServer';
import { startMailCatcher, type MailCatcher } from './mailCatcher';
import { installLogging } from './logging';
import { createIncidentWorker, runIncidentWorker } from './worker';

const say = (line: string): void => void process.stdout.write(`${line}\n`);

/** Children of an earlier `npm start` that was killed outright are stopped before starting again. */
function stopLeftovers(pidFile: string): void {
  if (!existsSync(pidFile)) return;
  try {
    const pids = JSON.parse(readFileSync(pidFile, 'utf8')) as Record<string, number>;
    for (const [what, pid] of Object.entries(pids)) {
      let cmdline = '';
      try {
        cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      } catch {
        continue;
      }
      if (/temporal|maildev/.test(cmdline)) {
        say(`Stopping the ${what} left running by an earlier start (pid ${pid}).`);
        process.kill(pid, 'SIGTERM');
      }
    }
  } catch {
    // An unreadable pid file only means there is nothing we know to stop.
  }
  rmSync(pidFile, { force: true });
}

async function prepareTemporal(settings: Settings, codecUrl: string | undefined): Promise<DevServer | undefined> {
  const { temporal, devServer: dev, dataDir } = settings;
  let server: DevServer | undefined;
  if (!settings.externalTemporal) {
    const cli = await ensureTemporalCli(say);
    say(`Starting the Temporal dev server (${cli.how}: ${cli.path}) with its data in ${path.join(dataDir, 'temporal.db')} ...`);
    server = await startDevServer({
      binary: cli.path,
      dbFile: path.join(dataDir, 'temporal.db'),
      port: dev.port,
      uiPort: dev.uiPort,
      namespace: temporal.namespace,
      logFile: path.join(dataDir, 'temporal.log'),
      extraArgs: codecUrl ? ['--ui-codec-endpoint', codecUrl] : [],
    });
  }
  const connection = await connect(temporal, 15_000);
  try {
    if (server) {
      const ns = await ensureNamespace(connection, temporal.namespace, dev.retentionDays);
      if (ns !== 'unchanged') say(`Namespace ${temporal.namespace}: ${ns}, closed cases kept for ${dev.retentionDays} days.`);
    }
    const added = await ensureSearchAttributes(connection, temporal.namespace);
    if (added.length) say(`Registered search attributes: ${added.join(', ')}.`);
  } catch (err) {
    if (server) throw err;
    say(`Could not check the namespace's search attributes (${(err as Error).message}); make sure ${temporal.namespace} has them (README, "Settings").`);
  } finally {
    await connection.close();
  }
  return server;
}

async function main(): Promise<void> {
  const settings = loadSettings();
  installLogging();
  mkdirSync(settings.dataDir, { recursive: true });
  const pidFile = path.join(settings.dataDir, 'pids.json');
  stopLeftovers(pidFile);
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    rmSync(pidFile, { force: true });
  };
  // Until the worker runs (it handles Ctrl-C itself), Ctrl-C stops what has started so far.
  let workerRunning = false;
  const early = (): void => {
    if (workerRunning) return;
    say('Interrupted while starting; stopping what had started ...');
    void stopAll().finally(() => process.exit(130));
  };
  process.on('SIGINT', early);
  process.on('SIGTERM', early);
  try {
    if (!process.env.KSCP_ENCRYPTION_KEYS && ensureKeyFile(settings.keyFile)) {
      say(`Created the encryption key file ${settings.keyFile}. Keep it safe and private: without it no case details can be read.`);
    }
    const ring = loadKeys(settings.keyFile);
    let codec: CodecServer | undefined;
    if (!settings.externalTemporal) {
      const ui = settings.devServer.uiPort;
      codec = await startCodecServer({
        codec: new EncryptionCodec(ring),
        port: settings.codec.port,
        host: settings.codec.host,
        allowedOrigins: settings.codec.allowedOrigins ?? [`http://127.0.0.1:${ui}`, `http://localhost:${ui}`],
        token: settings.codec.token,
      });
      stops.push(codec.close);
    }
    const server = await prepareTemporal(settings, codec?.url);
    const pids: Record<string, number> = {};
    if (server) {
      stops.push(server.stop);
      pids['Temporal dev server'] = server.process.pid!;
    }
    let mail: MailCatcher | undefined;
    if (!settings.externalSmtp) {
      mail = await startMailCatcher({ ...settings.mailCatcher, logFile: path.join(settings.dataDir, 'maildev.log') });
      stops.push(mail.stop);
      pids['mail catcher'] = mail.process.pid!;
    }
    writeFileSync(pidFile, JSON.stringify(pids));
    const worker = await createIncidentWorker(settings);
    const { temporal } = settings;
    say('');
    say('KSCP serious-incident workflows are running.');
    if (server?.uiUrl) say(`  Temporal Web UI (cases):   ${server.uiUrl}/namespaces/${temporal.namespace}/workflows`);
    if (codec) say(`  Codec server (decrypts case details for the Web UI): ${codec.url}`);
    if (mail) say(`  Mail catcher (reminders):  ${mail.webUrl}   (SMTP on 127.0.0.1:${settings.mailCatcher.smtpPort})`);
    else say(`  Email goes to:             ${settings.smtp.host}:${settings.smtp.port}`);
    say(`  Temporal:                  ${temporal.address}, namespace ${temporal.namespace}, task queue ${temporal.taskQueue}`);
    if (server) say(`  Data:                      ${settings.dataDir} (temporal.db, keys.json, temporal.log, maildev.log)`);
    say('  Record a case:             npx kscp notify --file examples/incident.json   (npx kscp --help for more)');
    say('Press Ctrl-C to stop. Open cases carry on at the next npm start.');
    workerRunning = true;
    await runIncidentWorker(worker);
    say('Worker stopped; stopping the mail catcher and the Temporal dev server ...');
  } finally {
    await stopAll();
  }
  say('Stopped. Cases are kept; `npm start` carries on with them.');
}

main().catch((err: unknown) => {
  process.stderr.write(`npm start: ${(err as Error).message}\n`);
  process.exitCode = 1;
});
