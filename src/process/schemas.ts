/**
 * The input of every step, as zod schemas: the eCase form, and each message the Business Unit
 * records, for the `kscp` command and the client. The workflow checks the same inputs with the
 * hand-written checks in ./inputs.ts (zod stays out of the workflow bundle: a cached case would
 * carry its modules); test/unit/inputs.test.ts holds the two to the same answers and messages.
 *
 * Text is plain: names and short texts are one line; paragraphs (reasons, rationales, the summary)
 * may hold line breaks. No field accepts control characters (escape sequences, carriage returns,
 * backspaces, bidirectional overrides): a recorded value must not be able to rewrite a terminal or
 * an email. Every field is bounded.
 *
 * Checks that need the outside world (today's date, the agency directory) take it as a parameter,
 * so the same rule reads the same everywhere.
 */
import { z } from 'zod';
import { CRITERION_IDS } from './criteria';
import { CALENDAR_YEARS, isIsoDate } from './dates';
import {
  controlCharacterProblem,
  DEFAULT_REF_PATTERN,
  formConsistency,
  isInstant,
  normaliseRef,
  OFSTED_DECISIONS,
  PANEL_DECISIONS,
  PUBLICATION_DECISIONS,
  RAPID_REVIEW_OUTCOMES,
  REPORT_RECIPIENTS,
  LCSPR_METHODOLOGIES,
  SAFE_REF,
  VIEWS_FROM,
  WITHDRAWAL_REASONS,
  INSTANT_HELP,
} from './inputs';
import type { StepInputs, StepName } from './steps';

export {
  DEFAULT_REF_PATTERN,
  formConsistency,
  isInstant,
  LCSPR_METHODOLOGIES,
  normaliseRef,
  OFSTED_DECISIONS,
  PANEL_DECISIONS,
  PUBLICATION_DECISIONS,
  RAPID_REVIEW_OUTCOMES,
  REPORT_RECIPIENTS,
  SAFE_REF,
  VIEWS_FROM,
  WITHDRAWAL_REASONS,
};
export type {
  Amend,
  Defer,
  Delay,
  DoneOn,
  ExecutiveSignoff,
  IncidentForm,
  InfoReceived,
  InfoRequest,
  LaDecision,
  LcsprStart,
  NationalReport,
  NationalReviewer,
  PanelResponse,
  Published,
  RapidReview,
  ReportSent,
  Views,
  Withdraw,
} from './inputs';

const inCalendarYears = (d: string): boolean => Number(d.slice(0, 4)) >= CALENDAR_YEARS.first && Number(d.slice(0, 4)) <= CALENDAR_YEARS.last;

// Plain text -----------------------------------------------------------------------------------

/** One line of plain text, trimmed, 1 to `max` characters. */
export function line(what: string, max: number) {
  return z
    .string({ error: (i) => (i.input === undefined ? 'is required' : `must be ${what}`) })
    .trim()
    .min(1, { error: 'must not be empty' })
    .max(max, { error: `is too long (at most ${max} characters)` })
    .superRefine((s, c) => {
      const problem = controlCharacterProblem(s, false);
      if (problem) c.addIssue({ code: 'custom', message: problem });
    });
}

/** Plain text that may run over several lines, trimmed, 1 to `max` characters. */
export function paragraph(what: string, max = 10_000) {
  return z
    .string({ error: (i) => (i.input === undefined ? 'is required' : `must be ${what}`) })
    .trim()
    .min(1, { error: 'must not be empty' })
    .max(max, { error: `is too long (at most ${max} characters)` })
    .superRefine((s, c) => {
      const problem = controlCharacterProblem(s, true);
      if (problem) c.addIssue({ code: 'custom', message: problem });
    });
}

// Dates and references -------------------------------------------------------------------------

export const IsoDateSchema = z
  .string({ error: (i) => (i.input === undefined ? 'is required: a date written YYYY-MM-DD' : 'must be a date written YYYY-MM-DD') })
  .refine(isIsoDate, { error: (i) => `${JSON.stringify(i.input)} is not a real date written YYYY-MM-DD` })
  .refine((d) => !isIsoDate(d) || inCalendarYears(d), { error: (i) => `${String(i.input)} is outside the years the working-day calendar covers (${CALENDAR_YEARS.first} to ${CALENDAR_YEARS.last})` });

