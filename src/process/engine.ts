/**
 * How a declared step is checked and applied (the steps themselves are in ./steps.ts).
 *
 * A step declares the stages it fits, the stages it may lead to, its input schema, the dates that
 * cannot be in the future, and the clocks it opens, meets, cancels or moves. Its `apply` records
 * the facts and returns an outcome: where the case goes (one of the declared stages, checked by the
 * compiler) and which clocks change (only declared ones, checked by the compiler). This module
 * carries the outcome out, so no step assigns a stage or edits a deadline by hand.
 *
 * Pure functions over the plain-JSON case; no Node imports.
 */
import type { IsoDate } from './dates';
import type { DeadlineState, IncidentState } from './incident';
import { agencyContact, type Role } from './roles';
import { problemLine, type Check } from './inputs';
import type { Route, Stage } from './stages';
import { kindOf, timescale, type DeadlineName, type TimescaleName } from './timescales';

/** A message that does not fit: `kind` says whether the input is malformed or the case is not ready for it. */
export interface Refusal {
  kind: 'InvalidInput' | 'WrongStage';
  message: string;
}

/** What the outside world gives a step: the workflow's clock and which rules this run follows. */
export interface StepContext {
  now: Date;
  /**
   * The process rules of this run: 3 for cases started (or continued) on this code; 2 while a case
   * recorded before replays its history (docs/changing-workflows.md). The differences are marked
   * `rules === 2` where they are.
   */
  rules: 2 | 3;
  /**
   * The latest date accepted as "not in the future": clients check the London date exactly; the
   * workflow, which has no time-zone data, allows a day's slack.
   */
  latestDate: IsoDate;
}

type Kind = TimescaleName;

/** A deadline a step changes: its kind, and its name when there can be several of the kind (information requests). */
interface Ref<K extends Kind> {
  kind: K;
  name?: DeadlineName;
}

export interface Outcome<To extends Stage, KO extends Kind, KM extends Kind, KC extends Kind, KV extends Kind> {
  /** The stage the case moves to; absent: it stays where it is. */
  to?: To;
  /** A line for the case's timeline: what was recorded, in plain words. */
  what: string;
  route?: Route;
  /** Why the case closed, when `to` is CLOSED. */
  closedBecause?: string;
  /** Deadlines followed and reminded from now on (created if new; a deadline shown but not yet chased starts being chased). */
  opens?: Array<Ref<KO> & { start: string; setDue?: IsoDate; owner?: Role; noticeInWorkingHours?: boolean }>;
  meets?: Array<Ref<KM> & { on: IsoDate; at?: string }>;
  cancels?: Array<Ref<KC> & { because: string }>;
  /** Day 0 moved (a corrected or actual date), or a revised target set after a deferral: computed dates are recomputed. */
  moves?: Array<Ref<KV> & { start?: string; revisedTarget?: IsoDate }>;
}

export interface Step<T, From extends Stage, To extends Stage, KO extends Kind, KM extends Kind, KC extends Kind, KV extends Kind> {
  /** The `kscp` command that records it (the update and signal names are the step's key). */
  readonly command: string;
  /** What it records, for the Web UI, --help and docs/lifecycle.md. */
  readonly description: string;
  /** The stages it fits. */
  readonly from: readonly From[];
  /** The stages it may lead to (absent: the case stays where it is). */
  readonly to?: readonly To[];
  /** With `to`: the case may also stay where it is (e.g. closes only when nothing else is open). */
  readonly stays?: boolean;
  /** The clocks it may change, as docs/lifecycle.md shows them. */
  readonly clocks: { readonly opens?: readonly KO[]; readonly meets?: readonly KM[]; readonly cancels?: readonly KC[]; readonly moves?: readonly KV[] };
  /** Checks the message: the workflow's update validator and signal handler refuse what it refuses, with its words. */
  readonly input: Check<T>;
  /** Date fields that record something done, so cannot be in the future. */
  readonly pastDates?: readonly (keyof T & string)[];
  /** Case facts that must hold (besides the stage), or why not: refused as WrongStage. */
  readonly ready?: (s: IncidentState, msg: T, ctx: StepContext) => string | undefined;
  /** Dates and values that cannot be true for this case, or why: refused as InvalidInput. */
  readonly check?: (s: IncidentState, msg: T, ctx: StepContext) => string | undefined;
  /** Record the facts and say what changes. */
  readonly apply: (s: IncidentState, msg: T, ctx: StepContext) => Outcome<To, KO, KM, KC, KV>;
}

