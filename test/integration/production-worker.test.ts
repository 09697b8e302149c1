/**
 * The production worker as a deployment runs it: NODE_ENV=production, so the workflow code comes
 * from the bundle `npm run build` wrote (dist/workflow-bundle.js), with the health endpoint on.
 * Real parts: the Temporal dev server, a real SMTP server, the real `kscp`, the worker as its own
 * process stopped with SIGTERM as `docker stop` does.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { addDays } from '../../src/process/dates';
import { londonDate } from '../../src/london';
import type { StatusJson } from '../../src/cli/commands/status';
import { startDevServer, type DevServer } from '../../src/toolchain/devServer';
import { fictionalForm, nextRef, REPO_ROOT, TEST_KEYS } from '../helpers/fixtures';
import { freePort, kscp, startNode, type Child } from '../helpers/processes';
import { startMailbox, type Mailbox } from '../helpers/smtp';
import { temporalCliPath } from '../helpers/toolchain';

const NAMESPACE = 'kscp-prod';
const tmp = mkdtempSync(path.join(os.tmpdir(), 'kscp-prod-'));
const BUNDLE = path.join(REPO_ROOT, 'dist', 'workflow-bundle.js');

interface Probe {
  status: number;
  body: { ready?: boolean; alive?: boolean; detail?: string };
}

async function probe(url: string): Promise<Probe> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as Probe['body'] };
}

/** Ask until `want` holds (the endpoint answers at once; the worker needs a moment to connect). */
async function probeUntil(url: string, want: (p: Probe) => boolean, ms = 60_000): Promise<Probe> {
  const until = Date.now() + ms;
  let last: Probe | string = 'no answer';
  while (Date.now() < until) {
    try {
      last = await probe(url);
      if (want(last)) return last;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} never gave the expected answer; last: ${JSON.stringify(last)}`);
}

describe('the production worker, from the build-time bundle, on a real dev server', () => {
  let server: DevServer;
  let mailbox: Mailbox;
  let worker: Child;
  let env: NodeJS.ProcessEnv;
  let health: string;

  beforeAll(async () => {
    server = await startDevServer({ binary: temporalCliPath(), port: await freePort(), namespace: NAMESPACE, logFile: path.join(tmp, 'temporal.log') });
    mailbox = await startMailbox();
    const healthPort = await freePort();
    health = `http://127.0.0.1:${healthPort}`;
    env = {
      NODE_ENV: 'production',
      KSCP_DATA_DIR: tmp,
      KSCP_ENCRYPTION_KEYS: TEST_KEYS,
      TEMPORAL_ADDRESS: server.address,
      TEMPORAL_NAMESPACE: NAMESPACE,
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(mailbox.port),
      KSCP_HEALTH_PORT: String(healthPort),
      KSCP_SHUTDOWN_GRACE_SECONDS: '5',
    };
  }, 120_000);

  afterAll(async () => {
    await worker?.stop('SIGKILL');
    await mailbox?.close();
    await server?.stop();
  });

  it('says it is ready with its task queue, namespace and the bundle, and /readyz answers 200', async () => {
    worker = startNode('dist/workers/main.js', env);
    await worker.waitForOutput(/ready; workflow code: /);
    const line = worker.output().split('\n').find((l) => l.includes('ready; workflow code'))!;
    expect(line).toContain(`task queue kscp-incidents on ${server.address} (namespace ${NAMESPACE}, no TLS)`);
    expect(line).toContain(`workflow code: bundle ${BUNDLE}`);
    expect(line).toContain(`health on ${health}/healthz and ${health}/readyz`);
    const ready = await probeUntil(`${health}/readyz`, (p) => p.status === 200);
    expect(ready.body).toEqual({ ready: true, detail: `polling task queue kscp-incidents in namespace ${NAMESPACE} on ${server.address}` });
    expect(await probe(`${health}/healthz`)).toEqual({ status: 200, body: { alive: true } });
  });

  it('runs a case: kscp notify opens it, the workflow sends the notice, kscp status reads it', async () => {
    const ref = nextRef(2026);
    const today = londonDate(new Date());
    const file = path.join(tmp, `${ref}.json`);
    writeFileSync(file, JSON.stringify(fictionalForm({ ref, incidentDate: addDays(today, -1), knownAt: new Date(Date.now() - 3_600_000).toISOString(), laAwareOn: today })));
    const notify = await kscp(['notify', '--file', file], env);
    expect(notify.stderr).toBe('');
    expect(notify.code).toBe(0);
    const notice = await mailbox.waitFor((m) => m.subject?.startsWith(`[${ref}]`) === true);
    expect(notice.headers.get('x-kscp-deadline')).toBe('panel-notification');
    const status = await kscp(['status', ref, '--json'], env);
    expect(status.code).toBe(0);
    expect((JSON.parse(status.stdout) as StatusJson).stage).toBe('LA_DECISION');
  });

  it('on SIGTERM stops taking work, lets the email being handed over finish, then exits 0', async () => {
    // The next case's notice is held at the mail server's greeting: the sending activity is running.
    const stall = mailbox.stall();
    const ref = nextRef(2026);
    const today = londonDate(new Date());
    const file = path.join(tmp, `${ref}.json`);
    writeFileSync(file, JSON.stringify(fictionalForm({ ref, incidentDate: addDays(today, -1), knownAt: new Date(Date.now() - 3_600_000).toISOString(), laAwareOn: today })));
    expect(await kscp(['notify', '--file', file], env)).toMatchObject({ code: 0 });
    await stall.connected;

    const exited = worker.stop('SIGTERM');
    await worker.waitForOutput(/SIGTERM received; stopping \(running activities get up to 5 s to finish\)/);
    expect((await probe(`${health}/readyz`)).status).toBe(503);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(worker.process.exitCode).toBeNull(); // still waiting for the activity
    stall.release();

    const notice = await mailbox.waitFor((m) => m.subject?.startsWith(`[${ref}]`) === true);
    expect(notice.headers.get('x-kscp-deadline')).toBe('panel-notification');
    expect(await exited).toBe(0);
    expect(worker.output()).toContain('kscp worker: stopped cleanly.');
    await expect(fetch(`${health}/healthz`)).rejects.toThrow();
  });
});

