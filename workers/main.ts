/**
 * The worker on its own (`npm run worker`; the container's command), for a deployment where
 * Temporal and SMTP already run elsewhere. Settings come from the environment (README,
 * "Settings"; docs/deployment.md). With NODE_ENV=production it runs the workflow bundle made by
 * `npm run build`. Until Temporal answers it keeps trying (every 5 s), so it can start before the
 * server; with KSCP_HEALTH_PORT set, /healthz and /readyz say how it is. SIGTERM or SIGINT stop
 * it gracefully: no new tasks, running activities get KSCP_SHUTDOWN_GRACE_SECONDS to finish, exit 0.
 */
import type { NativeConnection } from '@temporalio/worker';
import { describeSmtpSecurity } from '../activities/mailer';
import { KeyError } from '../src/codec';
import { ConfigError, loadSettings, type Settings } from '../src/config';
import { startHealthServer, type HealthServer, type Readiness } from './health';
import { describeError, installLogging } from './logging';
import { checkWorkerSettings, connectWorker, createIncidentWorker, runIncidentWorker, type IncidentWorker } from './worker';

const say = (line: string): void => void process.stdout.write(`${line}\n`);
const warn = (line: string): void => void process.stderr.write(`${line}\n`);
const RETRY_MS = 5_000;

function security(settings: Settings): string {
  const { tls, apiKey } = settings.temporal;
  const parts = [tls ? (tls.clientCertPair ? 'mutual TLS' : 'TLS') : 'no TLS'];
  if (apiKey) parts.push('API key');
  return parts.join(', ');
}

async function main(): Promise<number> {
  const settings = loadSettings();
  installLogging();
  await checkWorkerSettings(settings);
  const { temporal } = settings;

  let stopping = false;
  let wakeUp: (() => void) | undefined;
  // The SDK's runtime also listens and shuts the worker down; this only stops the connecting loop and readiness.
  const onSignal = (signal: NodeJS.Signals): void => {
    if (!stopping) say(`kscp worker: ${signal} received; stopping (running activities get up to ${settings.shutdownGraceSeconds} s to finish) ...`);
    stopping = true;
    wakeUp?.();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  let notReady = `connecting to Temporal at ${temporal.address}`;
  let w: IncidentWorker | undefined;
  const readiness = async (): Promise<Readiness> => {
    if (stopping) return { ready: false, detail: 'shutting down' };
    if (!w) return { ready: false, detail: notReady };
    const state = w.worker.getState();
    if (state !== 'RUNNING') return { ready: false, detail: `the worker is ${state.toLowerCase()}` };
    try {
      await w.connection.withDeadline(Date.now() + 3_000, () => w!.connection.workflowService.getSystemInfo({}));
    } catch (err) {
      return { ready: false, detail: `Temporal at ${temporal.address} does not answer (${(err as Error).message.split('\n')[0]})` };
    }
    return { ready: true, detail: `polling task queue ${temporal.taskQueue} in namespace ${temporal.namespace} on ${temporal.address}` };
  };
  let health: HealthServer | undefined;
  if (settings.health) health = await startHealthServer({ ...settings.health, readiness });

  try {
    let connection: NativeConnection | undefined;
    while (!connection && !stopping) {
      try {
        connection = await connectWorker(temporal);
      } catch (err) {
        notReady = `cannot reach Temporal at ${temporal.address} (${(err as Error).message.split('\n')[0]})`;
        warn(`kscp worker: ${notReady}; trying again in ${RETRY_MS / 1000} s`);
        await new Promise<void>((resolve) => {
          wakeUp = resolve;
          setTimeout(resolve, RETRY_MS).unref();
        });
      }
    }
    if (!connection) {
      say('kscp worker: stopped before Temporal answered.');
      return 0;
    }
    w = await createIncidentWorker(settings, connection);
    const running = runIncidentWorker(w);
    // The SDK moves the worker to RUNNING as run() starts polling: say so once, for operators and logs.
    const announce = setInterval(() => {
      if (w?.worker.getState() !== 'RUNNING') return;
      clearInterval(announce);
      say(
        `kscp worker: task queue ${temporal.taskQueue} on ${temporal.address} (namespace ${temporal.namespace}, ${security(settings)}) ready; ` +
          `workflow code: ${w.workflowCode}; mail via ${settings.smtp.host}:${settings.smtp.port} (${describeSmtpSecurity(settings.smtp)}); case archive ${w.archive.where}; ` +
          (settings.emailLedger === 'off' ? `email ledger ${w.ledger.where}` : `email ledger in the same database`) +
          (settings.faultPauseAt ? `; FAULT INJECTION (test only): email activities pause ${settings.faultPauseAt}` : '') +
          (health ? `; health on ${health.url}/healthz and ${health.url}/readyz` : ''),
      );
    }, 50);
    try {
      await running;
    } finally {
      clearInterval(announce);
    }
    say('kscp worker: stopped cleanly.');
    return 0;
  } finally {
    await health?.close();
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // A setting or a key is wrong: its message says which. Anything else: what failed, and why.
    warn(`kscp worker: ${err instanceof ConfigError || err instanceof KeyError ? err.message : describeError(err)}`);
    process.exit(1);
  },
);
