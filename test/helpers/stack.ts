/**
 * The real parts most integration tests run against: a Temporal dev server (the toolchain's CLI),
 * a real SMTP server, and the worker as its own process (dist/workers/main.js), with the test keys.
 * `env` is what the worker got, and what `kscp` needs to reach the same server.
 */
import { startDevServer, type DevServer } from '../../src/toolchain/devServer';
import { TEST_KEYS } from './fixtures';
import { freePort, startNode, type Child } from './processes';
import { startMailbox, type Mailbox } from './smtp';
import { suiteSideFile } from './suiteLog';
import { temporalCliPath } from './toolchain';

export interface Stack {
  server: DevServer;
  mailbox: Mailbox;
  worker: Child;
  env: NodeJS.ProcessEnv;
  /** Stop the worker, then the mail server and the dev server (whatever was started). */
  stop(): Promise<void>;
}

export async function startStack(opts: { namespace: string; dataDir: string; env?: NodeJS.ProcessEnv }): Promise<Stack> {
  const server = await startDevServer({ binary: temporalCliPath(), port: await freePort(), namespace: opts.namespace, logFile: suiteSideFile('temporal.log') });
  const mailbox = await startMailbox();
  const env: NodeJS.ProcessEnv = {
    KSCP_DATA_DIR: opts.dataDir,
    KSCP_ENCRYPTION_KEYS: TEST_KEYS,
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_NAMESPACE: opts.namespace,
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(mailbox.port),
    ...opts.env,
  };
  const worker = startNode('dist/workers/main.js', env);
  const stop = async (): Promise<void> => {
    await worker.stop();
    await mailbox.close();
    await server.stop();
  };
  try {
    await worker.waitForOutput(/kscp worker: task queue/);
  } catch (err) {
    await stop();
    throw err;
  }
  return { server, mailbox, worker, env, stop };
}
