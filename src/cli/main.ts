/**
 * `kscp`: the Business Unit's admin command. One subcommand per action; every
 * option declared with a description; unknown options and extra arguments
 * are refused. Exit codes: see EXIT in ./errors.
 */
import { Command, CommanderError, Option } from 'commander';
import * as cal from './commands/calendar';
import { laDecision } from './commands/laDecision';
import { addStageCommands } from './commands/record';
import { keys, settings } from './context';
import { CliError, EXIT } from './errors';

const ENV_HELP = `
Settings come from the environment (see the README): TEMPORAL_ADDRESS (default 127.0.0.1:7233),
TEMPORAL_NAMESPACE (default kscp), TEMPORAL_TLS* (CA, CERT + KEY, SERVER_NAME), TEMPORAL_API_KEY or
TEMPORAL_API_KEY_FILE, KSCP_DIRECTORY_FILE, KSCP_CALENDAR_FILE, KSCP_KEY_FILE (default
data/keys.json, created by npm start) or KSCP_ENCRYPTION_KEYS.

Exit codes: 0 done; 2 bad input; 3 refused by the case (wrong stage, duplicate, closed);
4 no such case; 5 Temporal or its worker unreachable; 1 anything else.`;

export function buildProgram(): Command {
  const program = new Command('kscp')
    .description('Record the stages of a serious child safeguarding incident and see its statutory deadlines (KSCP Business Unit).')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', ENV_HELP)
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(str) });

  program
    .command('notify')
    .description("Record a Serious Incident eCase form and open the case: starts the case's workflow (incident-<ref>) and its deadlines.")
    .requiredOption('-f, --file <incident.json>', 'the eCase form as JSON (fields: see the README, "The eCase form")')
    .addHelpText(
      'after',
      `
The form's fields: ref (KSCP-YYYY-NNN), notifyingAgency, notifier {name, email, role}, incidentDate,
knownAt (date and time with offset), laAwareOn (day 0 of the clocks), criteria, childDied,
policeInvestigation, agenciesInvolved, summary, and optionally formReceivedAt. Prints the workflow id last.
Example: kscp notify --file examples/incident.json`,
    )
    .action(async (opts: { file: string }) => (await import('./commands/notify')).notify(opts));

  program
    .command('la-decision')
    .description("Record the local authority's decision on notification to the National Panel.")
    .argument('<ref>', 'the case reference, e.g. KSCP-2026-014')
    .addOption(new Option('--notifiable <yes|no>', 'whether the incident is notifiable').makeOptionMandatory())
    .option('--panel-notified <date>', 'the date (YYYY-MM-DD) the LA notified the National Panel; required when notifiable')
    .requiredOption('--by <name>', 'who made or is recording the decision (a member of staff)')
    .option('--rationale <text>', 'the reasons for the decision; required when not notifiable')
    .addHelpText(
      'after',
      `
Notifiable: the case moves to RAPID_REVIEW; the 15-working-day Rapid Review clock started at day 0.
Not notifiable: the case is closed with the rationale. Refused if the case is not waiting for this decision.
Examples:
  kscp la-decision KSCP-2026-014 --notifiable yes --panel-notified 2026-11-30 --by "A. Officer"
  kscp la-decision KSCP-2026-015 --notifiable no --by "A. Officer" --rationale "Criteria not met: ..."`,
    )
    .action(laDecision);

  addStageCommands(program);

  program
    .command('status')
    .description('Show a case: its stage, every deadline (due date, met, overdue), events and reminders sent.')
    .argument('<ref>', 'the case reference, e.g. KSCP-2026-014')
    .option('--json', 'print JSON: {stage, deadlines: [{name, due, dueAt, status}], events, reminders, record}')
    .action(async (ref: string, opts: { json?: boolean }) => (await import('./commands/status')).status(ref, opts));

  program
    .command('list')
    .description('List open cases with their stage and next deadline, soonest first.')
    .option('--all', 'include closed cases')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean; all?: boolean }) => (await import('./commands/list')).list(opts));

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
      process.stdout.write(`New current key ${id} in ${s.keyFile}; restart the worker (and npm start) to use it. Keep the earlier keys: they read older case data.\n`);
    });

  return program;
}

export async function run(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help' ? EXIT.ok : EXIT.badInput;
    }
    if (err instanceof CliError) {
      process.stderr.write(`kscp: ${err.message.split('\n').join('\nkscp: ')}\n`);
      return err.exitCode;
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