/** An instant with its offset; stored as UTC (the offset it was written in does not matter). */
export const InstantSchema = z
  .string({ error: (i) => (i.input === undefined ? `is required: ${INSTANT_HELP}` : `must be ${INSTANT_HELP}`) })
  .refine(isInstant, { error: (i) => `${JSON.stringify(i.input)} is not ${INSTANT_HELP}` })
  .refine((s) => !isInstant(s) || inCalendarYears(new Date(s).toISOString()), { error: (i) => `${String(i.input)} is outside the years the working-day calendar covers (${CALENDAR_YEARS.first} to ${CALENDAR_YEARS.last})` })
  .transform((s) => new Date(s).toISOString());

export const RefSchema = z
  .string({ error: 'must be the partnership reference, e.g. KSCP-2026-014' })
  .refine((s) => SAFE_REF.test(s), {
    error: (i) => `${JSON.stringify(i.input)} is not a case reference (capital letters and digits in parts joined by hyphens, e.g. KSCP-2026-014)`,
  });

/** An agency id as the directory writes it (whether it is in the directory is checked where the directory is known). */
export const AgencyIdSchema = z
  .string({ error: (i) => (i.input === undefined ? 'is required: an agency id from the directory' : 'must be an agency id from the directory') })
  .regex(/^[a-z][a-z0-9-]{0,39}$/, { error: (i) => `${JSON.stringify(i.input)} is not an agency id (lower-case words joined by hyphens, e.g. police)` });

const oneOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: (i) => (i.input === undefined ? `is required (one of: ${values.join(', ')})` : `${JSON.stringify(i.input)} is not allowed (allowed: ${values.join(', ')})`) });

const yesNo = (what: string) => z.boolean({ error: (i) => (i.input === undefined ? `is required: ${what}` : `must be true or false (${what})`) });

const Staff = line('the name of a member of staff', 200);
const Reason = paragraph('text');

// The eCase form -------------------------------------------------------------------------------

export const NotifierSchema = z.strictObject({
  name: line('a name', 200),
  email: z.email({ error: (i) => (i.input === undefined ? 'is required' : `${JSON.stringify(i.input)} is not an email address`) }).max(254),
  role: line('a role, e.g. "Designated Safeguarding Lead"', 200),
});

const criteriaList = z
  .array(
    z.enum(CRITERION_IDS, { error: (i) => `${JSON.stringify(i.input)} is not a notifiable criterion (allowed: ${CRITERION_IDS.join(', ')})` }),
    { error: (i) => (i.input === undefined ? 'is required' : 'must be a list of criteria') })
  .min(1, { error: `name at least one criterion (${CRITERION_IDS.join(', ')})` })
  .max(CRITERION_IDS.length, { error: 'lists more criteria than there are' });

/** The eCase form's fields, checked without the outside world (the workflow checks a start with this). */
export const IncidentFormFields = z.strictObject({
  ref: RefSchema,
  notifyingAgency: AgencyIdSchema,
  notifier: NotifierSchema,
  incidentDate: IsoDateSchema,
  knownAt: InstantSchema,
  laAwareOn: IsoDateSchema,
  formReceivedAt: InstantSchema.optional(),
  criteria: criteriaList,
  childDied: yesNo('whether a child has died'),
  policeInvestigation: yesNo('whether there is a police investigation'),
  agenciesInvolved: z.array(AgencyIdSchema, { error: (i) => (i.input === undefined ? 'is required' : 'must be a list of agency ids') }).min(1, { error: 'name at least one agency id' }).max(40),
  summary: paragraph('text (what happened, for the case record)'),
});

/** What the outside world contributes to validation: today's London date, now, the agencies in the directory. */
export interface ValidationContext {
  today: string;
  now: Date;
  agencyIds: readonly string[];
  /** The London calendar date of an instant. */
  londonDate: (instant: Date) => string;
  /** The partnership's reference format (config); the KSCP format when absent. */
  refPattern?: { regex: RegExp; example: string };
}

/** A form whose reference was typed in lower case, or with spaces around it, has it normalised first. */
function withNormalisedRef(form: unknown): unknown {
  if (typeof form !== 'object' || form === null || Array.isArray(form)) return form;
  const { ref } = form as { ref?: unknown };
  return typeof ref === 'string' ? { ...form, ref: normaliseRef(ref) } : form;
}

