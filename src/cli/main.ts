/**
 * `kscp`: the Business Unit's admin command. One subcommand per action; every
 * option declared with a description; unknown options and extra arguments
 * are refused. Exit codes: see EXIT in ./errors.
 */
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as cal from './commands/calendar';
import { addStageCommands } from './commands/record';
// Types only: each command's module is loaded when it runs, so `kscp` starts fast.
import type { deadlines } from './commands/deadlines';
import type { list } from './commands/list';
import type { report } from './commands/report';
import { STAGES } from '../process/incident';
import { REPORT_CSV_COLUMNS, wrapList } from '../reportColumns';
import { ATTENTION_KINDS } from './attentionKinds';
import { keys, referenceFormat, settings, today } from './context';
import { CliError, EXIT } from './errors';
import { configurationProblem } from './knownErrors';
import { printable } from './format';

const ENV_HELP = `
Settings come from the environment (see the README): TEMPORAL_ADDRESS (default 127.0.0.1:7233),
TEMPORAL_NAMESPACE (default kscp), TEMPORAL_TLS* (CA, CERT + KEY, SERVER_NAME), TEMPORAL_API_KEY or
TEMPORAL_API_KEY_FILE, KSCP_DIRECTORY_FILE, KSCP_CALENDAR_FILE, KSCP_REFERENCE_FILE (the case
reference format, default config/reference.json), KSCP_KEY_FILE (default data/keys.json, created
by npm start) or KSCP_ENCRYPTION_KEYS, KSCP_ARCHIVE_URL or KSCP_ARCHIVE_FILE (the case archive,
default data/archive.db).

References may be typed in any case (kscp-2026-014 is KSCP-2026-014). \`kscp\` alone prints this
help and exits 0.

Exit codes: 0 done; 2 bad input; 3 refused by the case (wrong stage, duplicate, closed);
4 no such case; 5 Temporal or its worker unreachable; 6 cancelled at an interactive confirmation;
7 a case needs attention (kscp doctor found something to repair, or a reading command could not
read a case: it showed the others and says which and why); 1 anything else.`;

