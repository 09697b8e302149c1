/**
 * zod schemas for every input a person gives: the eCase form, the LA decision,
 * calendar arguments. No Node imports: the workflow's update validators use
 * the same schemas as the `kscp` command.
 *
 * Checks that need the outside world (today's date, the agency directory) take
 * it as a parameter, so the same rule reads the same everywhere.
 */
import { z } from 'zod';
import { CRITERION_IDS, DEATH_CRITERIA } from './criteria';
import { isIsoDate } from './dates';

export const REF_PATTERN = /^KSCP-\d{4}-\d{3,4}$/;

export const IsoDateSchema = z
  .string({ error: 'must be a date written YYYY-MM-DD' })
  .refine(isIsoDate, { error: (i) => `${JSON.stringify(i.input)} is not a real date written YYYY-MM-DD` });

export const InstantSchema = z
  .string({ error: 'must be a date and time with its offset, e.g. 2026-03-02T14:30:00Z or 2026-06-02T14:30:00+01:00' })
  .refine((s) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s)), {
    error: (i) =>
      `${JSON.stringify(i.input)} is not a date and time with an offset (e.g. 2026-03-02T14:30:00Z or 2026-06-02T14:30:00+01:00)`,
  });

export const RefSchema = z
  .string({ error: 'must be the partnership reference, e.g. KSCP-2026-014' })
  .refine((s) => REF_PATTERN.test(s), {
    error: (i) => `${JSON.stringify(i.input)} is not a case reference: use KSCP-YYYY-NNN or KSCP-YYYY-NNNN, e.g. KSCP-2026-014`,
  });

const PersonName = z.string({ error: 'must be a name' }).trim().min(1, { error: 'must not be empty' }).max(200);

/** What the outside world contributes to validation: today's London date, now, the agencies in the directory. */
export interface ValidationContext {
  today: string;
  now: Date;
  agencyIds: readonly string[];
  /** The London calendar date of an instant. */
  londonDate: (instant: Date) => string;
}

export const NotifierSchema = z.strictObject({
  name: PersonName,
  email: z.email({ error: (i) => `${JSON.stringify(i.input)} is not an email address` }),
  role: z.string().trim().min(1, { error: 'must not be empty (e.g. "Designated Safeguarding Lead")' }).max(200),
});

/** The eCase form as `kscp notify --file` reads it. */
export function incidentFormSchema(ctx: ValidationContext) {
  const agencyId = z.string().refine((s) => ctx.agencyIds.includes(s), {
    error: (i) => `${JSON.stringify(i.input)} is not an agency in the directory (allowed: ${ctx.agencyIds.join(', ')})`,
  });
  const notFuture = (what: string) => (d: string) => d <= ctx.today || `${what} ${d} is in the future (today is ${ctx.today})`;
  return z
    .strictObject({
      ref: RefSchema,
      notifyingAgency: agencyId,
      notifier: NotifierSchema,
      incidentDate: IsoDateSchema,
      knownAt: InstantSchema,
      laAwareOn: IsoDateSchema,
      formReceivedAt: InstantSchema.optional(),
      criteria: z
        .array(
          z.enum(CRITERION_IDS, {
            error: (i) => `${JSON.stringify(i.input)} is not a notifiable criterion (allowed: ${CRITERION_IDS.join(', ')})`,
          }),
        )
        .min(1, { error: `name at least one criterion (${CRITERION_IDS.join(', ')})` }),
      childDied: z.boolean({ error: 'must be true or false' }),
      policeInvestigation: z.boolean({ error: 'must be true or false' }),
      agenciesInvolved: z.array(agencyId).min(1, { error: 'name at least one agency id' }),
      summary: z.string({ error: 'must be text' }).trim().min(1, { error: 'must not be empty' }).max(10_000),
    })
    .superRefine((f, c) => {
      const fail = (path: string, message: string) => c.addIssue({ code: 'custom', path: [path], message });
      const check = (path: string, result: true | string) => result !== true && fail(path, result);
      if (!isIsoDate(f.incidentDate) || !isIsoDate(f.laAwareOn)) return;
      check('incidentDate', notFuture('the incident date')(f.incidentDate));
      check('laAwareOn', notFuture('the date the LA became aware')(f.laAwareOn));
      if (f.laAwareOn < f.incidentDate)
        fail('laAwareOn', `the LA cannot have become aware (${f.laAwareOn}) before the incident (${f.incidentDate})`);
      const known = Date.parse(f.knownAt);
      // A knownAt that is not an instant has its own issue already; the checks against it would throw.
      if (!Number.isNaN(known)) {
        if (known > ctx.now.getTime()) fail('knownAt', `${f.knownAt} is in the future`);
        if (ctx.londonDate(new Date(known)) < f.incidentDate)
          fail('knownAt', `the agency cannot have known (${f.knownAt}) before the incident (${f.incidentDate})`);
        if (f.formReceivedAt !== undefined) {
          const received = Date.parse(f.formReceivedAt);
          if (received > ctx.now.getTime()) fail('formReceivedAt', `${f.formReceivedAt} is in the future`);
          if (received < known) fail('formReceivedAt', `the form cannot arrive (${f.formReceivedAt}) before the agency knew (${f.knownAt})`);
        }
      }
      const deathOnly = f.criteria.filter((k) => DEATH_CRITERIA.includes(k));
      if (!f.childDied && deathOnly.length > 0)
        fail('criteria', `${deathOnly.join(', ')} needs childDied: true (it applies only when a child has died)`);
      if (new Set(f.criteria).size !== f.criteria.length) fail('criteria', 'lists a criterion twice');
    });
}

