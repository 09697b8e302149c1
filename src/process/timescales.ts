/**
 * The timescales: one row per clock, from the partnership's guide ("Summary of timescales") and
 * Working Together to Safeguard Children 2023 (chapter 5) where the guide is silent. Workflow code,
 * activities, the emails, the report and docs/lifecycle.md all read this table; no timescale
 * number appears anywhere else.
 *
 * Changing a row changes deadlines of open cases when they are next recomputed; see
 * docs/changing-workflows.md before editing.
 */
import type { PartnershipRole } from './roles';

export type Length =
  /** Clock hours after an instant (the eCase form). */
  | { unit: 'clock-hours'; n: number }
  /** Within N working days of day 0 (day 0 not counted). */
  | { unit: 'working-days'; n: number }
  /** N working days before a date (the date not counted). */
  | { unit: 'working-days-before'; n: number }
  /** Same day-of-month N months later, clamped; no working-day adjustment. */
  | { unit: 'calendar-months'; n: number }
  /** A due date set by the Business Unit for each request. */
  | { unit: 'set-by-business-unit' };

/**
 * How reminders go out (DESIGN.md §4; levels 2 onwards at 09:00 London on working days):
 * - escalating: notice, half-way reminder, warning 1 working day before, due today, overdue each working day;
 * - monthly: notice, monthly progress, warnings 1 month and 2 weeks before, due, overdue weekly;
 * - chase-after: one reminder once the length has passed, then every 5 working days;
 * - gentle (policy targets): notice, a reminder 10 working days before (when there is time), on the
 *   day, then every 5 working days until done; to the owner only, never escalated;
 * - none: the clock is recorded (met on time or late), nobody is chased.
 */
export type ReminderPolicy = 'escalating' | 'monthly' | 'chase-after' | 'gentle' | 'none';

export interface Timescale {
  /** Stable name used by `kscp status --json`, search attributes, email identities and the report. */
  readonly name: string;
  /** What is due, in plain English, as an email or a status line says it. */
  readonly due: string;
  /** What starts the clock (day 0). */
  readonly clockStart: string;
  readonly length: Length;
  readonly policy: ReminderPolicy;
  /** Who is responsible and receives the notice and reminders. */
  readonly owner: PartnershipRole | 'agency-contact';
  /**
   * A statutory deadline: shown overdue once it passes, escalated, and a miss is a breach in the
   * timeliness report. A policy target (the Panel's answer, learning, the website period) is
   * measured too, but is never "overdue" and never escalated beyond its owner.
   */
  readonly statutory: boolean;
  /** The line of the timeliness report that measures it. */
  readonly measure: string;
  /** Where the rule comes from, as the emails quote it: the guide's section and wording, or Working Together 2023. */
  readonly source: string;
  /** Where Working Together 2023 differs from the guide, or adds to it (docs/lifecycle.md shows it). */
  readonly workingTogether?: string;
}

const GUIDE = "KSCP guide, 'Summary of timescales'";