describe('the production worker while Temporal is unreachable', () => {
  it('keeps trying, /healthz is 200 and /readyz 503 saying why; SIGTERM still exits 0', async () => {
    const healthPort = await freePort();
    const nowhere = `127.0.0.1:${await freePort()}`;
    const health = `http://127.0.0.1:${healthPort}`;
    const worker = startNode('dist/workers/main.js', {
      NODE_ENV: 'production',
      KSCP_DATA_DIR: tmp,
      KSCP_ENCRYPTION_KEYS: TEST_KEYS,
      TEMPORAL_ADDRESS: nowhere,
      SMTP_HOST: '127.0.0.1',
      KSCP_HEALTH_PORT: String(healthPort),
    });
    try {
      await worker.waitForOutput(new RegExp(`cannot reach Temporal at ${nowhere}.*; trying again in 5 s`));
      const notReady = await probeUntil(`${health}/readyz`, (p) => p.status !== 0);
      expect(notReady.status).toBe(503);
      expect(notReady.body.ready).toBe(false);
      expect(notReady.body.detail).toMatch(new RegExp(`^cannot reach Temporal at ${nowhere} \\(.*Connection refused`));
      expect(await probe(`${health}/healthz`)).toEqual({ status: 200, body: { alive: true } });
      expect(await worker.stop('SIGTERM')).toBe(0);
      expect(worker.output()).toContain('kscp worker: stopped before Temporal answered.');
    } finally {
      await worker.stop('SIGKILL');
    }
  });
});
