/**
 * What to do about each kind of problem ./caseHealth.ts finds: the fix in words and the exact
 * commands, as an operator types them here (docs/operations.md, "Needs attention", explains each).
 */
import path from 'node:path';
import { PACKAGE_ROOT, type Settings } from '../config';
import type { Directory } from '../directory';
import { formatLondonDateTime } from '../london';
import { amendableFor, AMENDABLE_FIELDS } from '../process/amend';
import type { AttentionItem, IncidentState, IncidentView } from '../process/incident';
import { findTemporalCli } from '../toolchain/temporalCli';

export interface Repair {
  /** What to do, in words. */
  fix: string;
  /** The commands that repair it (or check it), in order, each as typed in a shell. */
  commands: string[];
  /** For a role or agency missing from the directory: the entry to add (JSON). */
  directoryEntry?: string;
}

export interface RepairContext {
  settings: Settings;
  /** The Temporal CLI as typed here: `temporal` when it is on PATH, else the one the toolchain built (looked up when first needed). */
  temporalCli(): string;
  /** The directory kscp reads (the worker's, when they share the file), if it can be read. */
  directory?: Directory;
  now: Date;
}

/** The context for repairs: the settings, the Temporal CLI, the directory (never throws). */
export async function repairContext(settings: Settings, now = new Date()): Promise<RepairContext> {
  let cli: string | undefined;
  const temporalCli = (): string => {
    if (cli !== undefined) return cli;
    cli = 'temporal';
    try {
      const found = findTemporalCli();
      if (found && found.how !== 'on PATH') cli = found.path;
    } catch {
      // TEMPORAL_CLI_PATH names no working CLI: say `temporal`.
    }
    return cli;
  };
  let directory: Directory | undefined;
  try {
    const { loadDirectory } = await import('../directory');
    directory = await loadDirectory(settings.directoryFile);
  } catch {
    // An unreadable directory: the repairs say what to add without checking it.
  }
  return { settings, temporalCli, directory, now };
}

/** One argument as a POSIX shell reads it back unchanged. */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

export const commandLine = (argv: string[]): string => argv.map(shellQuote).join(' ');

