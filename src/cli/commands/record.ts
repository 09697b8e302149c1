/**
 * The stage commands of `kscp` (one per message of the process), from one
 * table: each names its message, its flags and the message field each flag
 * fills. Input is checked here first (shape, London dates, agency ids) and
 * then by the case itself (the workflow's update validator), so a message
 * that does not fit is refused with the reason and nothing changes.
 */
import type { UpdateDefinition } from '@temporalio/common';
import type { Command } from 'commander';
import type { IncidentView } from '../../process/incident';
import { formatLongDate } from '../../london';
import { updates, type MessageName } from '../../process/messages';
import {
  LCSPR_METHODOLOGIES,
  PANEL_DECISIONS,
  PUBLICATION_DECISIONS,
  RAPID_REVIEW_OUTCOMES,
  VIEWS_FROM,
  WITHDRAWAL_REASONS,
} from '../../process/schemas';
import { AMENDABLE_FIELDS, RULES } from '../../process/transitions';
import { client, directory, openCaseHandle, parseRef, settings, today, withWorker } from '../context';
import { badInput, CliError, EXIT } from '../errors';
import { printableLines } from '../format';

type Kind = 'date' | 'past-date' | 'text' | 'agency' | 'choice';

export interface Flag {
  /** e.g. '--submitted <date>' */
  readonly flag: string;
  readonly field: string;
  readonly kind: Kind;
  readonly description: string;
  readonly optional?: boolean;
  readonly choices?: readonly string[];
}

interface StageCommand {
  readonly command: string;
  readonly message: MessageName;
  readonly summary: string;
  readonly flags: readonly Flag[];
  readonly example: string;
}

const by: Flag = { flag: '--by <name>', field: 'by', kind: 'text', description: 'who is recording it (a member of staff)' };
const pastDate = (flag: string, field: string, description: string): Flag => ({ flag: `${flag} <date>`, field, kind: 'past-date', description: `${description} (YYYY-MM-DD, not in the future)` });
const choice = (flag: string, field: string, choices: readonly string[], description: string): Flag => ({
  flag: `${flag} <${choices.length <= 3 ? choices.join('|') : 'choice'}>`,
  field,
  kind: 'choice',
  choices,
  description: `${description}: ${choices.join(', ')}`,
});
const text = (flag: string, field: string, description: string, optional = false): Flag => ({ flag: `${flag} <text>`, field, kind: 'text', description, optional });
const agency: Flag = { flag: '--agency <id>', field: 'agency', kind: 'agency', description: 'the agency id from the directory (e.g. police)' };

