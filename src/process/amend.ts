/**
 * Corrections (`amend`): each field that can be corrected, with the value it takes (type-checked
 * per field: a field's check and apply see the parsed value, not text), whether it is a date of
 * something done (so not in the future), what it must be consistent with, and the clocks it moves.
 * A statutory due date moves only through a correction of the facts it is computed from.
 */
import { CRITERION_IDS, type Criterion } from './criteria';
import type { IsoDate } from './dates';
import { findDeadline, step, type Outcome } from './engine';
import type { IncidentState } from './incident';
import { AgencyIdInput, AmendInput, commaList, CriterionInput, InstantInput, IsoDateInput, TrueFalseText, type Check } from './inputs';
import { OPEN_STAGES } from './stages';
import type { DeadlineName } from './timescales';

/** The clocks a correction can move (day 0 corrected) and re-meet (the date it was met corrected). */
const MOVES = ['ecase-form', 'panel-notification', 'rapid-review', 'ofsted-notification', 'care-leaver-notification', 'partners-informed', 'panel-response', 'info-request', 'lcspr-publication', 'report-to-panel', 'report-to-secretary-of-state', 'website-removal'] as const;
const REMEETS = ['ecase-form', 'panel-notification', 'ofsted-notification', 'care-leaver-notification', 'rapid-review', 'lcspr-publication', 'report-to-panel', 'report-to-secretary-of-state'] as const;
type Moved = (typeof MOVES)[number];
type Remet = (typeof REMEETS)[number];
type Effects = Pick<Outcome<never, 'care-leaver-notification', Remet, 'care-leaver-notification', Moved>, 'opens' | 'meets' | 'cancels' | 'moves'>;

interface FieldSpec<V> {
  /** What the value must look like, in words. */
  readonly expects: string;
  /** Reads the typed text. */
  readonly value: Check<V>;
  /** A date or time of something that happened: it cannot be in the future. */
  readonly past?: boolean;
  /** The current value as text, or why the field cannot be corrected yet. */
  readonly current: (s: IncidentState) => string | { refused: string };
  readonly check?: (s: IncidentState, v: V) => string | undefined;
  /** Record the corrected value; say which clocks change. */
  readonly apply: (s: IncidentState, v: V) => Effects;
}

/** A field with its value type sealed in: callers hand it text, it parses, checks and applies its own type. */
export interface Amendable {
  readonly expects: string;
  readonly current: (s: IncidentState) => string | { refused: string };
  /** Why `text` cannot be the corrected value, or undefined. */
  readonly refuse: (s: IncidentState, text: string, latestDate: IsoDate) => string | undefined;
  readonly apply: (s: IncidentState, text: string) => Effects;
}

function field<V>(spec: FieldSpec<V>): Amendable {
  const parse = (text: string): { ok: true; v: V } | { ok: false } => {
    const r = spec.value(text);
    return r.ok ? { ok: true, v: r.value } : { ok: false };
  };
  return {
    expects: spec.expects,
    current: spec.current,
    refuse: (s, text, latestDate) => {
      const parsed = parse(text);
      if (!parsed.ok) return `value: ${JSON.stringify(text)} is not ${spec.expects}`;
      if (spec.past && typeof parsed.v === 'string' && parsed.v.slice(0, 10) > latestDate) return `value: ${text} is in the future`;
      const bad = spec.check?.(s, parsed.v);
      return bad === undefined ? undefined : `value: ${bad}`;
    },
    apply: (s, text) => {
      const parsed = parse(text);
      if (!parsed.ok) throw new TypeError(`amend: ${text} was accepted but does not parse`);
      return spec.apply(s, parsed.v);
    },
  };
}

const DATE = 'a date YYYY-MM-DD';
const INSTANT = 'a date and time with offset, e.g. 2026-03-02T14:30:00Z';
const bool = TrueFalseText;
const list = commaList;
const criterion = CriterionInput;

