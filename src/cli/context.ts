/**
 * What every `kscp` command needs: settings, the directory, a Temporal client, today's London date.
 *
 * The heavy modules (the Temporal client with its gRPC and protobuf definitions, the encryption
 * codec, date-holidays) are loaded only by the commands that use them, so that `kscp --help`,
 * `kscp calendar ...` and one recorded message start quickly (`npm run bench` measures it).
 */
import type { Client, WorkflowExecutionDescription, WorkflowHandle } from '@temporalio/client';
import type { WorkingDayCalendar } from '../calendar';
import type { KeyRing } from '../codec';
import { ConfigError, loadSettings, type Settings } from '../config';
import type { Directory } from '../directory';
import { workflowIdFor } from '../process/incident';
import { londonDate } from '../london';
import { checkRef, loadReferenceFormat, ReferenceFormatError, type ReferenceFormat } from '../referenceFormat';
import { FAILING_TASK_ATTEMPTS } from './attentionKinds';
import { badInput, CliError, EXIT } from './errors';

export function settings(): Settings {
  try {
    return loadSettings();
  } catch (err) {
    if (err instanceof ConfigError) throw badInput(err.message);
    throw err;
  }
}

export async function directory(s: Settings): Promise<Directory> {
  try {
    const { loadDirectory } = await import('../directory');
    return await loadDirectory(s.directoryFile);
  } catch (err) {
    throw new CliError(`${(err as Error).message} (KSCP_DIRECTORY_FILE)`, EXIT.badInput);
  }
}

export async function calendar(s: Settings): Promise<WorkingDayCalendar> {
  try {
    const { loadCalendar } = await import('../calendar');
    return await loadCalendar(s.calendarFile);
  } catch (err) {
    throw new CliError(`${(err as Error).message} (KSCP_CALENDAR_FILE)`, EXIT.badInput);
  }
}

export async function keys(s: Settings): Promise<KeyRing> {
  const { KeyError, loadKeys } = await import('../codec');
  try {
    return loadKeys(s.keyFile);
  } catch (err) {
    if (err instanceof KeyError) throw new CliError(err.message, EXIT.badInput);
    throw err;
  }
}

/** One client per settings for the life of the process (the case board asks many times; `kscp` once). */
const clients = new Map<string, Promise<Client>>();

export async function client(s: Settings): Promise<Client> {
  const key = JSON.stringify([s.temporal, s.keyFile, process.env.KSCP_ENCRYPTION_KEYS ?? '']);
  let made = clients.get(key);
  if (!made) {
    made = connectWith(s);
    clients.set(key, made);
    // A failed connection is not kept: the next call tries again.
    made.catch(() => clients.delete(key));
  }
  return made;
}

async function connectWith(s: Settings): Promise<Client> {
  const ring = await keys(s);
  const { connectClient, TemporalUnreachable } = await import('../temporal');
  try {
    return await connectClient(s.temporal, ring);
  } catch (err) {
    if (err instanceof TemporalUnreachable) throw new CliError(err.message, EXIT.unavailable);
    throw err;
  }
}

/** The partnership's reference format (KSCP_REFERENCE_FILE, default config/reference.json); exit 2 naming the file when it cannot be used. */
export function referenceFormat(s: Settings = settings()): ReferenceFormat {
  try {
    return loadReferenceFormat(s.referenceFile);
  } catch (err) {
    if (err instanceof ReferenceFormatError) throw badInput(err.message);
    throw err;
  }
}

export function today(): string {
  return londonDate(new Date());
}

/** A reference as typed (any case, spaces around it) to the one stored, or exit 2 with the partnership's format. */
export function parseRef(ref: string): string {
  const checked = checkRef(ref, referenceFormat());
  if (!checked.ok) throw badInput(`<ref>: ${checked.problem}`);
  return checked.ref;
}

/**
 * The running case for `ref`, or a clear error if there is none, it has closed, or it is stuck
 * (its workflow task failing again and again: a step sent now would wait for nothing).
 */
export async function openCaseHandle(c: Client, ref: string): Promise<WorkflowHandle> {
  const handle = c.workflow.getHandle(workflowIdFor(ref));
  const described = await describeCase(handle, ref);
  const status = described.status.name;
  if (status !== 'RUNNING') throw new CliError(`case ${ref} is closed (its workflow is ${status.toLowerCase()}): nothing can be recorded against it`, EXIT.refused);
  const attempt = described.raw.pendingWorkflowTask?.attempt ?? 0;
  if (attempt >= FAILING_TASK_ATTEMPTS) {
    throw new CliError(`case ${ref} needs attention: its workflow task has failed ${attempt - 1} time${attempt === 2 ? '' : 's'} in a row, so it cannot take a step now; nothing was recorded. kscp doctor says why and how to repair it; record the step after that`, EXIT.attention);
  }
  return handle;
}

export async function describe(handle: WorkflowHandle, ref: string): Promise<string> {
  return (await describeCase(handle, ref)).status.name;
}

async function describeCase(handle: WorkflowHandle, ref: string): Promise<WorkflowExecutionDescription> {
  const { WorkflowNotFoundError } = await import('@temporalio/client');
  try {
    return await handle.describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new CliError(`no case ${ref}: there is no workflow ${handle.workflowId} (check the reference, or \`kscp list\`)`, EXIT.notFound);
    throw err;
  }
}

/**
 * Run a call that needs the worker (a query or an update), with a deadline:
 * without a worker Temporal would wait forever.
 */
export async function withWorker<T>(c: Client, what: string, fn: () => Promise<T>, seconds = 20): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  try {
    for (;;) {
      try {
        return await c.withDeadline(deadline, fn);
      } catch (err) {
        // A query sent to the worker that last ran the case, when that worker has just died (several
        // workers): Temporal refuses it at once ("no poller seen ... worker may be down") and gives the
        // case to another worker on the next try. Asked only by queries, before anything is recorded.
        const cause = (err as { cause?: { code?: number; message?: string } }).cause;
        if (cause?.code !== 9 || !/no poller seen/i.test(cause.message ?? '') || Date.now() > deadline - 1_000) throw err;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  } catch (err) {
    const e = err as { code?: number; cause?: { code?: number; message?: string } };
    if (e.code === 4 || e.cause?.code === 4 || /deadline/i.test((err as Error).message ?? '') || /no poller seen/i.test(e.cause?.message ?? '')) {
      throw new CliError(`${what}: no worker answered within ${seconds}s; is \`npm start\` (or \`npm run worker\`) running?`, EXIT.unavailable);
    }
    throw err;
  }
}