export type IncidentForm = z.infer<ReturnType<typeof incidentFormSchema>>;

/** The LA's decision on notification, as recorded by the Business Unit. */
export const LaDecisionSchema = z
  .strictObject({
    notifiable: z.boolean({ error: 'must be true (notifiable) or false (not notifiable)' }),
    panelNotifiedOn: IsoDateSchema.optional(),
    decidedBy: PersonName,
    rationale: z.string().trim().min(1, { error: 'must not be empty' }).max(10_000).optional(),
    /** When the Business Unit recorded it; the workflow's clock when absent (a signal typed in the Web UI). */
    recordedAt: InstantSchema.optional(),
  })
  .superRefine((d, c) => {
    if (d.notifiable && d.panelNotifiedOn === undefined)
      c.addIssue({
        code: 'custom',
        path: ['panelNotifiedOn'],
        message: 'is required when the incident is notifiable: the date the LA notified the National Panel',
      });
    if (!d.notifiable && d.panelNotifiedOn !== undefined)
      c.addIssue({ code: 'custom', path: ['panelNotifiedOn'], message: 'must not be given when the incident is not notifiable' });
    if (!d.notifiable && d.rationale === undefined)
      c.addIssue({ code: 'custom', path: ['rationale'], message: 'is required when the incident is not notifiable: say why' });
  });
export type LaDecision = z.infer<typeof LaDecisionSchema>;

const Staff = PersonName;
const Reason = z.string({ error: 'must be text' }).trim().min(1, { error: 'must not be empty' }).max(10_000);
const AgencyIdFormat = z
  .string({ error: 'must be an agency id from the directory' })
  .regex(/^[a-z][a-z0-9-]*$/, { error: (i) => `${JSON.stringify(i.input)} is not an agency id (lower-case words joined by hyphens, e.g. police)` });
const oneOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: (i) => `${JSON.stringify(i.input)} is not allowed (allowed: ${values.join(', ')})` });

export const RAPID_REVIEW_OUTCOMES = ['local-review', 'recommend-national-review', 'no-further-review'] as const;
export const PANEL_DECISIONS = ['local-review', 'national-review', 'no-further-review'] as const;
export const LCSPR_METHODOLOGIES = ['case-authored', 'thematic', 'multi-agency-audit', 'learning-event'] as const;
export const PUBLICATION_DECISIONS = ['publish', 'improvements-only', 'not-publish'] as const;
export const VIEWS_FROM = ['practitioners', 'family'] as const;
export const WITHDRAWAL_REASONS = ['recorded-in-error', 'criteria-not-met', 'other'] as const;

/** An information request to an agency, with the due date the Business Unit set. */
export const InfoRequestSchema = z
  .strictObject({ agency: AgencyIdFormat, requestedOn: IsoDateSchema, dueOn: IsoDateSchema, by: Staff })
  .refine((r) => !isIsoDate(r.requestedOn) || !isIsoDate(r.dueOn) || r.dueOn > r.requestedOn, {
    path: ['dueOn'],
    error: 'must be after the date of the request',
  });
export const InfoReceivedSchema = z.strictObject({ agency: AgencyIdFormat, receivedOn: IsoDateSchema, by: Staff });

