/**
 * Interactive intake: the eCase form asked field by field (`kscp notify` without --file), and the
 * LA decision's missing options (`kscp la-decision <ref>` without --notifiable). Each answer is
 * checked at once by the same zod schema the file and the workflow use, with the answers given so
 * far, so a bad answer (or one that contradicts an earlier answer) is asked again with the reason.
 */
import { CRITERION_IDS } from '../process/criteria';
import { isIsoDate } from '../process/dates';
import { formatLondonDateTime, formatLongDate, londonInstant } from '../london';
import { incidentFormSchema, IsoDateSchema, type IncidentForm, type ValidationContext } from '../process/schemas';
import { confirm, Invalid, yesNo, type Asker } from './prompt';

type Answers = Record<string, unknown>;

interface Question {
  /** The form's field (a dotted path for the notifier's details). */
  field: string;
  question: string;
  /** From the typed line to the field's value; throw Invalid for what cannot be read at all. */
  read: (answer: string) => unknown;
  /** An optional field: an empty answer leaves it out. */
  optional?: boolean;
}

const text = (a: string): string => a;
const list = (a: string): string[] => a.split(/[\s,]+/).filter(Boolean);

/** An instant with its offset, or a London wall-clock time "YYYY-MM-DD HH:MM". */
export function readInstant(answer: string): string {
  const local = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}):(\d{2})$/.exec(answer);
  if (local && isIsoDate(local[1]!) && Number(local[2]) < 24 && Number(local[3]) < 60) return londonInstant(local[1]!, `${local[2]}:${local[3]}:00`).toISOString();
  return answer;
}

export function formQuestions(agencyIds: readonly string[], refExample = 'KSCP-2026-014'): Question[] {
  const agencies = agencyIds.join(', ');
  return [
    { field: 'ref', question: `Case reference (e.g. ${refExample}): `, read: text },
    { field: 'notifyingAgency', question: `Notifying agency (one of: ${agencies}): `, read: text },
    { field: 'notifier.name', question: 'Name of the person who completed the form: ', read: text },
    { field: 'notifier.email', question: 'Their email address: ', read: text },
    { field: 'notifier.role', question: 'Their role (e.g. Designated Safeguarding Lead): ', read: text },
    { field: 'incidentDate', question: 'Date of the incident (YYYY-MM-DD): ', read: text },
    { field: 'knownAt', question: 'When the notifying agency knew (YYYY-MM-DD HH:MM London time, or with an offset): ', read: readInstant },
    { field: 'laAwareOn', question: 'Date the LA became aware, day 0 of the clocks (YYYY-MM-DD): ', read: text },
    { field: 'formReceivedAt', question: 'When the form reached the KSCP (YYYY-MM-DD HH:MM; empty for now): ', read: readInstant, optional: true },
    { field: 'childDied', question: 'Has the child died? (yes/no): ', read: readYesNo },
    { field: 'criteria', question: `Notifiable criteria, separated by commas (${CRITERION_IDS.join(', ')}): `, read: list },
    { field: 'policeInvestigation', question: 'Is there a police investigation? (yes/no): ', read: readYesNo },
    { field: 'agenciesInvolved', question: `Agencies involved, separated by commas (from: ${agencies}): `, read: list },
    { field: 'summary', question: 'Summary of the incident (one line; kept encrypted in the case record only): ', read: text },
  ];
}

function readYesNo(a: string): boolean {
  return yesNo(a);
}

function setPath(target: Answers, path: string, value: unknown): Answers {
  const [head, tail] = path.split('.') as [string, string | undefined];
  if (tail === undefined) return { ...target, [head]: value };
  return { ...target, [head]: { ...(target[head] as Answers | undefined), [tail]: value } };
}

/**
 * A valid form that stands in for the questions not answered yet: checking an answer against it
 * (merged with the answers so far) reports only what is wrong with that answer.
 */
function standIn(ctx: ValidationContext): Answers {
  return {
    ref: ctx.refPattern?.example ?? 'KSCP-2000-000',
    notifyingAgency: ctx.agencyIds[0],
    notifier: { name: 'Stand In', email: 'stand.in@example.org', role: 'Stand in' },
    incidentDate: ctx.today,
    knownAt: ctx.now.toISOString(),
    laAwareOn: ctx.today,
    criteria: ['serious-harm'],
    childDied: false,
    policeInvestigation: false,
    agenciesInvolved: [ctx.agencyIds[0]],
    summary: 'stand in',
  };
}

/** What is wrong with the answer to `field`, given the answers so far, or undefined. */
export function problemWith(field: string, answers: Answers, ctx: ValidationContext): string | undefined {
  const candidate = { ...standIn(ctx), ...answers, notifier: { ...(standIn(ctx).notifier as Answers), ...(answers.notifier as Answers | undefined) } };
  const parsed = incidentFormSchema(ctx).safeParse(candidate);
  if (parsed.success) return undefined;
  const issue = parsed.error.issues.find((i) => i.path.map(String).join('.').startsWith(field));
  return issue?.message;
}