/** The version in package.json (next to dist/ and src/ alike). */
export function version(): string {
  for (const dir of [path.join(__dirname, '..', '..'), path.join(__dirname, '..', '..', '..')]) {
    try {
      return (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      // Not here: the compiled code is one folder deeper.
    }
  }
  return 'unknown';
}

/** The partnership's example reference for help texts (the built-in one if the reference file cannot be read: the command itself says why). */
function exampleRef(): string {
  try {
    return referenceFormat().example;
  } catch {
    return 'KSCP-2026-014';
  }
}

export function buildProgram(): Command {
  const example = exampleRef();
  const program = new Command('kscp')
    .description('Record the stages of a serious child safeguarding incident and see its statutory deadlines (KSCP Business Unit).')
    .version(version(), '-V, --version', 'print the version of kscp (from package.json) and exit')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', ENV_HELP)
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(str) });

  program
    .command('notify')
    .description("Record a Serious Incident eCase form and open the case: starts the case's workflow (incident-<ref>) and its deadlines.")
    .option('-f, --file <incident.json>', 'the eCase form as JSON (fields: see the README, "The eCase form"); without it, each field is asked in the terminal')
    .addHelpText(
      'after',
      `
The form's fields: ref (e.g. ${example}: the format of KSCP_REFERENCE_FILE; any case), notifyingAgency,
notifier {name, email, role}, incidentDate, knownAt (date and time with offset), laAwareOn (day 0 of
the clocks), criteria, childDied, policeInvestigation, agenciesInvolved, summary, and optionally
formReceivedAt. Prints the stage, the due dates, the next step and, last, the workflow id.

Without --file, kscp asks for each field in turn (questions on stderr, one answer per line, typed
or piped from a script), asks again with the reason when an answer is not allowed, shows a summary
and starts the case only after "yes". "no" starts nothing (exit 6); if standard input ends before
the last answer, nothing is started (exit 2).
Examples:
  kscp notify --file examples/incident.json
  kscp notify                          (asks for each field)`,
    )
    .action(async (opts: { file: string }) => (await import('./commands/notify')).notify(opts));

  addStageCommands(program, async (ref, _name, given) => {
    const { askLaDecision } = await import('./intake');
    const { createAsker } = await import('./prompt');
    const asker = createAsker();
    try {
      return await askLaDecision(asker, ref, given, today());
    } finally {
      asker.close();
    }
  });

  program
    .command('status')
    .description('Show a case: its stage, every deadline (due date, met, overdue), events and reminders sent; from the case archive once its workflow has left Temporal.')
    .argument('<ref>', `the case reference, e.g. ${example} (any case)`)
    .option('--json', 'print JSON: {source, stage, deadlines: [{name, due, dueAt, status}], events, reminders, needsAttention, liveUnreadable, record}; source is temporal or archive')
    .addHelpText('after', '\nWhat needs attention is shown first, with its fix (kscp doctor lists every case). A running case that cannot be\nread is shown from its last record in the case archive, with the reason (exit 7).')
    .action(async (ref: string, opts: { json?: boolean }) => (await import('./commands/status')).status(ref, opts));

  program
    .command('list')
    .description('List open cases with their stage and next deadline, soonest first (from the case board in Temporal).')
    .option('--all', 'include closed cases')
    .option('--stage <stage>', `only cases at this stage (${STAGES.join(', ')})`)
    .option('--overdue', 'only cases with an overdue deadline')
    .option('--json', 'print JSON: [{ref, workflowId, workflowStatus, stage, nextDeadline: {name, dueAt}, overdue, route, notifyingAgency, attention, needsAttention}]')
    .addHelpText(
      'after',
      `
A case that needs attention (KscpAttention, or a workflow task or activity failing again and again)
is marked NEEDS ATTENTION, with the reason under the table; kscp doctor says how to repair it.
Examples:
  kscp list --overdue
  kscp list --stage RAPID_REVIEW --json`,
    )
    .action(async (opts: Parameters<typeof list>[0]) => (await import('./commands/list')).list(opts));

  program
    .command('deadlines')
    .description('Every open deadline of every open case, soonest first, overdue ones flagged.')
    .option('--within <N>', 'only deadlines due within the next N calendar days (by the end of today + N, London time), plus every overdue one')
    .option('--json', 'print JSON: [{ref, deadline, what, due, dueAt, status, overdue, statutory, daysLeft, owner, stage, needsAttention, emailHeld?}]')
    .option('--ics', 'print an iCalendar file (RFC 5545) with an all-day event per deadline, for Outlook or any calendar')
    .addHelpText(
      'after',
      `
Each case is read from its workflow (the worker must be running). The calendar events have the same
UID as those in the reminder emails, so importing again updates them. A deadline whose email is held
is marked NEEDS ATTENTION; a case that cannot be read is left out and named on stderr with the
reason (exit 7; everything else is printed).
Examples:
  kscp deadlines --within 7
  kscp deadlines --json
  kscp deadlines --ics > kscp.ics`,
    )
    .action(async (opts: Parameters<typeof deadlines>[0]) => (await import('./commands/deadlines')).deadlines(opts));

  program
    .command('timeline')
    .description('A case in time order: who recorded what and when, and every reminder email sent (to whom, level, deadline).')
    .argument('<ref>', `the case reference, e.g. ${example} (any case)`)
    .option('--json', 'print JSON: {ref, workflowId, workflowStatus, stage, entries: [{at, kind, what, by?, reminder?}]}')
    .addHelpText('after', `\nTimes are London time; --json gives UTC instants (and needsAttention, liveUnreadable). A running case that cannot be\nread is shown from the case archive, with the reason (exit 7).\nExample: kscp timeline ${example}`)
    .action(async (ref: string, opts: { json?: boolean }) => (await import('./commands/timeline')).timeline(ref, opts));

  program
    .command('doctor')
    .description('Every open case that needs attention (a workflow task or an activity failing again and again, an email that cannot go, recipients refused, a deadline that cannot be computed, no worker), why, and the exact command that repairs it.')
    .option('--json', 'print JSON: {checkedAt, namespace, taskQueue, cases, worker: {polling, lastSeen}, needsAttention: [{kind, ref, workflowId, deadline?, since, problem, fix, commands, directoryEntry?}]}')
    .addHelpText(
      'after',
      `
Checks that a worker polls the task queue, describes every running case in Temporal (no worker
needed for that), and reads the cases the case board flags (KscpAttention). The kinds, each
explained with its fix in docs/operations.md, "Needs attention":
${wrapList(ATTENTION_KINDS)}
Exit 0 when nothing needs attention, 7 when something does.
Examples:
  kscp doctor
  kscp doctor --json`,
    )
    .action(async (opts: { json?: boolean }) => (await import('./commands/doctor')).doctor(opts));

  program
    .command('report')
    .description(
      'The timeliness report: for each measure (statutory duties, then the partnership\'s policy targets), how many deadlines were met on time, late (median working days late), are still open or do not apply; deferred ones apart; cases by criterion and route.',
    )
    .requiredOption('--from <date>', 'the first day of the period, YYYY-MM-DD')
    .requiredOption('--to <date>', 'the last day of the period, YYYY-MM-DD (included)')
    .option('--csv', 'print CSV (the period, case counts, one row per measure, criterion and route) for a spreadsheet')
    .option('--json', 'print JSON for scripts: the same figures as the CSV')
    .addHelpText(
      'after',
      `
A case is in the period when the LA became aware of the incident (laAwareOn, day 0 of the statutory
clocks) is within --from..--to, both included; each case counts once, for every measure. There is
one measure per timescale (docs/lifecycle.md): statutory ones first, then the policy targets.

Each deadline of those cases is counted in one column, so total = on time + late + open + not
applicable (+ not judged, which should be 0):
  on time         met by its due date (the eCase form: instants compared, exactly 24 hours is on time)
  late            met after its due date, or still open past it (late so far, counted to today);
                  the median working days late, as \`kscp calendar\` counts them (the eCase form: hours too)
  open            still open and not yet due
  not applicable  cancelled: a route not taken, a case withdrawn or closed
  not judged      met, but the record holds no due date and none can be computed (never "on time")
A deferral does not move the statutory date: a deferred deadline met after it is late. Deferred
deadlines are also shown apart: revised target met, missed (or passed while open), still open.

CSV: the period (from, to, as_of), the case counts, then one row per measure, criterion and route.
Its columns (the README explains each):
${wrapList(REPORT_CSV_COLUMNS)}.
JSON has the same figures (measures[].deferred.* for the deferred_* columns).

Open cases are read from Temporal, closed ones from the case archive (KSCP_ARCHIVE_URL, or
data/archive.db), so a case still counts after Temporal has deleted its workflow. An open case that
cannot be read is counted from its last archived record and named (exit 7; --json: unread).
Example: kscp report --from 2026-04-01 --to 2027-03-31 --csv > timeliness-2026-27.csv`,
    )
    .action(async (opts: Parameters<typeof report>[0]) => (await import('./commands/report')).report(opts));

  const calendar = program
    .command('calendar')
    .description('Count statutory days as the workflows do (England and Wales bank holidays, DESIGN.md §2).');
  calendar
    .command('add-working-days')
    .description('The date N working days after DATE (DATE is day 0, whatever day it is).')
    .argument('<DATE>', 'day 0, YYYY-MM-DD')
    .argument('<N>', 'how many working days')
    .action(cal.addWorkingDays);
  calendar
    .command('subtract-working-days')
    .description('The date N working days before DATE (DATE not counted).')
    .argument('<DATE>', 'YYYY-MM-DD')
    .argument('<N>', 'how many working days')
    .action(cal.subtractWorkingDays);
  calendar
    .command('add-months')
    .description("The same day-of-month N months after DATE, or the month's last day if it is shorter.")
    .argument('<DATE>', 'YYYY-MM-DD')
    .argument('<N>', 'how many calendar months')
    .action(cal.addMonthsCommand);
  calendar
    .command('is-working-day')
    .description('Whether DATE is a working day, and if not, why (weekend or which bank holiday).')
    .argument('<DATE>', 'YYYY-MM-DD')
    .action(cal.isWorkingDay);
  calendar
    .command('bank-holidays')
    .description('The bank holidays of England and Wales in YEAR that fall on weekdays (with the extra days configured).')
    .argument('<YEAR>', 'e.g. 2026')
    .action(cal.bankHolidays);

  const keysCmd = program.command('keys').description('The encryption keys of case details (see docs/security.md).');
  keysCmd
    .command('rotate')
    .description('Add a fresh key to the key file and make it current; earlier keys stay, to read what they encrypted. Restart the worker afterwards.')
    .action(async () => {
      const s = settings();
      if (process.env.KSCP_ENCRYPTION_KEYS) throw new CliError('the keys come from KSCP_ENCRYPTION_KEYS: add the new key at the front of that list instead', EXIT.badInput);
      await keys(s);
      const { rotateKeyFile } = await import('../codec');
      const id = rotateKeyFile(s.keyFile);
      process.stdout.write(
        `New current key ${id} in ${s.keyFile}; restart the worker (and npm start) to use it. Keep the earlier keys: they read older case data. ` +
          'Back the file up again now (docs/security.md, "Backup and restore").\n',
      );
    });

  return program;
}