/** A file as an operator names it: relative to the project when inside it. */
function shown(file: string): string {
  const relative = path.relative(PACKAGE_ROOT, file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

/**
 * A Temporal CLI command against the same server and namespace as kscp. The CLI reads
 * TEMPORAL_TLS_CA/CERT/KEY and TEMPORAL_API_KEY from the environment itself; a key kept in a file
 * (TEMPORAL_API_KEY_FILE, this project's own setting) is passed on.
 */
function temporalCommand(ctx: RepairContext, args: string[]): string {
  const { address, namespace } = ctx.settings.temporal;
  const keyFile = process.env.TEMPORAL_API_KEY_FILE && !process.env.TEMPORAL_API_KEY ? ` --api-key "$(cat ${shellQuote(process.env.TEMPORAL_API_KEY_FILE)})"` : '';
  return commandLine([ctx.temporalCli(), ...args, '--address', address, '--namespace', namespace]) + keyFile;
}

/** The reset that re-runs a case on the current workflow code and keeps every recorded step. */
export function resetCommand(ctx: RepairContext, workflowId: string): string {
  // No --reapply-exclude: the CLI then re-applies every signal and update after the reset point.
  return temporalCommand(ctx, ['workflow', 'reset', '--workflow-id', workflowId, '--type', 'FirstWorkflowTask', '--reason', 'kscp doctor: re-run the case on the current workflow code, re-applying its recorded steps']);
}

export function taskFailureRepair(ctx: RepairContext, f: { ref: string; workflowId: string; cause: string | undefined }): Repair {
  const check = commandLine(['kscp', 'status', f.ref]);
  if (f.cause === 'TIMED_OUT') {
    return {
      fix: 'A worker took the task and did not finish it: it stopped or hung. Check that the worker runs and see its log; the task is retried by itself.',
      commands: [check],
    };
  }
  const reset = resetCommand(ctx, f.workflowId);
  if (f.cause === 'NON_DETERMINISTIC_ERROR') {
    return {
      fix:
        "The worker's workflow code cannot replay this case's history: the code changed in a way the history does not allow (a change without `patched`, docs/changing-workflows.md), or the worker lacks the encryption key the case was written with. " +
        'If the worker runs the wrong release or keys, put the right ones back: the task is retried by itself and nothing is lost. ' +
        'Otherwise re-run the case on the current code from its eCase form with the reset below: it keeps every recorded step (the updates and signals after the reset point are re-applied in order, at the time of the reset) and sends no reminder twice (the email ledger has those already sent). Then check it:',
      commands: [reset, check],
    };
  }
  return {
    fix:
      'The worker fails this case\'s workflow task. Correct what the message names (a setting on the worker, or a fault in the workflow code: deploy the fix); the task is then retried by itself and nothing is lost. ' +
      'If the history itself is what fails (the same point fails on every release), re-run the case on the current code with the reset below, which keeps every recorded step. Then check it:',
    commands: [reset, check],
  };
}

export function activityRepair(ctx: RepairContext, a: { activity: string; failureType: string | undefined }): Repair {
  const archive = 'the case archive\'s database the worker uses (KSCP_ARCHIVE_URL, or the SQLite file KSCP_ARCHIVE_FILE)';
  if (a.activity === 'planDeadlines') {
    return {
      fix:
        `The worker cannot compute due dates: the calendar file it reads (KSCP_CALENDAR_FILE, default ${shown(ctx.settings.calendarFile)}) is most likely missing or not valid. ` +
        'Correct it on the worker\'s host: the worker reads it at every plan, so the next retry (within 5 minutes) succeeds. Where kscp reads the same file, this shows whether it can be read:',
      commands: [commandLine(['kscp', 'calendar', 'bank-holidays', String(ctx.now.getUTCFullYear())])],
    };
  }
  if (a.activity === 'archiveCase' || a.failureType === 'EmailLedgerUnavailable') {
    return { fix: `The worker cannot write to ${archive}: check that it is reachable and has room. The activity is retried by itself (with backoff) and goes once it can.`, commands: [] };
  }
  if (a.failureType === 'MailTemporarilyUnavailable') {
    return {
      fix: 'The mail server does not take email (refused or lost connections, timeouts, or 4xx replies). Check SMTP_HOST, SMTP_PORT and the mail server itself. The email is retried with backoff (at least every 30 minutes) and goes once it answers; nothing is lost.',
      commands: [],
    };
  }
  if (a.failureType === 'EmailBeingSent') {
    return { fix: 'Another attempt holds this email (a worker stopped while sending it): it is taken over within about 20 seconds. If this lasts, see the worker log.', commands: [] };
  }
  return { fix: `See the worker log for ${a.activity}: the activity is retried by itself and goes once its cause is gone.`, commands: [] };
}

export function notAnsweringRepair(ctx: RepairContext, r: { timedOut: boolean }): Repair {
  const doctor = commandLine(['kscp', 'doctor']);
  return r.timedOut
    ? { fix: `No worker answered for this case in time: check that the worker runs and polls task queue ${ctx.settings.temporal.taskQueue} (kscp doctor checks it), and see its log.`, commands: [doctor] }
    : { fix: 'Temporal could not read the case just now: run kscp doctor; if the case still cannot be read, see the worker log.', commands: [doctor] };
}

export function noWorkerRepair(ctx: RepairContext): Repair {
  return {
    fix:
      'Start the worker. On a development machine `npm start` starts everything (in the project folder); in a deployment, the worker is `npm run worker` with the deployment\'s settings, or the `worker` service of docker-compose.yml. Then check that it polls the task queue:',
    commands: ['npm start', 'npm run worker', 'docker compose up -d worker', temporalCommand(ctx, ['task-queue', 'describe', '--task-queue', ctx.settings.temporal.taskQueue])],
  };
}

// The case's own attention items ---------------------------------------------------------------

/** When the case tries a held email again, in words. */
function retryWords(item: AttentionItem): string {
  const at = item.retryAt ? `by ${formatLondonDateTime(new Date(item.retryAt))}` : 'within the hour';
  return `The case tries the email again ${at} (every hour), and at once whenever a step is recorded for it; this clears when it goes.`;
}

/** Where a role's address sits in the directory file. */
function directoryPath(role: string): string {
  const agency = /^agency:([^:]+):(contact|safeguarding-lead)$/.exec(role);
  if (agency) return `agencies["${agency[1]}"].${agency[2] === 'contact' ? 'contact' : 'safeguardingLead'}.email`;
  return `roles["${role}"].email`;
}

const PERSON = '{ "name": "…", "email": "…" }';

function unresolvableRepair(ctx: RepairContext, view: IncidentView, item: AttentionItem): Repair | undefined {
  const file = shown(ctx.settings.directoryFile);
  const when = retryWords(item);
  const missingAgency = /agency "([a-z][a-z0-9-]*)" is not in/.exec(item.problem);
  if (missingAgency) {
    const id = missingAgency[1]!;
    if (ctx.directory && Object.hasOwn(ctx.directory.agencies, id)) {
      return { fix: `The directory kscp reads (${file}) has agency "${id}" now. Once the worker's directory has it too (the same file, where they share it), the email goes. ${when}`, commands: [] };
    }
    const answered =
      item.deadline?.startsWith('info-request:') && view.deadlines.some((d) => d.name === item.deadline && (d.status === 'open' || d.status === 'overdue'))
        ? [commandLine(['kscp', 'info-received', view.ref, '--agency', id, '--received', 'YYYY-MM-DD', '--by', 'Name'])]
        : [];
    return {
      fix:
        `Add agency "${id}" to the directory ${file} (KSCP_DIRECTORY_FILE), under "agencies", with its contact and safeguarding lead (the entry below): the worker reads the file at every email, no restart. ${when}` +
        (answered.length ? ' If the agency has already answered the request, record that instead (its reminders then stop):' : ''),
      commands: answered,
      directoryEntry: `"${id}": { "name": "…", "contact": ${PERSON}, "safeguardingLead": ${PERSON} }`,
    };
  }
  const agencyWithout = /agency "([a-z][a-z0-9-]*)" has no (contact|safeguardingLead) address/.exec(item.problem);
  if (agencyWithout) {
    return {
      fix: `Give agency "${agencyWithout[1]}" its ${agencyWithout[2]} in the directory ${file} (KSCP_DIRECTORY_FILE) (the entry below, inside the agency's entry). ${when}`,
      commands: [],
      directoryEntry: `"${agencyWithout[2]}": ${PERSON}`,
    };
  }
  const missingRole = /role "([a-z-]+)" has no address/.exec(item.problem);
  if (missingRole) {
    return {
      fix: `Add the role "${missingRole[1]}" to the directory ${file} (KSCP_DIRECTORY_FILE), under "roles" (the entry below). ${when}`,
      commands: [],
      directoryEntry: `"${missingRole[1]}": ${PERSON}`,
    };
  }
  return undefined;
}

/** A role the mail server refused, from an item's problem text: `role <address> (reply)`. */
function refusedAddresses(problem: string): Array<{ role: string; address: string }> {
  // `role <address> (reply)` (recipients refused among others) or `address (role): reply` (every recipient refused).
  const some = [...problem.matchAll(/([a-z][a-z0-9:-]*) <([^<>\s]+@[^<>\s]+)>/g)].map((m) => ({ role: m[1]!, address: m[2]! }));
  const every = [...problem.matchAll(/([^\s<>();]+@[^\s<>();]+) \(([a-z][a-z0-9:-]*)\)/g)].map((m) => ({ role: m[2]!, address: m[1]! }));
  return [...some, ...every];
}

/** The amendable field a deadline's clock is computed from (its day 0), for a deadline that cannot be computed. */
function fieldBehind(view: IncidentView, deadline: string): string | undefined {
  const d = view.deadlines.find((x) => x.name === deadline);
  if (!d) return undefined;
  if (d.clock.timescale === 'info-request') return d.name;
  const state: IncidentState = { ...view, deadlines: view.deadlines.map((x) => ({ ...x, status: x.status === 'overdue' ? 'open' : x.status })), revision: 0 };
  return AMENDABLE_FIELDS.find((name) => {
    const current = amendableFor(state, name)?.current(state);
    return typeof current === 'string' && current !== '' && d.clock.start.startsWith(current);
  });
}

export function attentionItemRepair(ctx: RepairContext, view: IncidentView, item: AttentionItem): Repair {
  const file = shown(ctx.settings.directoryFile);
  if (item.kind === 'email-not-sent') {
    const unresolvable = unresolvableRepair(ctx, view, item);
    if (unresolvable) return unresolvable;
    const refused = refusedAddresses(item.problem);
    if (/refused/.test(item.problem) && refused.length) {
      return {
        fix: `The mail server refused the email for good. Correct ${refused.map((r) => `${r.address} (${r.role}: ${directoryPath(r.role)})`).join(', ')} in the directory ${file} (KSCP_DIRECTORY_FILE), or ask the mail server's administrator why it refuses them. ${retryWords(item)}`,
        commands: [],
      };
    }
    return { fix: `${item.fix.replace(/;? ?the case tries again every hour.*$/, '')}. ${retryWords(item)}`, commands: [] };
  }
  if (item.kind === 'recipients-refused') {
    const refused = refusedAddresses(item.problem);
    const which = refused.length ? refused.map((r) => `${r.address} (${r.role}: ${directoryPath(r.role)})`).join(', ') : 'the refused addresses';
    return {
      fix: `The others received the email; these did not. Correct ${which} in the directory ${file} (KSCP_DIRECTORY_FILE), or ask the mail server's administrator why it refuses them. This clears when the next email for ${item.deadline ?? 'this deadline'} reaches everyone, or when the deadline is met.`,
      commands: [],
    };
  }
  const field = item.deadline ? fieldBehind(view, item.deadline) : undefined;
  return {
    fix: `Correct the date the ${item.deadline ?? ''} deadline is computed from with kscp amend${field ? '' : ` (the field: kscp amend --help lists them)`}; the deadline is recomputed at once.`,
    commands: [commandLine(['kscp', 'amend', view.ref, '--field', field ?? 'FIELD', '--value', 'YYYY-MM-DD', '--reason', 'Reason for the correction', '--by', 'Name'])],
  };
}