function ask(asker: Asker, q: Question, answers: Answers, ctx: ValidationContext): Promise<Answers> {
  return asker.ask(
    q.question,
    (line) => {
      if (line === '' && q.optional) return answers;
      const next = setPath(answers, q.field, q.read(line));
      const problem = problemWith(q.field, next, ctx);
      if (problem) throw new Invalid(problem);
      return next;
    },
    q.field,
  );
}

export function formSummary(form: IncidentForm): string[] {
  const rows: Array<[string, string]> = [
    ['ref', form.ref],
    ['notifying agency', form.notifyingAgency],
    ['notifier', `${form.notifier.name}, ${form.notifier.role} <${form.notifier.email}>`],
    ['incident date', formatLongDate(form.incidentDate)],
    ['agency knew at', formatLondonDateTime(new Date(form.knownAt))],
    ['LA aware on (day 0)', formatLongDate(form.laAwareOn)],
    ['form received at', form.formReceivedAt ? formatLondonDateTime(new Date(form.formReceivedAt)) : 'now'],
    ['child died', form.childDied ? 'yes' : 'no'],
    ['criteria', form.criteria.join(', ')],
    ['police investigation', form.policeInvestigation ? 'yes' : 'no'],
    ['agencies involved', form.agenciesInvolved.join(', ')],
    ['summary', form.summary],
  ];
  const width = Math.max(...rows.map(([k]) => k.length)) + 1;
  return rows.map(([k, v]) => `  ${`${k}:`.padEnd(width)} ${v}`);
}

/** Ask every field of the eCase form, show the summary and ask to go ahead. */
export async function askForm(asker: Asker, ctx: ValidationContext): Promise<IncidentForm> {
  asker.say('The Serious Incident eCase form: answer each question (an answer that is not allowed is asked again).');
  let answers: Answers = {};
  for (const q of formQuestions(ctx.agencyIds, ctx.refPattern?.example)) answers = await ask(asker, q, answers, ctx);
  const form = incidentFormSchema(ctx).parse(answers);
  asker.say('');
  asker.say('The eCase form:');
  for (const line of formSummary(form)) asker.say(line);
  await confirm(asker, `Open case ${form.ref} and start its deadlines?`);
  return form;
}

/** The LA decision's options, as `kscp la-decision` names them (commander's keys). */
export type LaDecisionOptions = Record<string, string | undefined>;

/** Ask what the LA decision's options did not give, show the decision and ask to go ahead. */
export async function askLaDecision(asker: Asker, ref: string, given: LaDecisionOptions, londonToday: string): Promise<LaDecisionOptions> {
  asker.say(`The LA's decision on notification for case ${ref}:`);
  const notifiable = await asker.ask('Is the incident notifiable to the National Panel? (yes/no): ', yesNo, 'notifiable');
  const date = (a: string): string => {
    const parsed = IsoDateSchema.safeParse(a);
    if (!parsed.success) throw new Invalid(parsed.error.issues[0]!.message);
    if (a > londonToday) throw new Invalid(`${a} is in the future (today is ${londonToday})`);
    return a;
  };
  const optionalDate = (a: string): string => (a === '' ? '' : date(a));
  const nonEmpty = (a: string): string => {
    if (!a) throw new Invalid('must not be empty');
    return a;
  };
  const opts: LaDecisionOptions = { ...given, notifiable: notifiable ? 'yes' : 'no' };
  if (notifiable) opts.panelNotified ??= await asker.ask('Date the LA notified the National Panel (YYYY-MM-DD): ', date, 'panel-notified');
  else opts.rationale ??= await asker.ask('The reasons for the decision (one line): ', nonEmpty, 'rationale');
  opts.ofsted ??= (await asker.ask('Must Ofsted be notified? (yes/no): ', yesNo, 'ofsted')) ? 'required' : 'not-required';
  if (opts.ofsted === 'required' && opts.ofstedNotified === undefined) {
    const on = await asker.ask('Date the LA notified Ofsted (YYYY-MM-DD; empty if not yet): ', optionalDate, 'ofsted-notified');
    if (on) opts.ofstedNotified = on;
  }
  opts.by ??= await asker.ask('Who made or is recording the decision: ', nonEmpty, 'by');
  asker.say('');
  asker.say(`The decision for ${ref}:`);
  asker.say(`  notifiable:      ${opts.notifiable}`);
  if (opts.panelNotified) asker.say(`  Panel notified:  ${formatLongDate(opts.panelNotified)}`);
  if (opts.rationale) asker.say(`  rationale:       ${opts.rationale}`);
  asker.say(`  Ofsted:          ${opts.ofsted}${opts.ofstedNotified ? `, notified ${formatLongDate(opts.ofstedNotified)}` : opts.ofsted === 'required' ? ' (not yet notified)' : ''}`);
  asker.say(`  by:              ${opts.by}`);
  await confirm(asker, notifiable ? `Record it and move ${ref} to the Rapid Review?` : `Record it for ${ref} as not notifiable?`);
  return opts;
}