export const STAGE_COMMANDS: readonly StageCommand[] = [
  {
    command: 'info-request',
    message: 'infoRequest',
    summary: 'Record an information request to an agency (Rapid Review, LCSPR or national review); the agency is reminded and escalated until it responds.',
    flags: [agency, pastDate('--requested', 'requestedOn', 'the date the request was sent'), { flag: '--due <date>', field: 'dueOn', kind: 'date', description: 'the date the response is due, as set in the request (YYYY-MM-DD)' }, by],
    example: 'kscp info-request KSCP-2026-014 --agency police --requested 2026-12-01 --due 2026-12-08 --by "A. Officer"',
  },
  {
    command: 'info-received',
    message: 'infoReceived',
    summary: "Record an agency's response to its open information request.",
    flags: [agency, pastDate('--received', 'receivedOn', 'the date the response arrived'), by],
    example: 'kscp info-received KSCP-2026-014 --agency police --received 2026-12-07 --by "A. Officer"',
  },
  {
    command: 'rapid-review',
    message: 'rapidReview',
    summary: "Record the Rapid Review: the meeting, the template submitted to the National Panel, and the outcome. Starts waiting for the Panel's response.",
    flags: [
      pastDate('--meeting', 'meetingOn', 'the date of the Rapid Review meeting'),
      pastDate('--submitted', 'submittedOn', 'the date the template went to the National Panel'),
      choice('--outcome', 'outcome', RAPID_REVIEW_OUTCOMES, "the partnership's outcome"),
      text('--rationale', 'rationale', 'the reasons for the outcome'),
      by,
    ],
    example: 'kscp rapid-review KSCP-2026-014 --meeting 2026-12-08 --submitted 2026-12-10 --outcome local-review --rationale "..." --by "A. Officer"',
  },
  {
    command: 'panel-response',
    message: 'panelResponse',
    summary: "Record the National Panel's response: local review (LCSPR), national review, or no further review (learning follows).",
    flags: [pastDate('--received', 'receivedOn', 'the date the answer arrived'), choice('--decision', 'decision', PANEL_DECISIONS, "the Panel's decision"), by],
    example: 'kscp panel-response KSCP-2026-014 --received 2026-12-22 --decision local-review --by "A. Officer"',
  },
  {
    command: 'lcspr-start',
    message: 'lcsprStart',
    summary: 'Record the initiation of the local child safeguarding practice review (LCSPR); starts the 6-month publication clock.',
    flags: [pastDate('--initiated', 'initiatedOn', 'the date the LCSPR was initiated'), choice('--methodology', 'methodology', LCSPR_METHODOLOGIES, 'how the review is done'), by],
    example: 'kscp lcspr-start KSCP-2026-014 --initiated 2027-01-11 --methodology case-authored --by "A. Officer"',
  },
  {
    command: 'views',
    message: 'views',
    summary: "Record that practitioners' or the family's views were sought for the LCSPR.",
    flags: [choice('--from', 'from', VIEWS_FROM, 'whose views'), pastDate('--on', 'on', 'the date'), by],
    example: 'kscp views KSCP-2026-014 --from practitioners --on 2027-02-15 --by "A. Officer"',
  },
  {
    command: 'delay',
    message: 'delay',
    summary: 'Record that the reasons for a delay in publishing the LCSPR were sent to the National Panel.',
    flags: [pastDate('--sent', 'sentOn', 'the date the reasons went to the Panel'), text('--reason', 'reason', 'the reasons for the delay'), by],
    example: 'kscp delay KSCP-2026-014 --sent 2027-06-20 --reason "..." --by "A. Officer"',
  },
  {
    command: 'national-reviewer',
    message: 'nationalReviewer',
    summary: "Record the National Panel's reviewer for a national review.",
    flags: [text('--reviewer', 'reviewer', 'the reviewer (organisation or role; no personal details needed)'), pastDate('--appointed', 'appointedOn', 'the date of appointment'), by],
    example: 'kscp national-reviewer KSCP-2026-014 --reviewer "Panel-appointed reviewer" --appointed 2027-01-15 --by "A. Officer"',
  },
  {
    command: 'national-report',
    message: 'nationalReport',
    summary: "Record that the national review's report was received; learning follows.",
    flags: [pastDate('--received', 'receivedOn', 'the date the report arrived'), by],
    example: 'kscp national-report KSCP-2026-014 --received 2027-09-01 --by "A. Officer"',
  },
  {
    command: 'subgroup-agreed',
    message: 'subgroupAgreed',
    summary: 'Record that the CSPR sub-group agreed the final LCSPR report; moves to sign-off by the Executive.',
    flags: [pastDate('--on', 'on', 'the date of agreement'), by],
    example: 'kscp subgroup-agreed KSCP-2026-014 --on 2027-05-10 --by "A. Officer"',
  },
  {
    command: 'executive-signoff',
    message: 'executiveSignoff',
    summary: 'Record the Executive agreement and publication decision; when publishing, the full report is due at the Panel 7 working days before the planned date.',
    flags: [
      pastDate('--on', 'on', 'the date of the Executive decision'),
      choice('--decision', 'decision', PUBLICATION_DECISIONS, 'the publication decision'),
      { flag: '--planned-publication <date>', field: 'plannedPublicationOn', kind: 'date', optional: true, description: 'the planned publication date (YYYY-MM-DD); required unless not publishing' },
      text('--reasons', 'reasons', 'the reasons; required for improvements-only and not-publish', true),
      by,
    ],
    example: 'kscp executive-signoff KSCP-2026-014 --on 2027-05-20 --decision publish --planned-publication 2027-06-30 --by "A. Officer"',
  },
  {
    command: 'report-sent',
    message: 'reportSent',
    summary: 'Record that the full report went to the National Panel before publication.',
    flags: [pastDate('--sent', 'sentOn', 'the date it was sent'), by],
    example: 'kscp report-sent KSCP-2026-014 --sent 2027-06-18 --by "A. Officer"',
  },
  {
    command: 'published',
    message: 'published',
    summary: 'Record publication on the website (date and web address); starts the website retention clock and the learning tasks.',
    flags: [pastDate('--on', 'on', 'the publication date'), text('--url', 'url', 'the web address of the published report'), by],
    example: 'kscp published KSCP-2026-014 --on 2027-06-30 --url https://www.kirkleessafeguardingchildren.co.uk/... --by "A. Officer"',
  },
  {
    command: 'removed-from-website',
    message: 'removedFromWebsite',
    summary: 'Record that the report was taken off the website; it is then available on request.',
    flags: [pastDate('--on', 'on', 'the date it was removed'), by],
    example: 'kscp removed-from-website KSCP-2026-014 --on 2027-12-30 --by "A. Officer"',
  },
  {
    command: 'learning-shared',
    message: 'learningShared',
    summary: 'Record that the key findings went to the Learning and Development Subgroup.',
    flags: [pastDate('--on', 'on', 'the date'), by],
    example: 'kscp learning-shared KSCP-2026-014 --on 2027-07-12 --by "A. Officer"',
  },
  {
    command: 'staff-informed',
    message: 'staffInformed',
    summary: 'Record that staff were told of the findings of the review.',
    flags: [pastDate('--on', 'on', 'the date'), by],
    example: 'kscp staff-informed KSCP-2026-014 --on 2027-07-19 --by "A. Officer"',
  },
  {
    command: 'defer',
    message: 'defer',
    summary: 'Record a deferral of publication by a parallel process (police investigation, inquest, criminal trial): the publication deadlines move to the new date.',
    flags: [
      text('--reason', 'reason', 'the reason (e.g. criminal proceedings)'),
      { flag: '--new-date <date>', field: 'newDate', kind: 'date', description: 'the new publication date (YYYY-MM-DD)' },
      pastDate('--panel-told', 'panelToldOn', 'the date the National Panel was told'),
      by,
    ],
    example: 'kscp defer KSCP-2026-014 --reason "Criminal trial" --new-date 2027-11-30 --panel-told 2027-05-02 --by "A. Officer"',
  },
  {
    command: 'amend',
    message: 'amend',
    summary: `Correct a fact or date of the case; every open deadline is recomputed. Fields: ${AMENDABLE_FIELDS.join(', ')}.`,
    flags: [
      { flag: '--field <name>', field: 'field', kind: 'text', description: `the field to correct (${AMENDABLE_FIELDS.join(', ')})` },
      { flag: '--value <value>', field: 'value', kind: 'text', description: 'the correct value (a date YYYY-MM-DD, true/false, or ids separated by commas)' },
      text('--reason', 'reason', 'why it is being corrected'),
      by,
    ],
    example: 'kscp amend KSCP-2026-014 --field laAwareOn --value 2026-11-20 --reason "Date typed wrongly" --by "A. Officer"',
  },
  {
    command: 'withdraw',
    message: 'withdraw',
    summary: 'Withdraw the case: open reminders stop, the record is kept.',
    flags: [choice('--reason', 'reason', WITHDRAWAL_REASONS, 'why'), text('--detail', 'detail', 'the details'), by],
    example: 'kscp withdraw KSCP-2026-014 --reason recorded-in-error --detail "Duplicate of KSCP-2026-013" --by "A. Officer"',
  },
];

