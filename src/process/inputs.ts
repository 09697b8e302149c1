/**
 * The input of every step, checked by hand for the workflow: the eCase form and each message the
 * Business Unit records. The same rules as the zod schemas in ./schemas.ts (which the `kscp`
 * command uses), with the same first problem and the same words, but without zod: a workflow's
 * sandbox instantiates every module of its bundle once per cached case, and zod was most of it
 * (4.7 MB of bundle, megabytes of heap a case). test/unit/inputs.test.ts holds the two to the same
 * answers over thousands of inputs, so a rule changed in one place and not the other fails there.
 *
 * Text is plain: names and short texts are one line; paragraphs (reasons, rationales, the summary)
 * may hold line breaks. No field accepts control characters (escape sequences, carriage returns,
 * backspaces, bidirectional overrides): a recorded value must not be able to rewrite a terminal or
 * an email. Every field is bounded.
 *
 * A check answers the first problem only, in zod's order: the fields in the order they are
 * declared, then unknown fields, then the rules across fields.
 */
import { CHILD_DEATH_CRITERIA, CRITERION_IDS, type Criterion } from './criteria';
import { CALENDAR_YEARS, isIsoDate, type IsoDate } from './dates';

// The checker ----------------------------------------------------------------------------------

/** Where a problem is: field names and list positions, outermost first. */
export type Path = readonly (string | number)[];
export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly path: Path; readonly message: string };
/** Checks one value (undefined when absent) and returns it cleaned (trimmed, instants in UTC), or its first problem. */
export type Check<T> = (input: unknown) => Checked<T>;
/** What a check accepts, cleaned. */
export type Output<C> = C extends Check<infer T> ? T : never;

const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
const no = (message: string, path: Path = []): Checked<never> => ({ ok: false, path, message });
const within = (key: string | number, r: Checked<unknown> & { ok: false }): Checked<never> => no(r.message, [key, ...r.path]);

/** The problem as one line, "field.path: message", as `firstIssue` writes zod's. */
export function problemLine(r: Checked<unknown> & { ok: false }, prefix = ''): string {
  const path = r.path.map(String).join('.');
  return `${prefix}${path ? `${path}: ` : ''}${r.message}`;
}

const show = (v: unknown): string => JSON.stringify(v);

