/**
 * The incident worker: runs the workflow code and the activities against a
 * Temporal namespace. Used by `npm run worker` (workers/main.ts) and by
 * `npm start` (workers/start.ts).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import { noLedger, openEmailLedger, type EmailLedger } from '../activities/emailLedger';
import { createSmtpMailer, type Mailer } from '../activities/mailer';
import { openArchive, type CaseArchive } from '../src/archive';
import { loadCalendar } from '../src/calendar';
import { dataConverter, loadKeys } from '../src/codec';
import { ConfigError, PACKAGE_ROOT, type Settings, type TemporalSettings } from '../src/config';
import { loadDirectory } from '../src/directory';
import { workflowBundleOptions } from './bundle';

export interface IncidentWorker {
  worker: Worker;
  connection: NativeConnection;
  mailer: Mailer;
  /** Where the workflow code came from, for the start-up line. */
  workflowCode: string;
  archive: CaseArchive;
  /** The email ledger, in the archive's database (or off, for the fault tests only). */
  ledger: EmailLedger;
}

/** Check what a wrong setting would break later (config files, keys, the bundle) before connecting. */
export async function checkWorkerSettings(settings: Settings): Promise<void> {
  await loadDirectory(settings.directoryFile);
  await loadCalendar(settings.calendarFile);
  loadKeys(settings.keyFile);
  const bundle = settings.workflowCode.bundle;
  if (bundle && !existsSync(bundle)) {
    throw new ConfigError(`the workflow bundle ${bundle} does not exist: run \`npm run build\` (it writes dist/workflow-bundle.js), or set KSCP_WORKFLOW_BUNDLE to the file`);
  }
}

/** A file as an operator names it in messages: relative to the project when inside it. */
function displayPath(file: string): string {
  const relative = path.relative(PACKAGE_ROOT, file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

export function connectWorker(temporal: TemporalSettings): Promise<NativeConnection> {
  return NativeConnection.connect({ address: temporal.address, tls: temporal.tls ?? false, apiKey: temporal.apiKey });
}

export async function createIncidentWorker(settings: Settings, connection?: NativeConnection): Promise<IncidentWorker> {
  // Fail at start-up, not at the first email, when a config file, the keys or the bundle are wrong.
  await checkWorkerSettings(settings);
  const { temporal } = settings;
  connection ??= await connectWorker(temporal);
  const mailer = createSmtpMailer(settings.smtp);
  // The worker never acts on, nor fails its task over, a payload it cannot trust (DESIGN.md §7).
  const converter = dataConverter(loadKeys(settings.keyFile), 'worker');
  let workflowBundle: WorkerOptions['workflowBundle'];
  let workflowCode: string;
  const prebuilt = settings.workflowCode.bundle;
  if (prebuilt) {
    // Production: the bundle `npm run build` made, with the same failure converter (workers/bundle.ts).
    workflowBundle = { codePath: prebuilt };
    workflowCode = `bundle ${prebuilt}`;
  } else {
    workflowBundle = await bundleWorkflowCode(workflowBundleOptions());
    workflowCode = 'bundled from source at start';
  }
  const archive = openArchive(settings.archive, loadKeys(settings.keyFile));
  // Several workers on several hosts share the ledger only when the archive is PostgreSQL (KSCP_ARCHIVE_URL).
  const ledger = settings.emailLedger === 'off' ? noLedger() : openEmailLedger(settings.archive);
  const worker = await Worker.create({
    connection,
    dataConverter: converter,
    namespace: temporal.namespace,
    taskQueue: temporal.taskQueue,
    workflowBundle,
    shutdownGraceTime: settings.shutdownGraceSeconds * 1000,
    // One V8 context for all cases (the SDK's default since 1.9, set here so it stays so): the bundle is
    // loaded once and the modules it loads at start are shared; each case gets only its own copy of
    // the modules it imports (the process and the workflow, no zod: src/process/inputs.ts). With one
    // context per case instead, every cached case would carry the whole bundle and the SDK's globals.
    reuseV8Context: true,
    maxCachedWorkflows: settings.maxCachedWorkflows,
    // A case's next task goes first to the worker that holds it in memory. If that worker died (several
    // workers on a cluster), Temporal gives the task to any worker after this long: the SDK's 10 s let a
    // `kscp` query on such a case fail ("Failed to query Workflow"); a replay elsewhere is cheap.
    stickyQueueScheduleToStartTimeout: '3s',
    activities: createActivities({
      mailer,
      directory: () => loadDirectory(settings.directoryFile),
      calendar: () => loadCalendar(settings.calendarFile),
      deadlineSettings: { websiteRetentionMonths: settings.websiteRetentionMonths },
      directoryFile: displayPath(settings.directoryFile),
      ledger,
      archive,
      faultPauseAt: settings.faultPauseAt,
    }),
  });
  return { worker, connection, mailer, workflowCode, archive, ledger };
}

/**
 * Run until the process is asked to stop (SIGINT/SIGTERM: the SDK's runtime then shuts the worker
 * down, letting running activities finish within the grace time), then close everything.
 */
export async function runIncidentWorker(w: IncidentWorker): Promise<void> {
  try {
    await w.worker.run();
  } finally {
    w.mailer.close();
    await w.ledger.close();
    await w.archive.close();
    await w.connection.close();
  }
}