/** Day 0 of these clocks moves to `start`. */
const moveAll = (kinds: readonly Moved[], start: string): Effects => ({ moves: kinds.map((kind) => ({ kind, start })) });
/** A met deadline's date corrected: it is met again on `on`, its verdict recomputed. */
const remeet = (s: IncidentState, kind: Remet, on: IsoDate): Effects => (findDeadline(s, kind as DeadlineName)?.status === 'met' ? { meets: [{ kind, on }] } : {});

const AMENDABLE = {
  laAwareOn: field<IsoDate>({
    expects: DATE,
    value: IsoDateInput,
    past: true,
    current: (s) => s.laAwareOn,
    check: (s, v) => (v < s.incidentDate ? `the LA cannot have become aware (${v}) before the incident (${s.incidentDate})` : undefined),
    apply: (s, v) => {
      s.laAwareOn = v;
      return moveAll(['panel-notification', 'rapid-review', 'ofsted-notification', 'care-leaver-notification'], v);
    },
  }),
  incidentDate: field<IsoDate>({
    expects: DATE,
    value: IsoDateInput,
    past: true,
    current: (s) => s.incidentDate,
    check: (s, v) => (v > s.laAwareOn ? `the incident (${v}) cannot be after the LA became aware (${s.laAwareOn})` : undefined),
    apply: (s, v) => {
      s.incidentDate = v;
      return {};
    },
  }),
  knownAt: field<string>({
    expects: INSTANT,
    value: InstantInput,
    past: true,
    current: (s) => findDeadline(s, 'ecase-form')?.clock.start ?? '',
    apply: (_s, v) => moveAll(['ecase-form'], v),
  }),
  formReceivedAt: field<string>({
    expects: INSTANT,
    value: InstantInput,
    past: true,
    current: (s) => findDeadline(s, 'ecase-form')?.metAt ?? '',
    apply: (_s, v) => ({ meets: [{ kind: 'ecase-form', on: v.slice(0, 10), at: v }] }),
  }),
  panelNotifiedOn: field<IsoDate>({
    expects: DATE,
    value: IsoDateInput,
    past: true,
    current: (s) => s.laDecision?.panelNotifiedOn ?? { refused: 'the Panel notification has not been recorded (la-decision)' },
    check: (s, v) => (v < s.laAwareOn ? `the Panel cannot have been notified (${v}) before the LA became aware (${s.laAwareOn})` : undefined),
    apply: (s, v) => {
      s.laDecision!.panelNotifiedOn = v;
      return remeet(s, 'panel-notification', v);
    },
  }),
  ofstedNotifiedOn: field<IsoDate>({
    expects: DATE,
    value: IsoDateInput,
    past: true,
    current: (s) => s.laDecision?.ofstedNotifiedOn ?? { refused: "Ofsted's notification has not been recorded (la-decision or ofsted-notified)" },
    check: (s, v) => (v < s.laAwareOn ? `Ofsted cannot have been notified (${v}) before the LA became aware (${s.laAwareOn})` : undefined),
    apply: (s, v) => {
      s.laDecision!.ofstedNotifiedOn = v;
      return remeet(s, 'ofsted-notification', v);
    },
  }),
  careLeaverNotifiedOn: field<IsoDate>({
    expects: DATE,
    value: IsoDateInput,
    past: true,
    current: (s) => s.careLeaverNotifiedOn ?? { refused: 'the notification of the care leaver’s death has not been recorded (care-leaver-notified)' },
    check: (s, v) => (v < s.laAwareOn ? `they cannot have been notified (${v}) before the LA became aware (${s.laAwareOn})` : undefined),
    apply: (s, v) => {
      s.careLeaverNotifiedOn = v;
      return remeet(s, 'care-leaver-notification', v);
    },
  }),
  rapidReviewMeetingOn: field<IsoDate>({
    expects: DATE,
    value: IsoDateInput,
    past: true,
    current: (s) => s.rapidReview?.meetingOn ?? { refused: 'the Rapid Review has not been recorded (rapid-review)' },
    check: (s, v) => (v > s.rapidReview!.submittedOn ? `the meeting (${v}) cannot be after the template was submitted (${s.rapidReview!.submittedOn})` : v < s.laAwareOn ? `the meeting (${v}) cannot be before the LA became aware (${s.laAwareOn})` : undefined),
    apply: (s, v) => {
      s.rapidReview!.meetingOn = v;
      return moveAll(['partners-informed'], v);
    },
  }),
  rapidReviewSubmittedOn: field<IsoDate>({
    expects: DATE,
    value: IsoDateInput,
    past: true,
    current: (s) => s.rapidReview?.submittedOn ?? { refused: 'the Rapid Review has not been recorded (rapid-review)' },
    check: (s, v) => (v < s.rapidReview!.meetingOn ? `the template cannot have been submitted (${v}) before the meeting (${s.rapidReview!.meetingOn})` : undefined),
    apply: (s, v) => {
      s.rapidReview!.submittedOn = v;
      return { ...remeet(s, 'rapid-review', v), ...moveAll(['panel-response'], v) };
    },
  }),
  lcsprInitiatedOn: field<IsoDate>({
    expects: DATE,
    value: IsoDateInput,
    past: true,
    current: (s) => s.lcspr?.initiatedOn ?? { refused: 'the LCSPR has not been initiated (lcspr-start)' },
    apply: (s, v) => {
      s.lcspr!.initiatedOn = v;
      return moveAll(['lcspr-publication'], v);
    },
  }),
  plannedPublicationOn: field<IsoDate>({
    expects: DATE,
    value: IsoDateInput,
    current: (s) =>
      s.publication ? { refused: `the report was published on ${s.publication.on}: correct publishedOn instead` } : (s.signOff?.executive?.plannedPublicationOn ?? { refused: 'no publication is planned (executive-signoff)' }),
    check: (s, v) => (v <= s.signOff!.executive!.on ? `the planned publication (${v}) must be after the Executive decision (${s.signOff!.executive!.on})` : undefined),
    apply: (s, v) => {
      s.signOff!.executive!.plannedPublicationOn = v;
      return moveAll(['report-to-panel', 'report-to-secretary-of-state'], v);
    },
  }),
  publishedOn: field<IsoDate>({
    expects: DATE,
    value: IsoDateInput,
    past: true,
    current: (s) => s.publication?.on ?? { refused: 'the report has not been published (published)' },
    check: (s, v) => (s.signOff?.executive && v < s.signOff.executive.on ? `publication (${v}) cannot be before the Executive decision (${s.signOff.executive.on})` : undefined),
    apply: (s, v) => {
      s.publication!.on = v;
      return { ...remeet(s, 'lcspr-publication', v), ...moveAll(['website-removal', 'report-to-panel', 'report-to-secretary-of-state'], v) };
    },
  }),
  reportSentOn: field<IsoDate>({
    expects: DATE,
    value: IsoDateInput,
    past: true,
    current: (s) => s.signOff?.reportSentOn ?? { refused: 'the report to the National Panel has not been recorded (report-sent)' },
    apply: (s, v) => {
      s.signOff!.reportSentOn = v;
      return remeet(s, 'report-to-panel', v);
    },
  }),
  reportToSecretaryOfStateOn: field<IsoDate>({
    expects: DATE,
    value: IsoDateInput,
    past: true,
    current: (s) => s.signOff?.reportToSecretaryOfStateOn ?? { refused: 'the report to the Secretary of State has not been recorded (report-sent)' },
    apply: (s, v) => {
      s.signOff!.reportToSecretaryOfStateOn = v;
      return remeet(s, 'report-to-secretary-of-state', v);
    },
  }),
  policeInvestigation: field<boolean>({
    expects: 'true or false',
    value: bool,
    current: (s) => String(s.policeInvestigation),
    apply: (s, v) => {
      s.policeInvestigation = v;
      return {};
    },
  }),
  childDied: field<boolean>({
    expects: 'true or false',
    value: bool,
    current: (s) => String(s.childDied),
    apply: (s, v) => {
      s.childDied = v;
      return {};
    },
  }),
  notifyingAgency: field<string>({
    expects: 'an agency id, e.g. police',
    value: AgencyIdInput,
    current: (s) => s.notifyingAgency,
    apply: (s, v) => {
      s.notifyingAgency = v;
      return {};
    },
  }),
  agenciesInvolved: field<string[]>({
    expects: 'agency ids separated by commas, e.g. police,health',
    value: list(AgencyIdInput),
    current: (s) => s.agenciesInvolved.join(','),
    apply: (s, v) => {
      s.agenciesInvolved = [...new Set(v)];
      return {};
    },
  }),
  criteria: field<Criterion[]>({
    expects: `criteria separated by commas (${CRITERION_IDS.join(', ')})`,
    value: list(criterion),
    current: (s) => s.criteria.join(','),
    apply: (s, v) => {
      const had = s.criteria.includes('care-leaver-death');
      s.criteria = [...new Set(v)];
      const has = s.criteria.includes('care-leaver-death');
      // A care leaver's death added or removed by correction opens or cancels its own notification.
      if (has && !had && !s.careLeaverNotifiedOn) return { opens: [{ kind: 'care-leaver-notification', start: s.laAwareOn }] };
      if (had && !has) return { cancels: [{ kind: 'care-leaver-notification', because: "the criteria were corrected: no care leaver's death" }] };
      return {};
    },
  }),
} as const;