/** The eCase form as `kscp notify` checks it: the reference normalised, the fields, their consistency, and the outside world. */
export function incidentFormSchema(ctx: ValidationContext) {
  return z.preprocess(withNormalisedRef, IncidentFormFields.superRefine((f, c) => {
    const fail = (path: string, message: string) => c.addIssue({ code: 'custom', path: [path], message });
    const pattern = ctx.refPattern ?? { regex: DEFAULT_REF_PATTERN, example: 'KSCP-2026-014' };
    if (!pattern.regex.test(f.ref)) fail('ref', `${JSON.stringify(f.ref)} is not a case reference: use the partnership's format, e.g. ${pattern.example}`);
    const known = (id: string) => ctx.agencyIds.includes(id);
    if (!known(f.notifyingAgency)) fail('notifyingAgency', `${JSON.stringify(f.notifyingAgency)} is not an agency in the directory (allowed: ${ctx.agencyIds.join(', ')})`);
    const unknown = f.agenciesInvolved.filter((a) => !known(a));
    if (unknown.length) fail('agenciesInvolved', `${unknown.map((a) => JSON.stringify(a)).join(', ')} ${unknown.length > 1 ? 'are not agencies' : 'is not an agency'} in the directory (allowed: ${ctx.agencyIds.join(', ')})`);
    if (f.incidentDate > ctx.today) fail('incidentDate', `the incident date ${f.incidentDate} is in the future (today is ${ctx.today})`);
    if (f.laAwareOn > ctx.today) fail('laAwareOn', `the date the LA became aware ${f.laAwareOn} is in the future (today is ${ctx.today})`);
    // A field that is not what it should be has its own issue already; the checks against it would only repeat it.
    if (isInstant(f.knownAt)) {
      if (Date.parse(f.knownAt) > ctx.now.getTime()) fail('knownAt', `${f.knownAt} is in the future`);
      if (ctx.londonDate(new Date(f.knownAt)) < f.incidentDate) fail('knownAt', `the agency cannot have known (${f.knownAt}) before the incident (${f.incidentDate})`);
    }
    if (f.formReceivedAt !== undefined && Date.parse(f.formReceivedAt) > ctx.now.getTime()) fail('formReceivedAt', `${f.formReceivedAt} is in the future`);
    for (const issue of formConsistency(f)) if (issue.path !== 'knownAt') fail(issue.path, issue.message);
  }));
}

// The steps' inputs ----------------------------------------------------------------------------

/** The LA's decision on notification (and on Ofsted), as recorded by the Business Unit. */
export const LaDecisionSchema = z
  .strictObject({
    notifiable: z.boolean({ error: (i) => (i.input === undefined ? 'is required: true (notifiable) or false (not notifiable)' : 'must be true (notifiable) or false (not notifiable)') }),
    panelNotifiedOn: IsoDateSchema.optional(),
    ofsted: oneOf(OFSTED_DECISIONS),
    ofstedNotifiedOn: IsoDateSchema.optional(),
    decidedBy: Staff,
    rationale: Reason.optional(),
    /** When the Business Unit recorded it; the workflow's clock when absent. */
    recordedAt: InstantSchema.optional(),
  })
  .superRefine((d, c) => {
    const fail = (path: string, message: string) => c.addIssue({ code: 'custom', path: [path], message });
    if (d.notifiable && d.panelNotifiedOn === undefined) fail('panelNotifiedOn', 'is required when the incident is notifiable: the date the LA notified the National Panel');
    if (!d.notifiable && d.panelNotifiedOn !== undefined) fail('panelNotifiedOn', 'must not be given when the incident is not notifiable');
    if (!d.notifiable && d.rationale === undefined) fail('rationale', 'is required when the incident is not notifiable: say why');
    if (d.ofsted === 'not-required' && d.ofstedNotifiedOn !== undefined) fail('ofstedNotifiedOn', 'must not be given when Ofsted need not be notified');
  });

export const DoneOnSchema = z.strictObject({ on: IsoDateSchema, by: Staff });

/** An information request to an agency, with the due date the Business Unit set. */
export const InfoRequestSchema = z
  .strictObject({ agency: AgencyIdSchema, requestedOn: IsoDateSchema, dueOn: IsoDateSchema, by: Staff })
  .refine((r) => !isIsoDate(r.requestedOn) || !isIsoDate(r.dueOn) || r.dueOn > r.requestedOn, { path: ['dueOn'], error: 'must be after the date of the request' });
export const InfoReceivedSchema = z.strictObject({ agency: AgencyIdSchema, receivedOn: IsoDateSchema, by: Staff });

