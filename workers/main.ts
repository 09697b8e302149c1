/**
 * The worker on its own (`npm run worker`), for a deployment where Temporal
 * and SMTP already run elsewhere. Settings come from the environment.
 */
import { loadSettings } from '../src/config';
import { installLogging } from './logging';
import { createIncidentWorker, runIncidentWorker } from './worker';

async function main(): Promise<void> {
  const settings = loadSettings();
  installLogging();
  const w = await createIncidentWorker(settings);
  process.stdout.write(
    `kscp worker: task queue ${settings.temporal.taskQueue} on ${settings.temporal.address} (namespace ${settings.temporal.namespace}); mail via ${settings.smtp.host}:${settings.smtp.port}; case archive ${w.archive.where}\n`,
  );
  await runIncidentWorker(w);
}

main().catch((err: unknown) => {
  process.stderr.write(`kscp worker: ${(err as Error).message}\n`);
  process.exit(1);
});