/** The type name zod's English messages give a value that is not what was expected. */
function typeName(v: unknown): string {
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : Number.isFinite(v) ? 'number' : String(v);
  if (typeof v !== 'object') return typeof v;
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  const proto: unknown = Object.getPrototypeOf(v);
  const ctor = 'constructor' in v ? (v as { constructor?: { name?: string } }).constructor : undefined;
  return proto !== Object.prototype && ctor ? String(ctor.name) : 'object';
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

type Shape = Record<string, Check<unknown>>;
type Optional<T> = Check<T | undefined> & { readonly optional: true };
type ObjectOutput<S extends Shape> = { [K in keyof S as S[K] extends { optional: true } ? never : K]: Output<S[K]> } & {
  [K in keyof S as S[K] extends { optional: true } ? K : never]?: Exclude<Output<S[K]>, undefined>;
};
type Flat<T> = { [K in keyof T]: T[K] };

/** An absent value is fine; a present one must pass `check`. */
function optional<T>(check: Check<T>): Optional<T> {
  return Object.assign((v: unknown) => (v === undefined ? ok(undefined) : check(v)), { optional: true as const });
}

/** A rule across fields: where it fails and why, or undefined. */
type Rule<T> = (value: T) => { path: string; message: string } | undefined;

/**
 * An object with exactly these fields (an unknown field is refused, `__proto__` and `constructor`
 * too), then the rules across them, which see the cleaned values.
 */
function object<S extends Shape>(shape: S, rules: readonly Rule<Flat<ObjectOutput<S>>>[] = []): Check<Flat<ObjectOutput<S>>> {
  const keys = Object.keys(shape);
  const known = new Set(keys);
  return (input) => {
    if (!isRecord(input)) return no(`Invalid input: expected object, received ${typeName(input)}`);
    const out: Record<string, unknown> = {};
    for (const key of keys) {
      const r = shape[key]!(input[key]);
      if (!r.ok) return within(key, r);
      // An optional field that is absent stays absent; one that is present is kept, even as undefined.
      if (r.value !== undefined || key in input) out[key] = r.value;
    }
    const unknown: string[] = [];
    for (const key in input) if (!known.has(key)) unknown.push(key);
    if (unknown.length) return no(`unknown field(s) ${unknown.map(show).join(', ')}`);
    const value = out as Flat<ObjectOutput<S>>;
    for (const rule of rules) {
      const broken = rule(value);
      if (broken) return no(broken.message, [broken.path]);
    }
    return ok(value);
  };
}

/** A list of 1 to `max` items; a list over `max` is refused before its items are read. */
function list<T>(item: Check<T>, o: { notAList: (v: unknown) => string; empty: string; tooMany: string; max: number }): Check<T[]> {
  return (input) => {
    if (!Array.isArray(input)) return no(o.notAList(input));
    if (input.length > o.max) return no(o.tooMany);
    const out: T[] = [];
    for (let i = 0; i < input.length; i++) {
      const r = item(input[i]);
      if (!r.ok) return within(i, r);
      out.push(r.value);
    }
    return input.length < 1 ? no(o.empty) : ok(out);
  };
}

/** One of `values`, exactly. */
function oneOf<const T extends readonly string[]>(values: T, refused: (v: unknown) => string): Check<T[number]> {
  return (v) => ((values as readonly unknown[]).includes(v) ? ok(v as T[number]) : no(refused(v)));
}

// Plain text -----------------------------------------------------------------------------------

/** Control characters (C0 but tab and newline, DEL, C1), line/paragraph separators, bidirectional controls. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const NEWLINE_OR_TAB = /[\n\t]/;

/** Why `text` is not plain text (one line, or a paragraph that may break lines), or undefined. */
export function controlCharacterProblem(text: string, paragraph: boolean): string | undefined {
  const bad = CONTROL.exec(text) ?? (paragraph ? null : NEWLINE_OR_TAB.exec(text));
  if (!bad) return undefined;
  const code = `U+${bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
  return paragraph
    ? `contains a control character (${code} at character ${bad.index + 1}): use plain text; line breaks are allowed`
    : `contains a control character (${code} at character ${bad.index + 1}): use one line of plain text`;
}

function plainText(what: string, max: number, paragraph: boolean): Check<string> {
  return (v) => {
    if (typeof v !== 'string') return no(v === undefined ? 'is required' : `must be ${what}`);
    const s = v.trim();
    if (s.length < 1) return no('must not be empty');
    if (s.length > max) return no(`is too long (at most ${max} characters)`);
    const problem = controlCharacterProblem(s, paragraph);
    return problem ? no(problem) : ok(s);
  };
}

/** One line of plain text, trimmed, 1 to `max` characters. */
export const line = (what: string, max: number): Check<string> => plainText(what, max, false);
/** Plain text that may run over several lines, trimmed, 1 to `max` characters. */
export const paragraph = (what: string, max = 10_000): Check<string> => plainText(what, max, true);

// Dates and references -------------------------------------------------------------------------

const inCalendarYears = (d: string): boolean => Number(d.slice(0, 4)) >= CALENDAR_YEARS.first && Number(d.slice(0, 4)) <= CALENDAR_YEARS.last;
const outsideYears = (v: string) => `${v} is outside the years the working-day calendar covers (${CALENDAR_YEARS.first} to ${CALENDAR_YEARS.last})`;

export const IsoDateInput: Check<IsoDate> = (v) => {
  if (typeof v !== 'string') return no(v === undefined ? 'is required: a date written YYYY-MM-DD' : 'must be a date written YYYY-MM-DD');
  if (!isIsoDate(v)) return no(`${show(v)} is not a real date written YYYY-MM-DD`);
  return inCalendarYears(v) ? ok(v) : no(outsideYears(v));
};

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
export const INSTANT_HELP = 'a date and time with its offset, e.g. 2026-03-02T14:30:00Z or 2026-06-02T14:30:00+01:00';

/** True when `s` is a date and time with an offset that names a real instant. */
export function isInstant(s: string): boolean {
  return INSTANT.test(s) && isIsoDate(s.slice(0, 10)) && !Number.isNaN(Date.parse(s));
}

/** An instant with its offset; stored as UTC (the offset it was written in does not matter). */
export const InstantInput: Check<string> = (v) => {
  if (typeof v !== 'string') return no(v === undefined ? `is required: ${INSTANT_HELP}` : `must be ${INSTANT_HELP}`);
  if (!isInstant(v)) return no(`${show(v)} is not ${INSTANT_HELP}`);
  const utc = new Date(v).toISOString();
  return inCalendarYears(utc) ? ok(utc) : no(outsideYears(v));
};

/** The partnership's reference format (config may set another; see src/config.ts). */
export const DEFAULT_REF_PATTERN = /^KSCP-\d{4}-\d{3,4}$/;
/** What any reference must look like to be safe in a workflow id, a file name and a terminal. */
export const SAFE_REF = /^[A-Z][A-Z0-9]{0,15}(-[A-Z0-9]{1,16}){0,4}$/;

/** Trimmed and in capitals: how a reference is stored, whatever case it was typed in. */
export function normaliseRef(ref: string): string {
  return ref.trim().toUpperCase();
}

export const RefInput: Check<string> = (v) => {
  if (typeof v !== 'string') return no('must be the partnership reference, e.g. KSCP-2026-014');
  return SAFE_REF.test(v) ? ok(v) : no(`${show(v)} is not a case reference (capital letters and digits in parts joined by hyphens, e.g. KSCP-2026-014)`);
};

const AGENCY_ID = /^[a-z][a-z0-9-]{0,39}$/;
/** An agency id as the directory writes it (whether it is in the directory is checked where the directory is known). */
export const AgencyIdInput: Check<string> = (v) => {
  if (typeof v !== 'string') return no(v === undefined ? 'is required: an agency id from the directory' : 'must be an agency id from the directory');
  return AGENCY_ID.test(v) ? ok(v) : no(`${show(v)} is not an agency id (lower-case words joined by hyphens, e.g. police)`);
};

const choice = <const T extends readonly string[]>(values: T): Check<T[number]> =>
  oneOf(values, (v) => (v === undefined ? `is required (one of: ${values.join(', ')})` : `${show(v)} is not allowed (allowed: ${values.join(', ')})`));

const yesNo =
  (what: string): Check<boolean> =>
  (v) =>
    typeof v === 'boolean' ? ok(v) : no(v === undefined ? `is required: ${what}` : `must be true or false (${what})`);

const Staff = line('the name of a member of staff', 200);
const Reason = paragraph('text');

// The eCase form -------------------------------------------------------------------------------

/** The address pattern zod's z.email() uses (the `kscp` side checks with it), so both accept the same addresses. */
const EMAIL = /^(?:[A-Za-z0-9_'+-]+\.)*[A-Za-z0-9_'+-]*[A-Za-z0-9_+-]@(?:[A-Za-z0-9][A-Za-z0-9-]*\.)+[A-Za-z]{2,}$/;
const Email: Check<string> = (v) => {
  if (typeof v === 'string' && EMAIL.test(v) && v.length <= 254) return ok(v);
  return no(v === undefined ? 'is required' : `${show(v)} is not an email address`);
};

export const NotifierInput = object({
  name: line('a name', 200),
  email: Email,
  role: line('a role, e.g. "Designated Safeguarding Lead"', 200),
});

const CriteriaList = list(
  oneOf(CRITERION_IDS, (v) => `${show(v)} is not a notifiable criterion (allowed: ${CRITERION_IDS.join(', ')})`),
  { notAList: (v) => (v === undefined ? 'is required' : 'must be a list of criteria'), empty: `name at least one criterion (${CRITERION_IDS.join(', ')})`, tooMany: 'lists more criteria than there are', max: CRITERION_IDS.length },
);

/** The eCase form's fields, checked without the outside world (the workflow checks a start with this). */
export const IncidentFormInput = object({
  ref: RefInput,
  notifyingAgency: AgencyIdInput,
  notifier: NotifierInput,
  incidentDate: IsoDateInput,
  knownAt: InstantInput,
  laAwareOn: IsoDateInput,
  formReceivedAt: optional(InstantInput),
  criteria: CriteriaList,
  childDied: yesNo('whether a child has died'),
  policeInvestigation: yesNo('whether there is a police investigation'),
  agenciesInvolved: list(AgencyIdInput, {
    notAList: (v) => (v === undefined ? 'is required' : 'must be a list of agency ids'),
    empty: 'name at least one agency id',
    tooMany: 'must be a list of agency ids',
    max: 40,
  }),
  summary: paragraph('text (what happened, for the case record)'),
});
export type IncidentForm = Output<typeof IncidentFormInput>;

type FormIssue = { path: string; message: string };

/** What cannot be true of a form, whatever day it is: dates out of order, death criteria without a death, repeats. */
export function formConsistency(f: IncidentForm): FormIssue[] {
  const issues: FormIssue[] = [];
  if (f.laAwareOn < f.incidentDate) issues.push({ path: 'laAwareOn', message: `the LA cannot have become aware (${f.laAwareOn}) before the incident (${f.incidentDate})` });
  if (isIsoDate(f.incidentDate) && isInstant(f.knownAt) && f.knownAt.slice(0, 10) < addDaysText(f.incidentDate, -1))
    issues.push({ path: 'knownAt', message: `the agency cannot have known (${f.knownAt}) before the incident (${f.incidentDate})` });
  if (f.formReceivedAt !== undefined && Date.parse(f.formReceivedAt) < Date.parse(f.knownAt))
    issues.push({ path: 'formReceivedAt', message: `the form cannot arrive (${f.formReceivedAt}) before the agency knew (${f.knownAt})` });
  const deathOnly = f.criteria.filter((k: Criterion) => CHILD_DEATH_CRITERIA.includes(k));
  if (!f.childDied && deathOnly.length > 0) issues.push({ path: 'criteria', message: `${deathOnly.join(', ')} needs childDied: true (it applies only when a child has died)` });
  if (new Set(f.criteria).size !== f.criteria.length) issues.push({ path: 'criteria', message: 'lists a criterion twice' });
  if (new Set(f.agenciesInvolved).size !== f.agenciesInvolved.length) issues.push({ path: 'agenciesInvolved', message: 'lists an agency twice' });
  return issues;
}

function addDaysText(date: IsoDate, n: number): IsoDate {
  return new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

// The steps' inputs ----------------------------------------------------------------------------

export const RAPID_REVIEW_OUTCOMES = ['local-review', 'recommend-national-review', 'no-further-review'] as const;
export const PANEL_DECISIONS = ['local-review', 'national-review', 'no-further-review'] as const;
export const LCSPR_METHODOLOGIES = ['case-authored', 'thematic', 'multi-agency-audit', 'learning-event'] as const;
export const PUBLICATION_DECISIONS = ['publish', 'improvements-only', 'not-publish'] as const;
export const VIEWS_FROM = ['practitioners', 'family'] as const;
export const WITHDRAWAL_REASONS = ['recorded-in-error', 'criteria-not-met', 'other'] as const;
export const OFSTED_DECISIONS = ['required', 'not-required'] as const;
export const REPORT_RECIPIENTS = ['panel', 'secretary-of-state', 'both'] as const;

/** The LA's decision on notification (and on Ofsted), as recorded by the Business Unit. */
export const LaDecisionInput = object(
  {
    notifiable: (v: unknown) =>
      typeof v === 'boolean' ? ok(v) : no(v === undefined ? 'is required: true (notifiable) or false (not notifiable)' : 'must be true (notifiable) or false (not notifiable)'),
    panelNotifiedOn: optional(IsoDateInput),
    ofsted: choice(OFSTED_DECISIONS),
    ofstedNotifiedOn: optional(IsoDateInput),
    decidedBy: Staff,
    rationale: optional(Reason),
    /** When the Business Unit recorded it; the workflow's clock when absent. */
    recordedAt: optional(InstantInput),
  },
  [
    (d) => (d.notifiable && d.panelNotifiedOn === undefined ? { path: 'panelNotifiedOn', message: 'is required when the incident is notifiable: the date the LA notified the National Panel' } : undefined),
    (d) => (!d.notifiable && d.panelNotifiedOn !== undefined ? { path: 'panelNotifiedOn', message: 'must not be given when the incident is not notifiable' } : undefined),
    (d) => (!d.notifiable && d.rationale === undefined ? { path: 'rationale', message: 'is required when the incident is not notifiable: say why' } : undefined),
    (d) => (d.ofsted === 'not-required' && d.ofstedNotifiedOn !== undefined ? { path: 'ofstedNotifiedOn', message: 'must not be given when Ofsted need not be notified' } : undefined),
  ],
);

export const DoneOnInput = object({ on: IsoDateInput, by: Staff });

/** An information request to an agency, with the due date the Business Unit set. */
export const InfoRequestInput = object({ agency: AgencyIdInput, requestedOn: IsoDateInput, dueOn: IsoDateInput, by: Staff }, [
  (r) => (!isIsoDate(r.requestedOn) || !isIsoDate(r.dueOn) || r.dueOn > r.requestedOn ? undefined : { path: 'dueOn', message: 'must be after the date of the request' }),
]);
export const InfoReceivedInput = object({ agency: AgencyIdInput, receivedOn: IsoDateInput, by: Staff });

/** The Rapid Review template submitted to the National Panel, with the partnership's outcome. */
export const RapidReviewInput = object({ meetingOn: IsoDateInput, submittedOn: IsoDateInput, outcome: choice(RAPID_REVIEW_OUTCOMES), rationale: Reason, by: Staff });
export const PanelResponseInput = object({ receivedOn: IsoDateInput, decision: choice(PANEL_DECISIONS), by: Staff });
export const LcsprStartInput = object({ initiatedOn: IsoDateInput, methodology: choice(LCSPR_METHODOLOGIES), by: Staff });
export const ViewsInput = object({ from: choice(VIEWS_FROM), on: IsoDateInput, by: Staff });
export const DelayInput = object({ sentOn: IsoDateInput, reason: Reason, by: Staff });
export const NationalReviewerInput = object({ reviewer: line('the reviewer (an organisation or role)', 300), appointedOn: IsoDateInput, by: Staff });
export const NationalReportInput = object({ receivedOn: IsoDateInput, by: Staff });
export const ExecutiveSignoffInput = object(
  { on: IsoDateInput, decision: choice(PUBLICATION_DECISIONS), plannedPublicationOn: optional(IsoDateInput), reasons: optional(Reason), by: Staff },
  [
    (e) => (e.decision !== 'not-publish' && e.plannedPublicationOn === undefined ? { path: 'plannedPublicationOn', message: `is required when the decision is ${e.decision}: the planned publication date` } : undefined),
    (e) => (e.decision === 'not-publish' && e.plannedPublicationOn !== undefined ? { path: 'plannedPublicationOn', message: 'must not be given when the report is not to be published' } : undefined),
    (e) => (e.decision !== 'publish' && e.reasons === undefined ? { path: 'reasons', message: `are required when the decision is ${e.decision}` } : undefined),
    (e) =>
      e.plannedPublicationOn !== undefined && isIsoDate(e.on) && isIsoDate(e.plannedPublicationOn) && e.plannedPublicationOn <= e.on
        ? { path: 'plannedPublicationOn', message: 'must be after the date of the Executive decision' }
        : undefined,
  ],
);
export const ReportSentInput = object({ sentOn: IsoDateInput, to: choice(REPORT_RECIPIENTS), by: Staff });

const HTTP = /^https?:\/\//i;
const TAB_OR_NEWLINE = /[\t\n\r]/g;
/**
 * A web address (http or https), as zod's z.url({ protocol: /^https?$/ }) reads one: trimmed, with
 * "://" after the scheme, parsed by the URL parser; the tabs and line breaks the parser ignores
 * are dropped from the value kept.
 */
const WebAddress: Check<string> = (v) => {
  const refused = no(v === undefined ? 'is required: the web address of the published report' : `${show(v)} is not a web address (https://...)`);
  if (typeof v !== 'string') return refused;
  const trimmed = v.trim();
  if (!HTTP.test(trimmed)) return refused;
  let url: URL | null;
  try {
    url = typeof URL.parse === 'function' ? URL.parse(trimmed) : new URL(trimmed);
  } catch {
    url = null;
  }
  if (url === null || !/^https?:$/.test(url.protocol)) return refused;
  const kept = trimmed.replace(TAB_OR_NEWLINE, '');
  return kept.length <= 2000 ? ok(kept) : no(`${show(kept)} is not a web address (https://...)`);
};
export const PublishedInput = object({ on: IsoDateInput, url: WebAddress, by: Staff });
export const DeferInput = object({ reason: Reason, newDate: IsoDateInput, panelToldOn: IsoDateInput, by: Staff });
export const WithdrawInput = object({ reason: choice(WITHDRAWAL_REASONS), detail: Reason, by: Staff });
export const AmendInput = object({
  field: line('the name of the field to correct', 80),
  value: line('the correct value', 1000),
  reason: Reason,
  by: Staff,
});

export type LaDecision = Output<typeof LaDecisionInput>;
export type DoneOn = Output<typeof DoneOnInput>;
export type InfoRequest = Output<typeof InfoRequestInput>;
export type InfoReceived = Output<typeof InfoReceivedInput>;
export type RapidReview = Output<typeof RapidReviewInput>;
export type PanelResponse = Output<typeof PanelResponseInput>;
export type LcsprStart = Output<typeof LcsprStartInput>;
export type Views = Output<typeof ViewsInput>;
export type Delay = Output<typeof DelayInput>;
export type NationalReviewer = Output<typeof NationalReviewerInput>;
export type NationalReport = Output<typeof NationalReportInput>;
export type ExecutiveSignoff = Output<typeof ExecutiveSignoffInput>;
export type ReportSent = Output<typeof ReportSentInput>;
export type Published = Output<typeof PublishedInput>;
export type Defer = Output<typeof DeferInput>;
export type Withdraw = Output<typeof WithdrawInput>;
export type Amend = Output<typeof AmendInput>;

// Corrections' values (`amend`) ----------------------------------------------------------------

/** "true" or "false", as typed. */
export const TrueFalseText: Check<boolean> = (v) => (v === 'true' || v === 'false' ? ok(v === 'true') : no('must be true or false'));
/** Items separated by commas, each trimmed and checked. */
export const commaList =
  <T>(item: Check<T>): Check<T[]> =>
  (v) => {
    if (typeof v !== 'string') return no('must be text');
    const out: T[] = [];
    for (const [i, part] of v.split(',').entries()) {
      const r = item(part.trim());
      if (!r.ok) return within(i, r);
      out.push(r.value);
    }
    return ok(out);
  };
export const CriterionInput: Check<Criterion> = oneOf(CRITERION_IDS, (v) => `${show(v)} is not a notifiable criterion`);