/** commander's camelCase key for a flag: '--planned-publication <date>' -> plannedPublication. */
function optionKey(flag: string): string {
  return flag.replace(/^--/, '').replace(/ .*$/, '').replace(/-(\w)/g, (_m, c: string) => c.toUpperCase());
}

/** Replace a message field name at the start of a refusal with the flag a person typed. */
export function withFlagNames(message: string, flags: readonly Flag[]): string {
  return message.replace(/^(\w+):/, (m, field: string) => {
    const f = flags.find((x) => x.field === field);
    return f ? `${f.flag.replace(/ .*$/, '')}:` : m;
  });
}

async function checkFlags(spec: StageCommand, opts: Record<string, string | undefined>): Promise<Record<string, string>> {
  const londonToday = today();
  const input: Record<string, string> = {};
  let agencies: string[] | undefined;
  for (const f of spec.flags) {
    const value = opts[optionKey(f.flag)];
    const name = f.flag.replace(/ .*$/, '');
    if (value === undefined) continue;
    if (f.kind === 'past-date' && /^\d{4}-\d{2}-\d{2}$/.test(value) && value > londonToday) throw badInput(`${name}: ${value} is in the future (today is ${londonToday})`);
    if (f.kind === 'choice' && !f.choices!.includes(value)) throw badInput(`${name}: ${JSON.stringify(value)} is not allowed (allowed: ${f.choices!.join(', ')})`);
    if (f.kind === 'agency') {
      agencies ??= Object.keys((await directory(settings())).agencies);
      if (!agencies.includes(value)) throw badInput(`${name}: ${JSON.stringify(value)} is not an agency in the directory (allowed: ${agencies.join(', ')})`);
    }
    input[f.field] = value;
  }
  const parsed = RULES[spec.message].schema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw badInput(withFlagNames(`${String(issue.path[0] ?? '')}: ${issue.message}`, spec.flags));
  }
  return input;
}

