/**
 * The statutory timescales: one row per clock, from the partnership's guide
 * ("Summary of timescales") and DESIGN.md §1. Workflow code and activities
 * both read this table; no timescale number appears anywhere else.
 *
 * Changing a row changes deadlines of open cases when they are next
 * recomputed; see docs/changing-workflows.md before editing.
 */
import type { PartnershipRole } from './roles';

export type Length =
  /** Clock hours after an instant (the eCase form). */
  | { unit: 'clock-hours'; n: number }
  /** Within N working days of day 0 (day 0 not counted). */
  | { unit: 'working-days'; n: number }
  /** N working days before a planned date (the date not counted). */
  | { unit: 'working-days-before'; n: number }
  /** Same day-of-month N months later, clamped; no working-day adjustment. */
  | { unit: 'calendar-months'; n: number }
  /** A due date set by the Business Unit for each request. */
  | { unit: 'set-by-business-unit' }
  /** No statutory date: remind until done. */
  | { unit: 'until-done'; remindEveryWorkingDays: number };

/**
 * How reminders escalate (DESIGN.md §4):
 * - escalating: notice, half-way reminder, warning 1 working day before, due today, overdue each working day;
 * - monthly: notice, monthly progress, warnings 1 month and 2 weeks before, due, overdue weekly;
 * - chase-after: one reminder to the owner once the length has passed, then every working day;
 * - none: the clock is recorded (met on time or late), nobody is chased.
 */
export type ReminderPolicy = 'escalating' | 'monthly' | 'chase-after' | 'none';

export interface Timescale {
  /** Stable name used by `kscp status --json`, search attributes and email identities. */
  readonly name: string;
  /** What is due, in plain English, as an email or a status line says it. */
  readonly due: string;
  /** What starts the clock. */
  readonly clockStart: string;
  readonly length: Length;
  readonly policy: ReminderPolicy;
  /** Who is responsible and receives the notice and reminders. */
  readonly owner: PartnershipRole | 'agency-contact';
  /**
   * A deadline someone can miss: shown overdue once it passes, and counted in the timeliness
   * report. A prompt with no statutory date (the Panel's answer, learning) is never "overdue".
   */
  readonly statutory: boolean;
  /** Where the rule comes from. */
  readonly source: string;
}

export const TIMESCALES = [
  {
    name: 'ecase-form',
    due: 'Serious Incident eCase form to the KSCP',
    clockStart: 'the notifying agency knew of the incident',
    length: { unit: 'clock-hours', n: 24 },
    policy: 'none',
    owner: 'business-unit',
    statutory: true,
    source: 'Guide: the eCase form should be completed within 24 hours of the incident being known (late forms are flagged, not refused)',
  },
  {
    name: 'panel-notification',
    due: 'LA notification of the serious incident to the National Panel',
    clockStart: 'the LA became aware of the incident (day 0)',
    length: { unit: 'working-days', n: 5 },
    policy: 'escalating',
    owner: 'la-lead',
    statutory: true,
    source: 'Guide: the LA must notify the National Panel within 5 working days of becoming aware',
  },
  {
    name: 'rapid-review',
    due: 'Rapid Review template to the National Panel',
    clockStart: 'the serious incident was recognised (same day 0 as the Panel notification)',
    length: { unit: 'working-days', n: 15 },
    policy: 'escalating',
    owner: 'business-unit',
    statutory: true,
    source: 'Guide: the completed Rapid Review template should reach the National Panel within 15 working days',
  },
  {
    name: 'panel-response',
    due: "the National Panel's response to the Rapid Review",
    clockStart: 'the Rapid Review was submitted to the Panel',
    length: { unit: 'working-days', n: 10 },
    policy: 'chase-after',
    owner: 'business-unit',
    statutory: false,
    source: 'DESIGN.md §1: no statutory clock; the Panel usually answers in about 10 days',
  },
  {
    name: 'lcspr-publication',
    due: 'publication of the local child safeguarding practice review (LCSPR)',
    clockStart: 'the LCSPR was initiated',
    length: { unit: 'calendar-months', n: 6 },
    policy: 'monthly',
    owner: 'business-unit',
    statutory: true,
    source: 'Guide: LCSPRs should be published within 6 months of initiation; reasons for any delay go to the National Panel',
  },
  {
    name: 'report-to-panel',
    due: 'the full review report to the National Panel',
    clockStart: 'the Executive set the planned publication date',
    length: { unit: 'working-days-before', n: 7 },
    policy: 'escalating',
    owner: 'business-unit',
    statutory: true,
    source: 'Guide: full reports should be sent to the National Panel 7 working days in advance of the publication date',
  },
  {
    name: 'website-removal',
    due: 'taking the published report off the KSCP website',
    clockStart: 'the report was published',
    length: { unit: 'calendar-months', n: 6 },
    policy: 'escalating',
    owner: 'business-unit',
    statutory: true,
    source: 'Guide: published reports remain on the website for 6 months (configurable; Working Together asks for at least a year)',
  },
  {
    name: 'learning-dissemination',
    due: 'key findings to the Learning and Development Subgroup and staff told of the findings',
    clockStart: 'the review concluded',
    length: { unit: 'until-done', remindEveryWorkingDays: 10 },
    policy: 'escalating',
    owner: 'business-unit',
    statutory: false,
    source: 'Guide: at the conclusion of all reviews key findings will be communicated to the Learning and Development Subgroup',
  },
  {
    name: 'staff-informed',
    due: 'staff told of the findings and recommendations of the review',
    clockStart: 'the review concluded',
    length: { unit: 'until-done', remindEveryWorkingDays: 10 },
    policy: 'escalating',
    owner: 'business-unit',
    statutory: false,
    source: 'Guide: on completion of the review staff will be made aware of its contents and recommendations',
  },
  {
    name: 'delay-reasons',
    due: 'the reasons for the delay in publishing the LCSPR, to the National Panel',
    clockStart: 'the 6-month LCSPR publication deadline passed without the reasons recorded',
    length: { unit: 'working-days', n: 5 },
    policy: 'escalating',
    owner: 'business-unit',
    statutory: true,
    source: 'Guide: safeguarding partners should inform the National Panel of the reasons for any delay (5 working days is the partnership\'s target)',
  },
  {
    name: 'info-request',
    due: 'information requested from an agency',
    clockStart: 'the Business Unit sent the request',
    length: { unit: 'set-by-business-unit' },
    policy: 'escalating',
    owner: 'agency-contact',
    statutory: true,
    source: 'Guide: organisations have a duty to respond within the timescale outlined in the request',
  },
] as const satisfies readonly Timescale[];

export type TimescaleName = (typeof TIMESCALES)[number]['name'];

export function timescale(name: TimescaleName): Timescale {
  const row = TIMESCALES.find((t) => t.name === name);
  if (!row) throw new RangeError(`no timescale named ${name}`);
  return row;
}

/** Reminder levels (DESIGN.md §4) and who each goes to besides the owner. */
export const REMINDER_LEVELS = {
  1: { name: 'notice', alsoTo: [] },
  2: { name: 'reminder', alsoTo: [] },
  3: { name: 'warning', alsoTo: ['business-unit'] },
  4: { name: 'due today', alsoTo: ['business-unit', 'business-manager'] },
  5: { name: 'overdue', alsoTo: ['business-manager', 'la-lead'] },
} as const satisfies Record<number, { name: string; alsoTo: readonly PartnershipRole[] }>;

export type ReminderLevel = keyof typeof REMINDER_LEVELS;