export const TIMESCALES = [
  {
    name: 'ecase-form',
    due: 'Serious Incident eCase form to the KSCP',
    clockStart: 'the notifying agency knew of the incident (an instant)',
    length: { unit: 'clock-hours', n: 24 },
    policy: 'none',
    owner: 'business-unit',
    statutory: true,
    measure: 'eCase form within 24 hours of the agency knowing',
    source: `${GUIDE}: "this form should be completed within 24 hours of the incident being known"`,
  },
  {
    name: 'panel-notification',
    due: 'LA notification of the serious incident to the National Panel',
    clockStart: 'the LA became aware of the incident',
    length: { unit: 'working-days', n: 5 },
    policy: 'escalating',
    owner: 'la-lead',
    statutory: true,
    measure: 'National Panel notified within 5 working days',
    source: `${GUIDE}: "The LA must notify the National Panel of serious incidents within 5 working days of the LA becoming aware of the incident"`,
    workingTogether: 'The same: 5 working days of becoming aware; the notification reaches Ofsted and the DfE through the Panel.',
  },
  {
    name: 'ofsted-notification',
    due: 'LA notification of the serious incident to Ofsted',
    clockStart: 'the LA became aware of the incident (when the LA decided Ofsted must be notified)',
    length: { unit: 'working-days', n: 5 },
    policy: 'escalating',
    owner: 'la-lead',
    statutory: true,
    measure: 'Ofsted notified within 5 working days (where the LA decided it must be)',
    source: 'KSCP guide, \'What is a Rapid review Meeting?\': "for the Local Authority to decide and communicate to KSCP Business Unit on cases where notification to Ofsted and the National Panel is required"',
    workingTogether: 'The guide sets no number for Ofsted; the 5 working days are those of the Panel notification, which the same decision covers.',
  },
  {
    name: 'care-leaver-notification',
    due: "LA notification of a care leaver's death to the Secretary of State and Ofsted",
    clockStart: 'the LA became aware of the death',
    length: { unit: 'working-days', n: 5 },
    policy: 'escalating',
    owner: 'la-lead',
    statutory: true,
    measure: "Care leaver's death notified to the Secretary of State and Ofsted within 5 working days",
    source: 'Working Together to Safeguard Children 2023, chapter 5: the LA notifies the Secretary of State and Ofsted of the death of a care leaver up to and including the age of 24 within 5 working days of becoming aware of it',
    workingTogether: 'Not in the guide (it predates the December 2023 revision). No Rapid Review is needed unless another criterion also holds.',
  },
  {
    name: 'rapid-review',
    due: 'Rapid Review template to the National Panel',
    clockStart: 'the serious incident was recognised (the same day 0 as the Panel notification)',
    length: { unit: 'working-days', n: 15 },
    policy: 'escalating',
    owner: 'business-unit',
    statutory: true,
    measure: 'Rapid Review to the Panel within 15 working days',
    source: `${GUIDE}: "The completed Rapid Review template should be submitted to the National Panel within 15 working days of the serious incident being recognised"`,
    workingTogether: 'The same: within 15 working days of becoming aware of the incident.',
  },
  {
    name: 'partners-informed',
    due: 'the review decision communicated to the wider KSCP partners',
    clockStart: 'the Rapid Review meeting',
    length: { unit: 'working-days', n: 5 },
    policy: 'gentle',
    owner: 'business-unit',
    statutory: false,
    measure: 'Review decision communicated to the wider KSCP partners within 5 working days of the Rapid Review meeting',
    source: 'KSCP guide, \'What is a Local Child Safeguarding Practice Review?\': "Decision on whether to undertake a review will have been transparently communicated to wider KSCP Partners and the National Panel following the Rapid Review meeting" (5 working days is the partnership\'s target)',
  },
  {
    name: 'panel-response',
    due: "the National Panel's response to the Rapid Review",
    clockStart: 'the Rapid Review was submitted to the Panel',
    length: { unit: 'working-days', n: 10 },
    policy: 'chase-after',
    owner: 'business-unit',
    statutory: false,
    measure: "National Panel's response within 10 working days (the Panel's usual time; not a duty of the partnership)",
    source: "The guide sets no timescale for the National Panel's answer; the Business Unit is reminded after 10 working days, the Panel's usual time",
  },
  {
    name: 'info-request',
    due: 'information requested from an agency',
    clockStart: 'the Business Unit sent the request',
    length: { unit: 'set-by-business-unit' },
    policy: 'escalating',
    owner: 'agency-contact',
    statutory: true,
    measure: 'Agency information requests answered by their due date',
    source: 'KSCP guide, \'Responsibilities of organisations\': "Where a request is made by the KSCP Business unit for this purpose organisations have a duty to respond within the timescale outlined in the request"',
  },
  {
    name: 'lcspr-publication',
    due: 'publication of the local child safeguarding practice review (LCSPR)',
    clockStart: 'the LCSPR was initiated',
    length: { unit: 'calendar-months', n: 6 },
    policy: 'monthly',
    owner: 'business-unit',
    statutory: true,
    measure: 'LCSPR published within 6 months of initiation',
    source: `${GUIDE}: "Local child safeguarding practice reviews should be published within 6 months of initiation"`,
    workingTogether: 'The same: completed and published within 6 months of the decision to initiate the review.',
  },
  {
    name: 'delay-reasons',
    due: 'the reasons for the delay in publishing the LCSPR, to the National Panel',
    clockStart: 'the 6-month publication date passed with the review unpublished and no reasons sent',
    length: { unit: 'working-days', n: 5 },
    policy: 'escalating',
    owner: 'business-unit',
    statutory: true,
    measure: 'Reasons for a late LCSPR sent to the Panel within 5 working days of the 6-month date',
    source: `${GUIDE}: "Safeguarding Partners should inform the National Panel of the reasons for any delay in meeting this timescale" (5 working days is the partnership's target)`,
  },
  {
    name: 'report-to-panel',
    due: 'the full review report to the National Panel',
    clockStart: 'the publication date (the planned date until published, then the actual date)',
    length: { unit: 'working-days-before', n: 7 },
    policy: 'escalating',
    owner: 'business-unit',
    statutory: true,
    measure: 'Full report to the Panel 7 working days before publication',
    source: `${GUIDE}: "Full reports should be sent to the National Panel 7 working days in advance of the publication date"`,
    workingTogether: 'Working Together also asks for the report to go to the Secretary of State at the same time (see report-to-secretary-of-state).',
  },
  {
    name: 'report-to-secretary-of-state',
    due: 'the full review report to the Secretary of State (DfE)',
    clockStart: 'the publication date (the planned date until published, then the actual date)',
    length: { unit: 'working-days-before', n: 7 },
    policy: 'escalating',
    owner: 'business-unit',
    statutory: true,
    measure: 'Full report to the Secretary of State 7 working days before publication',
    source: 'Working Together to Safeguard Children 2023, chapter 5: safeguarding partners send a copy of the full report to the Panel and to the Secretary of State no later than 7 working days before publication',
    workingTogether: 'Not in the guide, which names the Panel only.',
  },
  {
    name: 'website-removal',
    due: 'taking the published report off the KSCP website (then available on request)',
    clockStart: 'the report was published',
    length: { unit: 'calendar-months', n: 6 },
    policy: 'gentle',
    owner: 'business-unit',
    statutory: false,
    measure: 'Report taken off the website at the end of the period the partnership set',
    source: 'KSCP guide, \'FINAL KSCP Publication sign off\': "Published reports remain on the KSCP website for 6 months, thereafter they are available on request to the KSCP Business Unit"',
    workingTogether: 'Working Together asks for reports to stay available for at least a year: set KSCP_WEBSITE_RETENTION_MONTHS=12 to follow it.',
  },
  {
    name: 'learning-dissemination',
    due: 'key findings to the Learning and Development Subgroup',
    clockStart: 'the review concluded (any route)',
    length: { unit: 'working-days', n: 10 },
    policy: 'gentle',
    owner: 'business-unit',
    statutory: false,
    measure: 'Key findings to the Learning and Development Subgroup within 10 working days of the conclusion',
    source: 'KSCP guide, \'Available support\': "At the conclusion of all reviews key findings will be communicated to the KSCP Learning and Development Subgroup" (10 working days is the partnership\'s target)',
  },
  {
    name: 'staff-informed',
    due: 'staff told of the findings and recommendations of the review',
    clockStart: 'the review concluded (any route)',
    length: { unit: 'working-days', n: 10 },
    policy: 'gentle',
    owner: 'business-unit',
    statutory: false,
    measure: 'Staff told of the findings within 10 working days of the conclusion',
    source: 'KSCP guide, \'Available support\': "On completion of the review staff will be made aware of its contents and recommendations" (10 working days is the partnership\'s target)',
  },
] as const satisfies readonly Timescale[];

