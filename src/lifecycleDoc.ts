/**
 * docs/lifecycle.md, generated from the declared process (src/process/steps.ts, timescales.ts,
 * stages.ts) and the `kscp` commands (src/cli/stepCommands.ts): `npm run docs:lifecycle` writes
 * it, and a test fails when the file and the model differ.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { STEP_COMMANDS, type StepCommand } from './cli/stepCommands';
import { PACKAGE_ROOT } from './config';
import { CRITERIA, CRITERION_IDS } from './process/criteria';
import { STAGE_TITLES, STAGES, type Stage } from './process/stages';
import { STEPS, type StepName } from './process/steps';
import { REMINDER_LEVELS, TIMESCALES, type Length, type ReminderPolicy } from './process/timescales';

export const LIFECYCLE_DOC = path.join(PACKAGE_ROOT, 'docs', 'lifecycle.md');

const code = (s: string): string => `\`${s}\``;
const list = (xs: readonly string[] | undefined): string => (xs && xs.length ? xs.map(code).join(', ') : '');
const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function lengthInWords(l: Length): string {
  switch (l.unit) {
    case 'clock-hours':
      return `${l.n} clock hours`;
    case 'working-days':
      return `${l.n} working days after day 0`;
    case 'working-days-before':
      return `${l.n} working days before`;
    case 'calendar-months':
      return `${l.n} calendar months`;
    case 'set-by-business-unit':
      return 'the date the Business Unit sets';
  }
}

const POLICY: Record<ReminderPolicy, string> = {
  escalating: 'notice; half-way reminder; warning 1 working day before; due today; overdue each working day (escalated)',
  monthly: 'notice; monthly progress; warnings 1 month and 2 weeks before; due; overdue weekly (escalated)',
  'chase-after': 'one reminder once the length has passed, then every 5 working days (owner only)',
  gentle: 'notice; reminder 10 working days before, on the day, then every 5 working days (owner only, never escalated)',
  none: 'none: recorded, not chased',
};

function stepRow(name: StepName): string {
  const st = STEPS[name] as { command: string; description: string; from: readonly Stage[]; to?: readonly Stage[]; stays?: boolean; clocks: Record<string, readonly string[] | undefined> };
  const spec = STEP_COMMANDS[name] as StepCommand<StepName>;
  const flags = spec.flags.map((f) => (f.optional ? `[${f.flag.replace(/ .*$/, '')}]` : f.flag.replace(/ .*$/, ''))).join(' ');
  const to = st.to && st.to.length ? `${list(st.to)}${st.stays ? ' (or stays)' : ''}` : '(stays)';
  return `| ${code(`kscp ${st.command}`)} ${cell(flags)} | ${list(st.from)} | ${to} | ${list(st.clocks.opens)} | ${list(st.clocks.meets)} | ${list(st.clocks.cancels)} | ${list(st.clocks.moves)} | ${cell(st.description)} |`;
}

export function lifecycleMarkdown(): string {
  const names = Object.keys(STEPS) as StepName[];
  const out: string[] = [
    '# The lifecycle of a case',
    '',
    '<!-- Generated from src/process (steps.ts, timescales.ts, stages.ts) and src/cli/stepCommands.ts by',
    '     `npm run docs:lifecycle`. Do not edit by hand: test/unit/lifecycle-doc.test.ts fails when they differ. -->',
    '',
    'One serious incident is one workflow, `incident-<ref>`. `kscp notify` opens it from the eCase form',
    "straight into `LA_DECISION`; the Business Unit then moves it on by recording what happened, one",
    '`kscp` command per step. Each step is a Temporal update (and a signal) named after the step\'s key',
    '(`laDecision`, `rapidReview`, ...): the workflow checks it against the stage, the input and the',
    "case's dates before it changes anything.",
    '',
    '## Stages',
    '',
    '| stage | what it means | steps recorded there |',
    '|---|---|---|',
    ...STAGES.map((s) => {
      const here = names.filter((n) => (STEPS[n].from as readonly Stage[]).includes(s)).map((n) => STEPS[n].command);
      return `| ${code(s)} | ${STAGE_TITLES[s]} | ${here.length ? here.map(code).join(', ') : '(none: the case is closed; its record is kept)'} |`;
    }),
    '',
    '## Steps',
    '',
    'Each row is one declared step: where it fits, where it leads, and the clocks (deadlines) it opens,',
    'meets, cancels or moves. "opens": the deadline is followed and reminded from now on; "moves": its',
    'day 0 (or a revised target) changes and its dates are recomputed. A step that leads to `CLOSED`',
    'cancels every deadline still open.',
    '',
    '| command | fits stages | leads to | opens | meets | cancels | moves | what it records |',
    '|---|---|---|---|---|---|---|---|',
    ...names.map(stepRow),
    '',
    'Opening a case (`kscp notify`): `ecase-form` (met at once; on time if the form arrived within 24',
    'hours of the agency knowing, instants compared as instants), `panel-notification` (chased at once)',
    'and `rapid-review` (shown from day 0, chased once the LA has decided); for a care leaver\'s death,',
    '`care-leaver-notification` (chased at once). A care leaver\'s death alone opens no Panel',
    'notification and no Rapid Review.',
    '',
    'Opened by a clock, not a step: `delay-reasons`, from the working day after the LCSPR\'s 6-month',
    'date passes unpublished with no reasons recorded (day 0 is the 6-month date; its notice waits for',
    'working hours). A deferral (`defer`) or `delay` recorded before then means it never opens.',
    '',
    '## Deadlines',
    '',
    '| deadline | what is due | day 0 | length | statutory | reminders | owner | source | Working Together 2023 |',
    '|---|---|---|---|---|---|---|---|---|',
    ...TIMESCALES.map(
      (t) =>
        `| ${code(t.name)} | ${cell(t.due)} | ${cell(t.clockStart)} | ${lengthInWords(t.length)}${t.name === 'website-removal' ? ' (`KSCP_WEBSITE_RETENTION_MONTHS`)' : ''} | ${t.statutory ? 'yes' : 'no (policy target)'} | ${POLICY[t.policy]} | ${t.owner === 'agency-contact' ? 'the agency\'s contact (its safeguarding lead too at due and overdue)' : code(t.owner)} | ${cell(t.source)} | ${cell('workingTogether' in t ? t.workingTogether : 'The same.')} |`,
    ),
    '',
    'Reminder levels (statutory deadlines): ' +
      Object.entries(REMINDER_LEVELS)
        .map(([n, l]) => `${n} ${l.name}${l.alsoTo.length ? ` (also ${l.alsoTo.map(code).join(', ')})` : ''}`)
        .join('; ') +
      '. Every level after the notice goes at 09:00 London on a working day; one missed while the worker was down goes at once if it is still a working day before 17:30, else at the next working 09:00. A deadline already past when its clock starts is announced at the level it has reached, to that level\'s recipients.',
    '',
    '## Criteria',
    '',
    ...CRITERION_IDS.map((c) => `- ${code(c)}: ${CRITERIA[c]}`),
    '',
    '## Records tell the truth',
    '',
    '- A late step is recorded, and its deadline says LATE with how many working days (hours for the',
    '  eCase form). Only what cannot be true is refused: a date in the future, a date before the step it',
    '  depends on, a step that does not fit the stage.',
    '- A statutory due date moves only when the facts it is computed from are corrected (`amend`). A',
    '  deferral records its reason, the revised target and when the Panel was told; the 6-month measure',
    '  still reports the miss, and reminders chase the revised target.',
    '- The full report\'s 7 working days are measured against the actual publication date once',
    '  published (the planned date until then), for the Panel and the Secretary of State alike. A report',
    '  sent after publication is recorded, late.',
    '',
    '## What is refused, and how',
    '',
    'A message is checked in steps, and the first that fails refuses it with one sentence and changes',
    'nothing: the stage (exit code 3: `case KSCP-2026-014 is at stage RAPID_REVIEW: published is',
    'recorded at stage SIGN_OFF`), the case\'s own facts (exit 3: `an information request to police is',
    'already open ...`), the input (exit 2: a missing or malformed field, a value not allowed, a date in',
    'the future, control characters), the dates against the case (exit 2: `--submitted: 2026-12-09 is',
    'before the Rapid Review meeting (2026-12-10)`).',
    '',
    'From clients that send signals (the Go `temporal` CLI, the Web UI): a signal cannot be refused, so',
    'one that does not fit, whose payload is not encrypted with the partnership\'s keys, does not decrypt',
    'or does not convert, or whose name the case does not know, is recorded on the case\'s timeline as',
    'refused (what, how, why; never its content) and nothing else changes. An update with an unknown',
    'name is refused and recorded the same way. An update refused by its validator leaves no trace in',
    'Temporal\'s history (by Temporal\'s design): its sender gets the reason at once.',
    '',
  ];
  return out.join('\n');
}

if (require.main === module) {
  writeFileSync(LIFECYCLE_DOC, lifecycleMarkdown());
  process.stdout.write(`Wrote ${path.relative(process.cwd(), LIFECYCLE_DOC)}\n`);
}