/** A step of any shape, for the engine and the derived tables. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyStep = Step<any, Stage, Stage, Kind, Kind, Kind, Kind>;

/** Declare a step: the compiler checks that `apply` only leads to declared stages and only touches declared clocks. */
export function step<T, const From extends Stage, const To extends Stage = never, const KO extends Kind = never, const KM extends Kind = never, const KC extends Kind = never, const KV extends Kind = never>(
  s: Step<T, From, To, KO, KM, KC, KV>,
): Step<T, From, To, KO, KM, KC, KV> {
  return s;
}

// Deadlines ------------------------------------------------------------------------------------

export function findDeadline(s: IncidentState, name: DeadlineName): DeadlineState | undefined {
  return s.deadlines.find((d) => d.name === name);
}

export const isOpen = (d: DeadlineState | undefined): d is DeadlineState => d?.status === 'open';

/** A new deadline of `kind` with day 0 `start`; reminders start only when `remindersFrom` is set. */
export function newDeadline(kind: Kind, start: string, extra: Partial<DeadlineState> & { name?: DeadlineName } = {}): DeadlineState {
  const row = timescale(kind);
  return {
    name: (extra.name ?? kind) as DeadlineName,
    clock: { timescale: kind, start },
    owner: row.owner === 'agency-contact' ? agencyContact('unknown') : row.owner,
    status: 'open',
    overdue: false,
    ...extra,
  };
}

/** Forget a deadline's computed dates and verdict, so the next plan recomputes them. */
function forgetComputed(d: DeadlineState): void {
  delete d.due;
  delete d.dueAt;
  delete d.onTime;
  delete d.workingDaysLate;
  delete d.hoursLate;
}

function open(s: IncidentState, o: NonNullable<Outcome<Stage, Kind, Kind, Kind, Kind>['opens']>[number], now: Date): void {
  const name = o.name ?? (o.kind as DeadlineName);
  const existing = findDeadline(s, name);
  if (existing) {
    // Shown since the case opened (the Rapid Review's 15 days), chased from now.
    if (existing.status === 'open' && existing.remindersFrom === undefined) existing.remindersFrom = now.toISOString();
    return;
  }
  const d = newDeadline(o.kind, o.start, { name, remindersFrom: now.toISOString() });
  if (o.setDue !== undefined) d.clock.setDue = o.setDue;
  if (o.owner !== undefined) d.owner = o.owner;
  if (o.noticeInWorkingHours) d.noticeInWorkingHours = true;
  s.deadlines.push(d);
}

function meet(d: DeadlineState | undefined, on: IsoDate, at: string | undefined): void {
  if (!d || d.status === 'cancelled') return;
  d.status = 'met';
  d.metOn = on;
  if (at !== undefined) d.metAt = at;
  d.overdue = false;
  delete d.workingDaysLate;
  delete d.hoursLate;
  // On time or not is known at once when the due date is (instants compared as instants); how many
  // working days late needs the calendar, so the next plan adds it.
  if (d.due === undefined || d.dueAt === undefined) delete d.onTime;
  else d.onTime = d.metAt !== undefined ? Date.parse(d.metAt) <= Date.parse(d.dueAt) : on <= d.due;
}

export function cancel(d: DeadlineState | undefined, because: string): void {
  if (!isOpen(d)) return;
  d.status = 'cancelled';
  d.overdue = false;
  d.cancelledBecause = because;
}

/** Carry out an outcome's clock changes, in the order opens, meets, moves, cancels. */
export function applyEffects(s: IncidentState, o: Outcome<Stage, Kind, Kind, Kind, Kind>, now: Date): void {
  for (const x of o.opens ?? []) open(s, x, now);
  for (const x of o.meets ?? []) meet(findDeadline(s, x.name ?? (x.kind as DeadlineName)), x.on, x.at);
  for (const x of o.moves ?? []) {
    const d = findDeadline(s, x.name ?? (x.kind as DeadlineName));
    if (!d) continue;
    if (x.start !== undefined) d.clock.start = x.start;
    if (x.revisedTarget !== undefined) d.revisedTarget = x.revisedTarget;
    forgetComputed(d);
  }
  for (const x of o.cancels ?? []) cancel(findDeadline(s, x.name ?? (x.kind as DeadlineName)), x.because);
}