/** Send a message to a case and return the case as it stands after it; refusals become clear errors. */
export async function sendMessage(ref: string, message: MessageName, input: unknown, flags: readonly Flag[] = []): Promise<IncidentView> {
  const c = await client(settings());
  const handle = await openCaseHandle(c, ref);
  try {
    const update = updates[message] as UpdateDefinition<IncidentView, [unknown]>;
    return await withWorker(c, `recording ${RULES[message].command} for ${ref}`, () => handle.executeUpdate(update, { args: [input] }));
  } catch (err) {
    const { WorkflowUpdateFailedError } = await import('@temporalio/client');
    const { ApplicationFailure } = await import('@temporalio/common');
    if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
      throw new CliError(`refused: ${withFlagNames(err.cause.message, flags)}`, err.cause.type === 'WrongStage' ? EXIT.refused : EXIT.badInput);
    }
    throw err;
  }
}

/** What a person wants to read after recording: what was recorded, the stage, the open deadlines. */
export function afterRecording(ref: string, view: IncidentView): string[] {
  const open = view.deadlines.filter((d) => d.status === 'open' || d.status === 'overdue');
  return [
    `Recorded for ${ref}: ${view.events.at(-1)?.what ?? ''}`,
    `Stage: ${view.stage}.` +
      (open.length
        ? ` Open: ${open.map((d) => `${d.name} ${d.due ? `due ${formatLongDate(d.due)}` : '(date being computed: see kscp status)'}${d.status === 'overdue' ? ' OVERDUE' : ''}`).join('; ')}.`
        : ''),
  ];
}

export function addStageCommands(program: Command): void {
  for (const spec of STAGE_COMMANDS) {
    const cmd = program.command(spec.command).description(spec.summary).argument('<ref>', 'the case reference, e.g. KSCP-2026-014');
    for (const f of spec.flags) {
      if (f.optional) cmd.option(f.flag, f.description);
      else cmd.requiredOption(f.flag, f.description);
    }
    cmd.addHelpText('after', `\nExample:\n  ${spec.example}\nRefused, with the reason and nothing changed, if the case is not at a stage where this fits.`);
    cmd.action(async (ref: string, opts: Record<string, string | undefined>) => {
      const caseRef = parseRef(ref);
      const input = await checkFlags(spec, opts);
      const view = await sendMessage(caseRef, spec.message, input, spec.flags);
      process.stdout.write(printableLines(afterRecording(caseRef, view)));
    });
  }
}
