/**
 * Exactly-once across hosts, as a scenario any Temporal can host: two workers (separate processes,
 * separate data folders) share the email ledger in PostgreSQL (KSCP_ARCHIVE_URL), on a real SMTP
 * server. The worker that is sending is SIGKILLed at a chosen point of the send (a test-only pause,
 * KSCP_FAULT_PAUSE_AT, holds it there), the other worker carries on (the retry, and the case's next
 * step), and the emails are counted by Message-ID: lost (recorded by the case, never delivered) and
 * duplicated (delivered more than once). Run on the dev server
 * (test/faults/two-workers-killed-sending.faults.ts) and on the Temporal cluster on PostgreSQL
 * (test/faults/cluster.faults.ts).
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ParsedMail } from 'mailparser';
import type { FaultPoint } from '../../src/config';
import { addDays } from '../../src/process/dates';
import { workflowIdFor, type IncidentView } from '../../src/process/incident';
import { londonDate } from '../../src/london';
import { stateQuery, updates } from '../../src/process/messages';
import type { incident } from '../../workflows';
import { fictionalForm, nextRef, REPO_ROOT, TEST_KEYS } from '../helpers/fixtures';
import { startNode, type Child } from '../helpers/processes';
import type { Mailbox } from '../helpers/smtp';

/** Where the scenario runs. */
export interface Place {
  /** Temporal's frontend, the namespace and a task queue of the scenario's own. */
  address: string;
  namespace: string;
  taskQueue: string;
  /** The ledger's (and the case archive's) database, shared by the workers. */
  archiveUrl: string;
  client: Client;
  mailbox: Mailbox;
  /** Where the workers' data folders and logs go. */
  tmp: string;
}