/** Close the case: every deadline still open is cancelled with the reason. */
export function close(s: IncidentState, because: string): void {
  for (const d of s.deadlines) cancel(d, `the case closed: ${because}`);
  s.stage = 'CLOSED';
  s.closedBecause = because;
}

// Checking and applying --------------------------------------------------------------------------

function stageRefusal(s: IncidentState, name: string, st: AnyStep): string {
  if (s.stage === 'CLOSED') return `case ${s.ref} is closed (${s.closedBecause ?? 'closed'}): nothing more can be recorded`;
  if (name === 'laDecision' && s.laDecision)
    return `case ${s.ref} is at stage ${s.stage}: the LA decision was already recorded (${s.laDecision.notifiable ? 'notifiable' : 'not notifiable'}, by ${s.laDecision.decidedBy})`;
  return `case ${s.ref} is at stage ${s.stage}: ${st.command} is recorded at stage ${st.from.join(' or ')}`;
}

/** Why `input` does not fit the case as step `name`, or undefined if it does. */
export function checkStep(name: string, st: AnyStep, s: IncidentState, input: unknown, ctx: StepContext): Refusal | undefined {
  if (!(st.from as readonly Stage[]).includes(s.stage)) return { kind: 'WrongStage', message: stageRefusal(s, name, st) };
  const parsed = st.input(input);
  if (!parsed.ok) return { kind: 'InvalidInput', message: problemLine(parsed) };
  const msg = parsed.value as Record<string, unknown>;
  const notReady = st.ready?.(s, msg, ctx);
  if (notReady) return { kind: 'WrongStage', message: `case ${s.ref}: ${notReady}` };
  for (const field of st.pastDates ?? []) {
    const value = msg[field];
    if (typeof value === 'string' && value.slice(0, 10) > ctx.latestDate) return { kind: 'InvalidInput', message: `${field}: ${value} is in the future` };
  }
  const bad = st.check?.(s, msg, ctx);
  return bad ? { kind: 'InvalidInput', message: bad } : undefined;
}

/**
 * Record a step that `checkStep` accepted, and return the line for the timeline. The input is
 * parsed again for its cleaned form (trimmed, instants in UTC); a history recorded before a field
 * became required replays with the input as it was accepted then.
 */
export function applyStep(st: AnyStep, s: IncidentState, input: unknown, ctx: StepContext): string {
  const parsed = st.input(input);
  const msg = parsed.ok ? parsed.value : input;
  const outcome = st.apply(s, msg, ctx);
  if (outcome.to !== undefined && !((st.to ?? []) as readonly Stage[]).includes(outcome.to)) {
    // The compiler prevents this; a step edited with a cast would still be caught here, loudly.
    throw new TypeError(`step ${st.command} led to ${outcome.to}, which it does not declare (${(st.to ?? []).join(', ') || 'none'})`);
  }
  if (outcome.to === undefined && st.to?.length && !st.stays) throw new TypeError(`step ${st.command} must lead to ${st.to.join(' or ')}, and did not say where`);
  if (outcome.route !== undefined) s.route = outcome.route;
  applyEffects(s, outcome, ctx.now);
  if (outcome.to === 'CLOSED') close(s, outcome.closedBecause ?? outcome.what);
  else if (outcome.to !== undefined) s.stage = outcome.to;
  const by = (msg as { by?: unknown; decidedBy?: unknown }).by ?? (msg as { decidedBy?: unknown }).decidedBy;
  s.events.push({ at: ctx.now.toISOString(), what: outcome.what, ...(typeof by === 'string' && { by }) });
  s.revision++;
  return outcome.what;
}

/** Record a message that was refused (a signal cannot be answered, so its refusal is kept on the timeline). */
export function recordRefusal(s: IncidentState, now: Date, refused: { message: string; via: 'signal' | 'update' | 'start'; reason: string }): void {
  const what = `Refused ${refused.via === 'signal' ? 'a signal' : refused.via === 'update' ? 'an update' : 'a start'} "${refused.message}": ${refused.reason}. Nothing was changed.`;
  s.events.push({ at: now.toISOString(), what, refused });
  s.revision++;
}

/** The open deadline of `kind` (there is one of each but information requests). */
export function openDeadlineOf(s: IncidentState, kind: Kind): DeadlineState | undefined {
  return s.deadlines.find((d) => kindOf(d.name) === kind && d.status === 'open');
}