function settingsIfAny(): ReturnType<typeof settings> | undefined {
  try {
    return settings();
  } catch {
    return undefined;
  }
}

export async function run(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    // `kscp` alone: the help, on stdout, and done (exit 0), rather than commander's usage error.
    if (argv.length === 0) {
      program.outputHelp();
      return EXIT.ok;
    }
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help' ? EXIT.ok : EXIT.badInput;
    }
    if (err instanceof CliError) {
      // A refusal may quote what was recorded (a name): shown, never obeyed by the terminal.
      process.stderr.write(err.message.split('\n').map((line) => `kscp: ${printable(line)}\n`).join(''));
      return err.exitCode;
    }
    // A key missing from the ring while reading a case (src/codec.ts): the keys are wrong, not kscp.
    if (err instanceof Error && err.name === 'KeyError') {
      const hint = /not among the keys/.test(err.message) ? '; use a copy of the key file made after that key was added (docs/security.md, "Backup and restore")' : '';
      process.stderr.write(`kscp: ${printable(err.message)}${hint}\n`);
      return EXIT.badInput;
    }
    // A setting that does not fit the servers (a namespace that does not exist, an archive file that is not one): the setting, not a bug.
    const known = configurationProblem(err, settingsIfAny());
    if (known) {
      process.stderr.write(`kscp: ${printable(known.message)}\n`);
      return known.exitCode;
    }
    process.stderr.write(`kscp: unexpected error: ${(err as Error).stack ?? String(err)}\n`);
    return EXIT.unexpected;
  }
}

if (require.main === module) {
  void run(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
