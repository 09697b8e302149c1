/**
 * `npm start`: everything the Business Unit needs on one machine, in the
 * foreground. The Temporal dev server (persisted to data/temporal.db, headless)
 * with the standalone Web UI server in front of it on 8233, read-only (no
 * start, signal, reset or terminate from the UI: every change goes through
 * `kscp`), the codec server that decrypts for the UI and for the Go CLI with
 * the token in data/codec-token, a mail catcher (maildev, SMTP 1025, web 1080)
 * unless SMTP_HOST is set, and the incident worker. With TEMPORAL_ADDRESS it
 * uses that Temporal instead of starting one. Ctrl-C stops the worker first,
 * then the rest.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadSettings, type Settings } from '../src/config';
import { connect } from '../src/temporal';
import { startDevServer, type DevServer } from '../src/toolchain/devServer';
import { ensureTemporalCli } from '../src/toolchain/temporalCli';
import { ensureNamespace, ensureSearchAttributes } from '../src/toolchain/serverSetup';
import { ensureUiServer, startUiServer, type UiServer } from '../src/toolchain/uiServer';
import { ensureKeyFile, EncryptionCodec, loadKeys } from '../src/codec';
import { recordedCases } from '../src/keyGuard';
import { loadReferenceFormat } from '../src/referenceFormat';
import { startBoardServer } from './boardServer';
import { ensureCodecTokenFile, startCodecServer, type CodecServer } from './codecServer';
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

/** The dev server and the Web UI (unless TEMPORAL_ADDRESS names another Temporal); each pushes its stop onto `stops` as it starts. */
async function prepareTemporal(settings: Settings, codecUrl: string | undefined, stops: Array<() => Promise<void>>): Promise<{ server?: DevServer; ui?: UiServer }> {
  const { temporal, devServer: dev, dataDir } = settings;
  let server: DevServer | undefined;
  let ui: UiServer | undefined;
  if (!settings.externalTemporal) {
    const cli = await ensureTemporalCli(say);
    const uiServer = await ensureUiServer(say);
    say(`Starting the Temporal dev server (${cli.how}: ${cli.path}) with its data in ${path.join(dataDir, 'temporal.db')} ...`);
    server = await startDevServer({
      binary: cli.path,
      dbFile: path.join(dataDir, 'temporal.db'),
      port: dev.port,
      namespace: temporal.namespace,
      logFile: path.join(dataDir, 'temporal.log'),
    });
    stops.push(server.stop);
    // The dev server's own UI cannot switch off write actions: the standalone UI server can (src/toolchain/uiServer.ts).
    ui = await startUiServer({
      binary: uiServer.path,
      configRoot: path.join(dataDir, 'ui'),
      logFile: path.join(dataDir, 'temporal-ui.log'),
      temporalAddress: server.address,
      host: '127.0.0.1',
      port: dev.uiPort,
      defaultNamespace: temporal.namespace,
      codec: codecUrl ? { endpoint: codecUrl } : undefined,
      writeActions: false,
    });
    stops.push(ui.stop);
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
  return { server, ui };
}

/** The codec server's token: KSCP_CODEC_TOKEN(_FILE), or data/codec-token, made on the first run. */
function codecToken(settings: Settings): { token: string; shell: string } {
  if (settings.codec.token) {
    const shell = process.env.KSCP_CODEC_TOKEN_FILE ? `$(cat ${process.env.KSCP_CODEC_TOKEN_FILE})` : '$KSCP_CODEC_TOKEN';
    return { token: settings.codec.token, shell };
  }
  const file = path.join(settings.dataDir, 'codec-token');
  const { token, created } = ensureCodecTokenFile(file);
  if (created) say(`Created the codec server's token in ${file} (readable by you only): the Go CLI sends it to read decrypted case details.`);
  return { token, shell: `$(cat ${file})` };
}

async function main(): Promise<void> {
  const settings = loadSettings();
  // The partnership's reference format: a file that cannot be used stops the start, with the reason.
  loadReferenceFormat(settings.referenceFile);
  installLogging();
  // The data folder holds the database, the logs and the keys: its owner's only, from the first run.
  mkdirSync(settings.dataDir, { recursive: true, mode: 0o700 });
  if (statSync(settings.dataDir).mode & 0o077) {
    say(`Warning: the data folder ${settings.dataDir} is open to other users of this machine (mode ${(statSync(settings.dataDir).mode & 0o777).toString(8)}); \`chmod 700 ${settings.dataDir}\` keeps the case database and logs to you.`);
  }
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
    if (!process.env.KSCP_ENCRYPTION_KEYS && !existsSync(settings.keyFile)) {
      // Only on a fresh installation: where cases exist, a new key would read none of them.
      ensureKeyFile(settings.keyFile, await recordedCases(settings));
      say(`Created the encryption key file ${settings.keyFile}. Keep it safe and private, and back it up: without it no case details can be read (docs/security.md).`);
    }
    const ring = loadKeys(settings.keyFile);
    let codec: CodecServer | undefined;
    let cliAuth: string | undefined;
    if (!settings.externalTemporal) {
      const ui = settings.devServer.uiPort;
      const { token, shell } = codecToken(settings);
      cliAuth = shell;
      codec = await startCodecServer({
        codec: new EncryptionCodec(ring),
        port: settings.codec.port,
        host: settings.codec.host,
        allowedOrigins: settings.codec.allowedOrigins ?? [`http://127.0.0.1:${ui}`, `http://localhost:${ui}`],
        token,
        log: (line) => process.stderr.write(`codec server: ${line}\n`),
      });
      stops.push(codec.close);
    }
    const { server, ui } = await prepareTemporal(settings, codec?.url, stops);
    const pids: Record<string, number> = {};
    if (server) pids['Temporal dev server'] = server.process.pid!;
    if (ui) pids['Temporal Web UI server'] = ui.process.pid!;
    let mail: MailCatcher | undefined;
    if (!settings.externalSmtp) {
      mail = await startMailCatcher({ ...settings.mailCatcher, logFile: path.join(settings.dataDir, 'maildev.log') });
      stops.push(mail.stop);
      pids['mail catcher'] = mail.process.pid!;
    }
    writeFileSync(pidFile, JSON.stringify(pids));
    const worker = await createIncidentWorker(settings);
    const { temporal } = settings;
    // The managers' case board, read-only, on loopback (workers/boardServer.ts).
    const board = await startBoardServer({
      port: settings.board.port,
      host: settings.board.host,
      publicUrls: settings.board.url ? [settings.board.url] : [],
      uiUrl: settings.board.uiUrl ?? ui?.url,
      namespace: temporal.namespace,
      log: (line) => process.stderr.write(`case board: ${line}\n`),
    });
    stops.push(board.close);
    say('');
    say('KSCP serious-incident workflows are running.');
    if (ui) say(`  Temporal Web UI (cases):   ${ui.url}/namespaces/${temporal.namespace}/workflows   (read-only: record steps with npx kscp)`);
    say(`  Case board (managers):     ${board.url}/   (open cases, this week; each case links to the Web UI)`);
    if (codec) say(`  Codec server (decrypts case details for the Web UI): ${codec.url}`);
    if (codec && cliAuth) {
      say(
        `  Go CLI, decrypted:         temporal workflow show --detailed --address ${temporal.address} --namespace ${temporal.namespace} --workflow-id incident-<ref> ` +
          `--codec-endpoint ${codec.url} --codec-auth "Bearer ${cliAuth}"`,
      );
    }
    if (mail) say(`  Mail catcher (reminders):  ${mail.webUrl}   (SMTP on 127.0.0.1:${settings.mailCatcher.smtpPort})`);
    else say(`  Email goes to:             ${settings.smtp.host}:${settings.smtp.port}`);
    say(`  Temporal:                  ${temporal.address}, namespace ${temporal.namespace}, task queue ${temporal.taskQueue}`);
    if (server) say(`  Data:                      ${settings.dataDir} (temporal.db, keys.json, codec-token, temporal.log, temporal-ui.log, maildev.log)`);
    say(`  Case archive:              ${worker.archive.where}   (closed cases after Temporal's retention; npx kscp report)`);
    say('  Record a case:             npx kscp notify --file examples/incident.json   (npx kscp --help for more)');
    say('Press Ctrl-C to stop. Open cases carry on at the next npm start.');
    workerRunning = true;
    await runIncidentWorker(worker);
    say('Worker stopped; stopping the mail catcher, the Web UI and the Temporal dev server ...');
  } finally {
    await stopAll();
  }
  say('Stopped. Cases are kept; `npm start` carries on with them.');
}

main().catch((err: unknown) => {
  process.stderr.write(`npm start: ${(err as Error).message}\n`);
  process.exitCode = 1;
});