/** The Rapid Review template submitted to the National Panel, with the partnership's outcome. */
export const RapidReviewSchema = z.strictObject({ meetingOn: IsoDateSchema, submittedOn: IsoDateSchema, outcome: oneOf(RAPID_REVIEW_OUTCOMES), rationale: Reason, by: Staff });
export const PanelResponseSchema = z.strictObject({ receivedOn: IsoDateSchema, decision: oneOf(PANEL_DECISIONS), by: Staff });
export const LcsprStartSchema = z.strictObject({ initiatedOn: IsoDateSchema, methodology: oneOf(LCSPR_METHODOLOGIES), by: Staff });
export const ViewsSchema = z.strictObject({ from: oneOf(VIEWS_FROM), on: IsoDateSchema, by: Staff });
export const DelaySchema = z.strictObject({ sentOn: IsoDateSchema, reason: Reason, by: Staff });
export const NationalReviewerSchema = z.strictObject({ reviewer: line('the reviewer (an organisation or role)', 300), appointedOn: IsoDateSchema, by: Staff });
export const NationalReportSchema = z.strictObject({ receivedOn: IsoDateSchema, by: Staff });
export const ExecutiveSignoffSchema = z
  .strictObject({ on: IsoDateSchema, decision: oneOf(PUBLICATION_DECISIONS), plannedPublicationOn: IsoDateSchema.optional(), reasons: Reason.optional(), by: Staff })
  .superRefine((e, c) => {
    const fail = (path: string, message: string) => c.addIssue({ code: 'custom', path: [path], message });
    if (e.decision !== 'not-publish' && e.plannedPublicationOn === undefined) fail('plannedPublicationOn', `is required when the decision is ${e.decision}: the planned publication date`);
    if (e.decision === 'not-publish' && e.plannedPublicationOn !== undefined) fail('plannedPublicationOn', 'must not be given when the report is not to be published');
    if (e.decision !== 'publish' && e.reasons === undefined) fail('reasons', `are required when the decision is ${e.decision}`);
    if (e.plannedPublicationOn !== undefined && isIsoDate(e.on) && isIsoDate(e.plannedPublicationOn) && e.plannedPublicationOn <= e.on)
      fail('plannedPublicationOn', 'must be after the date of the Executive decision');
  });
export const ReportSentSchema = z.strictObject({ sentOn: IsoDateSchema, to: oneOf(REPORT_RECIPIENTS), by: Staff });
export const PublishedSchema = z.strictObject({
  on: IsoDateSchema,
  url: z.url({ protocol: /^https?$/, error: (i) => (i.input === undefined ? 'is required: the web address of the published report' : `${JSON.stringify(i.input)} is not a web address (https://...)`) }).max(2000),
  by: Staff,
});
export const DeferSchema = z.strictObject({ reason: Reason, newDate: IsoDateSchema, panelToldOn: IsoDateSchema, by: Staff });
export const WithdrawSchema = z.strictObject({ reason: oneOf(WITHDRAWAL_REASONS), detail: Reason, by: Staff });
export const AmendSchema = z.strictObject({
  field: line('the name of the field to correct', 80),
  value: line('the correct value', 1000),
  reason: Reason,
  by: Staff,
});

/** The first problem zod found, as one line: "field.path: message". */
export function firstIssue(error: z.ZodError, prefix = ''): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid input';
  const path = issue.path.map(String).join('.');
  const message = issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}` : issue.message;
  return `${prefix}${path ? `${path}: ` : ''}${message}`;
}

/**
 * Each step's schema, by its update/signal name, for `kscp` (the workflow checks the same input
 * with the step's own check in ./steps.ts). Typed against the steps, so a step missing here, or a
 * schema whose output differs from its step's input, does not compile.
 */
export const STEP_SCHEMAS: { readonly [N in StepName]: z.ZodType<StepInputs[N]> } = {
  laDecision: LaDecisionSchema,
  ofstedNotified: DoneOnSchema,
  careLeaverNotified: DoneOnSchema,
  infoRequest: InfoRequestSchema,
  infoReceived: InfoReceivedSchema,
  rapidReview: RapidReviewSchema,
  partnersInformed: DoneOnSchema,
  panelResponse: PanelResponseSchema,
  lcsprStart: LcsprStartSchema,
  views: ViewsSchema,
  delay: DelaySchema,
  nationalReviewer: NationalReviewerSchema,
  nationalReport: NationalReportSchema,
  subgroupAgreed: DoneOnSchema,
  executiveSignoff: ExecutiveSignoffSchema,
  reportSent: ReportSentSchema,
  published: PublishedSchema,
  removedFromWebsite: DoneOnSchema,
  learningShared: DoneOnSchema,
  staffInformed: DoneOnSchema,
  defer: DeferSchema,
  amend: AmendSchema,
  withdraw: WithdrawSchema,
};