export type AmendableField = keyof typeof AMENDABLE;
/** The fields `amend` can correct, for --help: the case facts plus `info-request:<agency>` (its due date). */
export const AMENDABLE_FIELDS: readonly string[] = [...Object.keys(AMENDABLE), 'info-request:<agency>'];

const INFO_REQUEST = /^info-request:[a-z][a-z0-9-]{0,39}(:\d{1,3})?$/;

/** The correction `name` names, or undefined: only the case's own fields (never inherited names like __proto__ or toString). */
export function amendableFor(s: IncidentState, name: string): Amendable | undefined {
  if (Object.prototype.hasOwnProperty.call(AMENDABLE, name)) return AMENDABLE[name as AmendableField];
  if (!INFO_REQUEST.test(name)) return undefined;
  const d = findDeadline(s, name as DeadlineName);
  if (d?.clock.timescale !== 'info-request') return undefined;
  return field<IsoDate>({
    expects: 'a date YYYY-MM-DD (the new due date)',
    value: IsoDateInput,
    current: () => (d.status === 'open' ? (d.clock.setDue ?? '') : { refused: `${name} is ${d.status}` }),
    check: (_s, v) => (v <= d.clock.start ? `the due date must be after the date of the request (${d.clock.start})` : undefined),
    apply: (_s, v) => {
      d.clock.setDue = v;
      return { moves: [{ kind: 'info-request', name: d.name }] };
    },
  });
}

