/**
 * The `kscp` command of every step of the process: a complete record over the declared steps
 * (src/process/steps.ts), so a new step that has no command does not compile. Each names its
 * flags and the input field each flag fills (checked against the step's input by the compiler).
 *
 * Pure data and text: `kscp` builds its commands from it (./commands/record.ts), and the reminder
 * emails build their "how to record it" lines from it (activities/email.ts).
 */
import { AMENDABLE_FIELDS } from '../process/amend';
import {
  LCSPR_METHODOLOGIES,
  OFSTED_DECISIONS,
  PANEL_DECISIONS,
  PUBLICATION_DECISIONS,
  RAPID_REVIEW_OUTCOMES,
  REPORT_RECIPIENTS,
  VIEWS_FROM,
  WITHDRAWAL_REASONS,
} from '../process/schemas';
import type { Stage } from '../process/stages';
import { STEPS, type StepInputs, type StepName } from '../process/steps';
import type { TimescaleName } from '../process/timescales';

export type FlagKind = 'date' | 'past-date' | 'text' | 'agency' | 'choice' | 'yes-no';

export interface Flag<F extends string = string> {
  /** e.g. '--submitted <date>' */
  readonly flag: string;
  readonly field: F;
  readonly kind: FlagKind;
  readonly description: string;
  readonly optional?: boolean;
  readonly choices?: readonly string[];
  /** Shown in the emails' "how to record it" line even though it is optional (needed in the usual case). */
  readonly inHint?: boolean;
}

export interface StepCommand<N extends StepName> {
  /** One line for --help (the step's description is the default). */
  readonly summary?: string;
  readonly flags: readonly Flag<keyof StepInputs[N] & string>[];
  readonly example: string;
  /** Without its first flag, the command asks for what is missing in the terminal (la-decision). */
  readonly interactive?: boolean;
}

const by: Flag<'by'> = { flag: '--by <name>', field: 'by', kind: 'text', description: 'who is recording it (a member of staff)' };
const pastDate = <F extends string>(flag: string, field: F, description: string): Flag<F> => ({ flag: `${flag} <date>`, field, kind: 'past-date', description: `${description} (YYYY-MM-DD, not in the future)` });
const choice = <F extends string>(flag: string, field: F, choices: readonly string[], description: string, extra: Partial<Flag<F>> = {}): Flag<F> => ({
  flag: `${flag} <${choices.length <= 3 ? choices.join('|') : 'choice'}>`,
  field,
  kind: 'choice',
  choices,
  description: `${description}: ${choices.join(', ')}`,
  ...extra,
});
const text = <F extends string>(flag: string, field: F, description: string, optional = false): Flag<F> => ({ flag: `${flag} <text>`, field, kind: 'text', description, optional });
const agency: Flag<'agency'> = { flag: '--agency <id>', field: 'agency', kind: 'agency', description: 'the agency id from the directory (e.g. police)' };
const on: Flag<'on'> = pastDate('--on', 'on', 'the date');

