/**
 * The incident worker: runs the workflow code and the activities against a
 * Temporal namespace. Used by `npm run worker` (workers/main.ts) and by
 * `npm start` (workers/start.ts).
 */
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import { fileLedger } from '../activities/ledger';
import { createSmtpMailer, type Mailer } from '../activities/mailer';
import { loadCalendar } from '../src/calendar';
import { dataConverter, loadKeys } from '../src/codec';
import type { Settings } from '../src/config';
import { loadDirectory } from '../src/directory';

export interface IncidentWorker {
  worker: Worker;
  connection: NativeConnection;
  mailer: Mailer;
}

export async function createIncidentWorker(settings: Settings): Promise<IncidentWorker> {
  // Fail at start-up, not at the first email, when a config file or the keys are wrong.
  await loadDirectory(settings.directoryFile);
  await loadCalendar(settings.calendarFile);
  loadKeys(settings.keyFile);
  const { temporal } = settings;
  const connection = await NativeConnection.connect({
    address: temporal.address,
    tls: temporal.tls ?? false,
    apiKey: temporal.apiKey,
  });
  const mailer = createSmtpMailer(settings.smtp);
  // Bundled here, quietly: the bundler's module report is noise for the Business Unit.
  const converter = dataConverter(loadKeys(settings.keyFile));
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'),
    failureConverterPath: converter.failureConverterPath,
    logger: new DefaultLogger('WARN'),
  });
  const worker = await Worker.create({
    connection,
    dataConverter: converter,
    namespace: temporal.namespace,
    taskQueue: temporal.taskQueue,
    workflowBundle,
    maxCachedWorkflows: settings.maxCachedWorkflows,
    activities: createActivities({
      mailer,
      directory: () => loadDirectory(settings.directoryFile),
      calendar: () => loadCalendar(settings.calendarFile),
      deadlineSettings: { websiteRetentionMonths: settings.websiteRetentionMonths },
      ledger: fileLedger(settings.ledgerDir),
    }),
  });
  return { worker, connection, mailer };
}

/** Run until the process is asked to stop (SIGINT/SIGTERM), then close everything. */
export async function runIncidentWorker(w: IncidentWorker): Promise<void> {
  try {
    await w.worker.run();
  } finally {
    w.mailer.close();
    await w.connection.close();
  }
}