export function twoWorkers(place: Place) {
  const { address, namespace, taskQueue, archiveUrl, client, mailbox, tmp } = place;
  const workers: Array<{ name: string; child: Child }> = [];

  /** A worker process with its own data folder, sharing the ledger (the archive's PostgreSQL) with the others. */
  async function startWorker(name: string, extra: NodeJS.ProcessEnv): Promise<Child> {
    const dataDir = path.join(tmp, name);
    mkdirSync(dataDir, { recursive: true });
    const child = startNode('dist/workers/main.js', {
      TEMPORAL_ADDRESS: address,
      TEMPORAL_NAMESPACE: namespace,
      KSCP_TASK_QUEUE: taskQueue,
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(mailbox.port),
      KSCP_ENCRYPTION_KEYS: TEST_KEYS,
      KSCP_DATA_DIR: dataDir,
      KSCP_ARCHIVE_URL: archiveUrl,
      // The bundle `npm run build` made (quick to start), without NODE_ENV=production (which ignores the fault pause).
      KSCP_WORKFLOW_BUNDLE: path.join(REPO_ROOT, 'dist', 'workflow-bundle.js'),
      KSCP_LOG_LEVEL: 'INFO',
      ...extra,
    });
    workers.push({ name, child });
    await child.waitForOutput(/kscp worker: task queue .* ready/);
    return child;
  }

  /** Worker logs go to files; a failing test names them. */
  function keepLogs(label: string, children: Record<string, Child>): string {
    const files = Object.entries(children).map(([who, c]) => {
      const file = path.join(tmp, `${label}-${who}.log`);
      writeFileSync(file, c.output());
      return file;
    });
    return files.join(', ');
  }

  async function stateOf(handle: WorkflowHandle<typeof incident>, until: (s: IncidentView) => boolean, ms: number): Promise<IncidentView> {
    const deadline = Date.now() + ms;
    let last: IncidentView | undefined;
    for (;;) {
      last = await handle.query(stateQuery).catch(() => last);
      if (last && until(last)) return last;
      if (Date.now() > deadline) throw new Error(`the case did not get there within ${ms / 1000} s; last state: stage ${last?.stage}, ${last?.reminders.length ?? '?'} reminders recorded`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  interface Count {
    /** Message-IDs the case recorded as sent. */
    recorded: string[];
    /** Deliveries of this case's emails, per Message-ID. */
    copies: Map<string, ParsedMail[]>;
    lost: string[];
    duplicated: Array<{ messageId: string; copies: number; deadline: string; level: string }>;
  }

  function count(ref: string, state: IncidentView): Count {
    const copies = new Map<string, ParsedMail[]>();
    for (const m of mailbox.messages.filter((x) => x.headers.get('x-kscp-case') === ref)) copies.set(m.messageId!, [...(copies.get(m.messageId!) ?? []), m]);
    const recorded = state.reminders.map((r) => r.messageId);
    return {
      recorded,
      copies,
      lost: recorded.filter((id) => !copies.has(id)),
      duplicated: [...copies.entries()]
        .filter(([, ms]) => ms.length > 1)
        .map(([messageId, ms]) => ({ messageId, copies: ms.length, deadline: String(ms[0]!.headers.get('x-kscp-deadline')), level: String(ms[0]!.headers.get('x-kscp-level')) })),
    };
  }

  /**
   * One case, one kill: worker A (paused at `point`) sends the case's first notice; worker B starts;
   * A is SIGKILLed; B must finish the notice (the retry) and the case's next step and its notice.
   */
  async function killWhileSending(point: FaultPoint, ledger: 'on' | 'off'): Promise<Count & { ref: string; logs: string; tookOver: boolean; foundSent: boolean; secondsToRecover: number }> {
    const label = `${point}-ledger-${ledger}`;
    const ledgerEnv = ledger === 'off' ? { KSCP_EMAIL_LEDGER: 'off' } : {};
    const a = await startWorker(`${label}-a`, { ...ledgerEnv, KSCP_FAULT_PAUSE_AT: point });
    let b: Child | undefined;
    try {
      const today = londonDate(new Date());
      const form = fictionalForm({ ref: nextRef(2026), incidentDate: addDays(today, -1), knownAt: new Date(Date.now() - 3_600_000).toISOString(), laAwareOn: today });
      const handle = await client.workflow.start<typeof incident>('incident', { workflowId: workflowIdFor(form.ref), taskQueue, args: [{ form, formReceivedAt: new Date().toISOString(), checkedAt: new Date().toISOString() }] });
      // A holds the Panel notification's level-1 notice at the kill point.
      await a.waitForOutput(new RegExp(`FAULT INJECTION \\(test only\\): paused ${point} .*ref=${form.ref}`), 60_000);
      if (point !== 'after-claim') expect(mailbox.messages.filter((m) => m.headers.get('x-kscp-case') === form.ref)).toHaveLength(1);
      b = await startWorker(`${label}-b`, ledgerEnv);
      await a.stop('SIGKILL');
      const killedAt = Date.now();
      // B carries on: the retried notice is recorded by the case ...
      await stateOf(handle, (s) => s.reminders.length >= 1, 180_000);
      const secondsToRecover = (Date.now() - killedAt) / 1000;
      // ... and the next step is recorded and its notice goes out.
      await handle.executeUpdate(updates.laDecision, { args: [{ notifiable: true, panelNotifiedOn: today, ofsted: 'not-required', decidedBy: 'Fault Officer' }] });
      const state = await stateOf(handle, (s) => s.reminders.some((r) => r.deadline === 'rapid-review'), 60_000);
      await mailbox.waitFor((m) => m.headers.get('x-kscp-case') === form.ref && m.headers.get('x-kscp-deadline') === 'rapid-review', 60_000);
      // Time for a late copy to arrive, if one were coming.
      await new Promise((r) => setTimeout(r, 3_000));
      const tookOver = /an earlier attempt claimed this email and stopped before recording it/.test(b.output());
      const foundSent = /email already sent; not sending again/.test(b.output());
      await b.stop();
      return { ...count(form.ref, state), ref: form.ref, logs: keepLogs(label, { a, b }), tookOver, foundSent, secondsToRecover };
    } catch (err) {
      const logs = keepLogs(label, b ? { a, b } : { a });
      await b?.stop('SIGKILL');
      throw new Error(`${(err as Error).message}\nworker logs: ${logs}`);
    } finally {
      await a.stop('SIGKILL');
    }
  }

  const describeCount = (c: Count) =>
    `${c.recorded.length} reminders recorded, ${c.copies.size} received, lost ${c.lost.length}, duplicated ${c.duplicated.reduce((n, d) => n + d.copies - 1, 0)}` +
    (c.duplicated.length ? ` (${c.duplicated.map((d) => `${d.deadline} L${d.level} ${d.copies} copies, one Message-ID ${d.messageId}`).join('; ')})` : '');

  /** Stop every worker the scenario started (afterAll). */
  const stopAll = async (): Promise<void> => {
    for (const w of workers) await w.child.stop('SIGKILL');
  };
  return { killWhileSending, describeCount, stopAll };
}