export const AmendStep = step({
  command: 'amend',
  description: 'A correction of a fact or date; the deadlines computed from it are recomputed',
  from: OPEN_STAGES,
  clocks: { moves: MOVES, meets: REMEETS, opens: ['care-leaver-notification'], cancels: ['care-leaver-notification'] },
  input: AmendInput,
  ready: (s, a) => {
    const f = amendableFor(s, a.field);
    if (!f) return undefined;
    const current = f.current(s);
    return typeof current === 'object' ? `${a.field} cannot be corrected yet: ${current.refused}` : undefined;
  },
  check: (s, a, { latestDate }) => {
    const f = amendableFor(s, a.field);
    if (!f) return `field: ${JSON.stringify(a.field)} cannot be corrected (allowed: ${AMENDABLE_FIELDS.join(', ')})`;
    return f.refuse(s, a.value, latestDate);
  },
  apply: (s, a, { now }) => {
    const f = amendableFor(s, a.field)!;
    const from = f.current(s) as string;
    const effects = f.apply(s, a.value);
    s.amendments.push({ at: now.toISOString(), field: a.field, from, to: a.value, reason: a.reason, by: a.by });
    return { what: `Corrected ${a.field}: ${from} -> ${a.value} (reason recorded); deadlines recomputed`, ...effects };
  },
});