/** A kind of deadline: one row of the table. */
export type TimescaleName = (typeof TIMESCALES)[number]['name'];
export const TIMESCALE_NAMES = TIMESCALES.map((t) => t.name) as TimescaleName[];

/** An information request's deadline: `info-request:police`, then `info-request:police:2` for a second request. */
export type InfoRequestDeadline = `info-request:${string}`;
/** A deadline of a case: one per kind, except information requests (one per request). */
export type DeadlineName = Exclude<TimescaleName, 'info-request'> | InfoRequestDeadline;

export function timescale(name: TimescaleName): Timescale {
  const row = TIMESCALES.find((t) => t.name === name);
  if (!row) throw new RangeError(`no timescale named ${name}`);
  return row;
}

/** The kind of a deadline from its name. */
export function kindOf(name: DeadlineName): TimescaleName {
  return name.startsWith('info-request:') ? 'info-request' : (name as TimescaleName);
}

/** Reminder levels (DESIGN.md §4) and who each goes to besides the owner, for statutory deadlines. */
export const REMINDER_LEVELS = {
  1: { name: 'notice', subject: 'Notice', alsoTo: [] },
  2: { name: 'reminder', subject: 'Reminder', alsoTo: [] },
  3: { name: 'warning', subject: 'Warning: due soon', alsoTo: ['business-unit'] },
  4: { name: 'due today', subject: 'Due today', alsoTo: ['business-unit', 'business-manager'] },
  5: { name: 'overdue', subject: 'OVERDUE', alsoTo: ['business-manager', 'la-lead'] },
} as const satisfies Record<number, { name: string; subject: string; alsoTo: readonly PartnershipRole[] }>;

export type ReminderLevel = keyof typeof REMINDER_LEVELS;
