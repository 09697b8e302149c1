/**
 * `npm start`: everything the Business Unit needs on one machine, in the
 * foreground. The Temporal dev server (persisted to data/temporal.db, headless)
 * with the standalone Web UI server in front of it on 8233, read-only (no
 * start, signal, reset or terminate from the UI: every change goes through
 * `kscp`), the codec server that decrypts for the UI and for the Go CLI with
 * the token in data/codec-token, a mail catcher (maildev, SMTP 1025, web 1080)
 * unless SMTP_HOST is set, the managers' case board on 8236, and the incident worker. With TEMPORAL_ADDRESS it
 * uses that Temporal instead of starting one. Ctrl-C stops the worker first,
 * then the rest.
 */
import path from 'node:path';
import { loadSettings, type Settings } from '../src/config';
import { connect } from '../src/temporal';
import { startDevServer, type DevServer } from '../src/toolchain/devServer';
import { ensureTemporalCli } from '../src/toolchain/temporalCli';
import { ensureNamespace, ensureSearchAttributes } from '../src/toolchain/serverSetup';
import type { UiServer } from '../src/toolchain/uiServer';
import { loadReferenceFormat } from '../src/referenceFormat';
import { startBoardServer } from './boardServer';
import { accessLines, Launch, prepareDataDir, prepareKeys, say, startCodecForUi, startReadOnlyUi } from './launch';
import { startMailCatcher, type MailCatcher } from './mailCatcher';
import { installLogging } from './logging';
import { createIncidentWorker, runIncidentWorker } from './worker';

/** The dev server (unless TEMPORAL_ADDRESS names another Temporal), headless, and the read-only Web UI in front of it. */
async function prepareTemporal(settings: Settings, codecUrl: string | undefined, launch: Launch): Promise<{ server?: DevServer; ui?: UiServer }> {
  const { temporal, devServer: dev, dataDir } = settings;
  let server: DevServer | undefined;
  let ui: UiServer | undefined;
  if (!settings.externalTemporal) {
    const cli = await ensureTemporalCli(say);
    say(`Starting the Temporal dev server (${cli.how}: ${cli.path}) with its data in ${path.join(dataDir, 'temporal.db')} ...`);
    server = await startDevServer({
      binary: cli.path,
      dbFile: path.join(dataDir, 'temporal.db'),
      port: dev.port,
      namespace: temporal.namespace,
      logFile: path.join(dataDir, 'temporal.log'),
    });
    launch.started('Temporal dev server', server.stop, { pid: server.process.pid, match: 'temporal' });
    if (codecUrl) ui = await startReadOnlyUi(settings, server.address, codecUrl, dataDir, launch);
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

async function main(): Promise<void> {
  const settings = loadSettings();
  // The partnership's reference format: a file that cannot be used stops the start, with the reason.
  loadReferenceFormat(settings.referenceFile);
  installLogging();
  prepareDataDir(settings.dataDir);
  const launch = new Launch(settings.dataDir);
  await launch.stopLeftovers();
  // Until the worker runs (it handles Ctrl-C itself), Ctrl-C stops what has started so far.
  launch.guardStart();
  try {
    const keys = await prepareKeys(settings);
    const codec = settings.externalTemporal ? undefined : await startCodecForUi(settings, keys, launch);
    const { server, ui } = await prepareTemporal(settings, codec?.server.url, launch);
    let mail: MailCatcher | undefined;
    if (!settings.externalSmtp) {
      mail = await startMailCatcher({ ...settings.mailCatcher, logFile: path.join(settings.dataDir, 'maildev.log') });
      launch.started('mail catcher', mail.stop, { pid: mail.process.pid, match: 'maildev' });
    }
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
    launch.started('case board', board.close);
    say('');
    say('KSCP serious-incident workflows are running.');
    for (const line of accessLines(settings, temporal.address, { ui, codec, mail, board })) say(line);
    say(`  Temporal:                  ${temporal.address}, namespace ${temporal.namespace}, task queue ${temporal.taskQueue}`);
    if (server) say(`  Data:                      ${settings.dataDir} (temporal.db, keys.json, codec-token, temporal.log, temporal-ui.log, maildev.log)`);
    say(`  Case archive:              ${worker.archive.where}   (closed cases after Temporal's retention; kscp report)`);
    say('  Record a case:             kscp notify --file examples/incident.json   (kscp --help for more; `npm link` once puts kscp on PATH)');
    say('Press Ctrl-C to stop. Open cases carry on at the next npm start.');
    launch.startedAll();
    await runIncidentWorker(worker);
    say('Worker stopped; stopping the case board, the mail catcher, the Web UI and the Temporal dev server ...');
  } finally {
    await launch.stopAll();
  }
  say('Stopped. Cases are kept; `npm start` carries on with them.');
}

main().catch((err: unknown) => {
  process.stderr.write(`npm start: ${(err as Error).message}\n`);
  process.exitCode = 1;
});