/** The Rapid Review template submitted to the National Panel, with the partnership's outcome. */
export const RapidReviewSchema = z.strictObject({
  meetingOn: IsoDateSchema,
  submittedOn: IsoDateSchema,
  outcome: oneOf(RAPID_REVIEW_OUTCOMES),
  rationale: Reason,
  by: Staff,
});
export const PanelResponseSchema = z.strictObject({ receivedOn: IsoDateSchema, decision: oneOf(PANEL_DECISIONS), by: Staff });
export const LcsprStartSchema = z.strictObject({ initiatedOn: IsoDateSchema, methodology: oneOf(LCSPR_METHODOLOGIES), by: Staff });
export const ViewsSchema = z.strictObject({ from: oneOf(VIEWS_FROM), on: IsoDateSchema, by: Staff });
export const DelaySchema = z.strictObject({ sentOn: IsoDateSchema, reason: Reason, by: Staff });
export const NationalReviewerSchema = z.strictObject({
  reviewer: z.string().trim().min(1, { error: 'must not be empty' }).max(300),
  appointedOn: IsoDateSchema,
  by: Staff,
});
export const NationalReportSchema = z.strictObject({ receivedOn: IsoDateSchema, by: Staff });
export const SubgroupAgreedSchema = z.strictObject({ on: IsoDateSchema, by: Staff });
export const ExecutiveSignoffSchema = z
  .strictObject({
    on: IsoDateSchema,
    decision: oneOf(PUBLICATION_DECISIONS),
    plannedPublicationOn: IsoDateSchema.optional(),
    reasons: Reason.optional(),
    by: Staff,
  })
  .superRefine((e, c) => {
    if (e.decision !== 'not-publish' && e.plannedPublicationOn === undefined)
      c.addIssue({ code: 'custom', path: ['plannedPublicationOn'], message: `is required when the decision is ${e.decision}: the planned publication date` });
    if (e.decision === 'not-publish' && e.plannedPublicationOn !== undefined)
      c.addIssue({ code: 'custom', path: ['plannedPublicationOn'], message: 'must not be given when the report is not to be published' });
    if (e.decision !== 'publish' && e.reasons === undefined)
      c.addIssue({ code: 'custom', path: ['reasons'], message: `are required when the decision is ${e.decision}` });
    if (e.plannedPublicationOn !== undefined && isIsoDate(e.on) && isIsoDate(e.plannedPublicationOn) && e.plannedPublicationOn <= e.on)
      c.addIssue({ code: 'custom', path: ['plannedPublicationOn'], message: 'must be after the date of the Executive decision' });
  });
export const ReportSentSchema = z.strictObject({ sentOn: IsoDateSchema, by: Staff });
export const PublishedSchema = z.strictObject({
  on: IsoDateSchema,
  url: z.url({ protocol: /^https?$/, error: (i) => `${JSON.stringify(i.input)} is not a web address (https://...)` }),
  by: Staff,
});
export const DoneOnSchema = z.strictObject({ on: IsoDateSchema, by: Staff });
export const DeferSchema = z.strictObject({ reason: Reason, newDate: IsoDateSchema, panelToldOn: IsoDateSchema, by: Staff });
export const AmendSchema = z.strictObject({
  field: z.string().trim().min(1, { error: 'must name the field to correct' }),
  value: z.string().trim().min(1, { error: 'must not be empty' }).max(1000),
  reason: Reason,
  by: Staff,
});
export const WithdrawSchema = z.strictObject({ reason: oneOf(WITHDRAWAL_REASONS), detail: Reason, by: Staff });

export type InfoRequest = z.infer<typeof InfoRequestSchema>;
export type InfoReceived = z.infer<typeof InfoReceivedSchema>;
export type RapidReview = z.infer<typeof RapidReviewSchema>;
export type PanelResponse = z.infer<typeof PanelResponseSchema>;
export type LcsprStart = z.infer<typeof LcsprStartSchema>;
export type Views = z.infer<typeof ViewsSchema>;
export type Delay = z.infer<typeof DelaySchema>;
export type NationalReviewer = z.infer<typeof NationalReviewerSchema>;
export type NationalReport = z.infer<typeof NationalReportSchema>;
export type SubgroupAgreed = z.infer<typeof SubgroupAgreedSchema>;
export type ExecutiveSignoff = z.infer<typeof ExecutiveSignoffSchema>;
export type ReportSent = z.infer<typeof ReportSentSchema>;
export type Published = z.infer<typeof PublishedSchema>;
export type DoneOn = z.infer<typeof DoneOnSchema>;
export type Defer = z.infer<typeof DeferSchema>;
export type Amend = z.infer<typeof AmendSchema>;
export type Withdraw = z.infer<typeof WithdrawSchema>;

/** The first problem zod found, as one line: "field.path: message". */
export function firstIssue(error: z.ZodError, prefix = ''): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid input';
  const path = issue.path.map(String).join('.');
  const message = issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}` : issue.message;
  return `${prefix}${path ? `${path}: ` : ''}${message}`;
}