export const STEP_COMMANDS: { readonly [N in StepName]: StepCommand<N> } = {
  laDecision: {
    summary: "Record the local authority's decision on notification to the National Panel (and whether Ofsted must be notified).",
    interactive: true,
    flags: [
      { flag: '--notifiable <yes|no>', field: 'notifiable', kind: 'yes-no', description: 'whether the incident is notifiable; without it, the decision is asked in the terminal' },
      { ...pastDate('--panel-notified', 'panelNotifiedOn', 'the date the LA notified the National Panel; required when notifiable'), optional: true, inHint: true },
      choice('--ofsted', 'ofsted', OFSTED_DECISIONS, 'whether the LA decided Ofsted must be notified'),
      { ...pastDate('--ofsted-notified', 'ofstedNotifiedOn', 'the date the LA notified Ofsted, if it has'), optional: true },
      { ...by, field: 'decidedBy', description: 'who made or is recording the decision (a member of staff)' },
      text('--rationale', 'rationale', 'the reasons for the decision; required when not notifiable', true),
    ],
    example: 'kscp la-decision KSCP-2026-014 --notifiable yes --panel-notified 2026-11-30 --ofsted required --ofsted-notified 2026-11-30 --by "A. Officer"',
  },
  ofstedNotified: {
    flags: [pastDate('--on', 'on', 'the date the LA notified Ofsted'), by],
    example: 'kscp ofsted-notified KSCP-2026-014 --on 2026-12-01 --by "A. Officer"',
  },
  careLeaverNotified: {
    flags: [pastDate('--on', 'on', 'the date the Secretary of State and Ofsted were both notified (the later, if on different days)'), by],
    example: 'kscp care-leaver-notified KSCP-2026-020 --on 2026-12-01 --by "A. Officer"',
  },
  infoRequest: {
    summary: 'Record an information request to an agency (Rapid Review, LCSPR or national review); the agency is reminded and escalated until it responds.',
    flags: [agency, pastDate('--requested', 'requestedOn', 'the date the request was sent'), { flag: '--due <date>', field: 'dueOn', kind: 'date', description: 'the date the response is due, as set in the request (YYYY-MM-DD)' }, by],
    example: 'kscp info-request KSCP-2026-014 --agency police --requested 2026-12-01 --due 2026-12-08 --by "A. Officer"',
  },
  infoReceived: {
    flags: [agency, pastDate('--received', 'receivedOn', 'the date the response arrived'), by],
    example: 'kscp info-received KSCP-2026-014 --agency police --received 2026-12-07 --by "A. Officer"',
  },
  rapidReview: {
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
  partnersInformed: {
    flags: [pastDate('--on', 'on', 'the date the review decision went to the wider KSCP partners'), by],
    example: 'kscp partners-informed KSCP-2026-014 --on 2026-12-11 --by "A. Officer"',
  },
  panelResponse: {
    summary: "Record the National Panel's response: local review (LCSPR), national review, or no further review (learning follows).",
    flags: [pastDate('--received', 'receivedOn', 'the date the answer arrived'), choice('--decision', 'decision', PANEL_DECISIONS, "the Panel's decision"), by],
    example: 'kscp panel-response KSCP-2026-014 --received 2026-12-22 --decision local-review --by "A. Officer"',
  },
  lcsprStart: {
    summary: 'Record the initiation of the local child safeguarding practice review (LCSPR); starts the 6-month publication clock.',
    flags: [pastDate('--initiated', 'initiatedOn', 'the date the LCSPR was initiated'), choice('--methodology', 'methodology', LCSPR_METHODOLOGIES, 'how the review is done'), by],
    example: 'kscp lcspr-start KSCP-2026-014 --initiated 2027-01-11 --methodology case-authored --by "A. Officer"',
  },
  views: {
    flags: [choice('--from', 'from', VIEWS_FROM, 'whose views'), on, by],
    example: 'kscp views KSCP-2026-014 --from practitioners --on 2027-02-15 --by "A. Officer"',
  },
  delay: {
    flags: [pastDate('--sent', 'sentOn', 'the date the reasons went to the Panel'), text('--reason', 'reason', 'the reasons for the delay'), by],
    example: 'kscp delay KSCP-2026-014 --sent 2027-07-14 --reason "..." --by "A. Officer"',
  },
  nationalReviewer: {
    flags: [text('--reviewer', 'reviewer', 'the reviewer (organisation or role; no personal details needed)'), pastDate('--appointed', 'appointedOn', 'the date of appointment'), by],
    example: 'kscp national-reviewer KSCP-2026-014 --reviewer "Panel-appointed reviewer" --appointed 2027-01-15 --by "A. Officer"',
  },
  nationalReport: {
    flags: [pastDate('--received', 'receivedOn', 'the date the report arrived'), by],
    example: 'kscp national-report KSCP-2026-014 --received 2027-09-01 --by "A. Officer"',
  },
  subgroupAgreed: {
    flags: [pastDate('--on', 'on', 'the date of agreement'), by],
    example: 'kscp subgroup-agreed KSCP-2026-014 --on 2027-05-10 --by "A. Officer"',
  },
  executiveSignoff: {
    summary: 'Record the Executive agreement and publication decision; when publishing, the full report is due at the Panel and the Secretary of State 7 working days before the planned date.',
    flags: [
      pastDate('--on', 'on', 'the date of the Executive decision'),
      choice('--decision', 'decision', PUBLICATION_DECISIONS, 'the publication decision'),
      { flag: '--planned-publication <date>', field: 'plannedPublicationOn', kind: 'date', optional: true, inHint: true, description: 'the planned publication date (YYYY-MM-DD); required unless not publishing' },
      text('--reasons', 'reasons', 'the reasons; required for improvements-only and not-publish', true),
      by,
    ],
    example: 'kscp executive-signoff KSCP-2026-014 --on 2027-05-20 --decision publish --planned-publication 2027-06-30 --by "A. Officer"',
  },
  reportSent: {
    summary: 'Record that the full report went to the National Panel and/or the Secretary of State (DfE); measured against the publication date (the actual one once published).',
    flags: [pastDate('--sent', 'sentOn', 'the date it was sent'), choice('--to', 'to', REPORT_RECIPIENTS, 'who it went to'), by],
    example: 'kscp report-sent KSCP-2026-014 --sent 2027-06-18 --to both --by "A. Officer"',
  },
  published: {
    summary: 'Record publication on the website (date and web address); starts the website period and the learning tasks.',
    flags: [pastDate('--on', 'on', 'the publication date'), text('--url', 'url', 'the web address of the published report'), by],
    example: 'kscp published KSCP-2026-014 --on 2027-06-30 --url https://www.kirkleessafeguardingchildren.co.uk/... --by "A. Officer"',
  },
  removedFromWebsite: {
    flags: [pastDate('--on', 'on', 'the date it was removed'), by],
    example: 'kscp removed-from-website KSCP-2026-014 --on 2027-12-30 --by "A. Officer"',
  },
  learningShared: {
    flags: [on, by],
    example: 'kscp learning-shared KSCP-2026-014 --on 2027-07-12 --by "A. Officer"',
  },
  staffInformed: {
    flags: [on, by],
    example: 'kscp staff-informed KSCP-2026-014 --on 2027-07-19 --by "A. Officer"',
  },
  defer: {
    summary: 'Record a deferral of publication by a parallel process (police investigation, inquest, criminal trial): the revised target; the statutory 6-month date does not move.',
    flags: [
      text('--reason', 'reason', 'the reason (e.g. criminal proceedings)'),
      { flag: '--new-date <date>', field: 'newDate', kind: 'date', description: 'the revised publication target (YYYY-MM-DD)' },
      pastDate('--panel-told', 'panelToldOn', 'the date the National Panel was told'),
      by,
    ],
    example: 'kscp defer KSCP-2026-014 --reason "Criminal trial" --new-date 2027-11-30 --panel-told 2027-05-02 --by "A. Officer"',
  },
  amend: {
    summary: `Correct a fact or date of the case; the deadlines computed from it are recomputed. Fields: ${AMENDABLE_FIELDS.join(', ')}.`,
    flags: [
      { flag: '--field <name>', field: 'field', kind: 'text', description: `the field to correct (${AMENDABLE_FIELDS.join(', ')})` },
      { flag: '--value <value>', field: 'value', kind: 'text', description: 'the correct value (a date YYYY-MM-DD, true/false, or ids separated by commas)' },
      text('--reason', 'reason', 'why it is being corrected'),
      by,
    ],
    example: 'kscp amend KSCP-2026-014 --field laAwareOn --value 2026-11-20 --reason "Date typed wrongly" --by "A. Officer"',
  },
  withdraw: {
    flags: [choice('--reason', 'reason', WITHDRAWAL_REASONS, 'why'), text('--detail', 'detail', 'the details'), by],
    example: 'kscp withdraw KSCP-2026-014 --reason recorded-in-error --detail "Duplicate of KSCP-2026-013" --by "A. Officer"',
  },
};

/**
 * The steps that carry each stage forward, in the order they usually come: what a step's output
 * suggests next when no open deadline names a step the case would take at its stage (the first of
 * these the case would accept).
 */
export const STAGE_STEPS: { readonly [S in Stage]: readonly StepName[] } = {
  LA_DECISION: ['laDecision', 'careLeaverNotified'],
  RAPID_REVIEW: ['rapidReview'],
  PANEL_RESPONSE: ['panelResponse'],
  LCSPR: ['lcsprStart', 'subgroupAgreed'],
  NATIONAL_REVIEW: ['nationalReviewer', 'nationalReport'],
  SIGN_OFF: ['executiveSignoff', 'published'],
  PUBLISHED: ['learningShared', 'staffInformed', 'removedFromWebsite'],
  LEARNING: ['learningShared', 'staffInformed'],
  CLOSED: [],
};

/** The command name of a step (from the declared model). */
export const commandOf = (name: StepName): string => STEPS[name].command;

/** The placeholder a person replaces in a hint: a date, a choice, a name. */
function placeholder(f: Flag, agencyId: string | undefined): string {
  if (f.kind === 'agency') return agencyId ?? '<agency>';
  if (f.kind === 'date' || f.kind === 'past-date') return 'YYYY-MM-DD';
  if (f.kind === 'choice' || f.kind === 'yes-no') return f.kind === 'yes-no' ? 'yes|no' : f.choices!.join('|');
  if (f.field === 'by' || f.field === 'decidedBy') return '"Name"';
  if (f.field === 'url') return 'https://...';
  return '"..."';
}

/** The command line that records step `name` for case `ref`, with placeholders. */
export function commandHint(name: StepName, ref: string, agencyId?: string): string {
  const spec = STEP_COMMANDS[name] as StepCommand<StepName>;
  const flags = spec.flags.filter((f) => !f.optional || f.inHint).map((f) => `${f.flag.replace(/ .*$/, '')} ${placeholder(f, agencyId)}`);
  return `kscp ${commandOf(name)} ${ref} ${flags.join(' ')}`;
}

/** The steps that meet a deadline of `kind`, then those that move it (a deferral), but never a correction. */
export function stepsFor(kind: TimescaleName): { meets: StepName[]; moves: StepName[] } {
  const names = Object.keys(STEPS) as StepName[];
  const clocks = (n: StepName) => STEPS[n].clocks as { meets?: readonly string[]; moves?: readonly string[] };
  return {
    meets: names.filter((n) => n !== 'amend' && (clocks(n).meets ?? []).includes(kind)),
    moves: names.filter((n) => n !== 'amend' && (clocks(n).moves ?? []).includes(kind) && !(clocks(n).meets ?? []).includes(kind)),
  };
}

/** What to run once a deadline is done (and, where a step can move it, what to run then): the emails' last lines. */
export function howToRecord(kind: TimescaleName, ref: string, deadlineName: string): { intro: string; commands: string[] } {
  const agencyId = kind === 'info-request' ? deadlineName.split(':')[1] : undefined;
  const { meets, moves } = stepsFor(kind);
  return {
    intro: moves.length ? 'When it is done, the Business Unit records it (and records a change of date the same way):' : 'When it is done, the Business Unit records it:',
    commands: [...meets, ...moves].map((n) => commandHint(n, ref, agencyId)),
  };
}
