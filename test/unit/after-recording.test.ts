/**
 * What every step command prints once the case has recorded it (src/cli/commands/record.ts,
 * `afterRecording`): the stage, every due date now open (never "being computed": the update answers
 * once the calendar has computed them), what it met and how, what it cancelled, and a "Next:"
 * command that the case would accept at its stage. Each route is driven through the declared steps
 * (src/process/steps.ts) with the planner the workflow uses (src/deadlines.ts), as the workflow does
 * before it answers an update.
 */
import { afterRecording } from '../../src/cli/commands/record';
import { WorkingDayCalendar } from '../../src/calendar';
import { planDeadline } from '../../src/deadlines';
import { applyStep, checkStep, type AnyStep, type StepContext } from '../../src/process/engine';
import { viewOf, type IncidentState, type IncidentView } from '../../src/process/incident';
import type { MessageName } from '../../src/process/messages';
import { openCase } from '../../src/process/open';
import { openDelayReasonsIfOwed, STEPS } from '../../src/process/steps';
import { fictionalForm } from '../helpers/fixtures';

const calendar = new WorkingDayCalendar();
const by = 'Test Officer';

/** The workflow's planning pass (workflows/incident.ts followDeadlines), without the emails. */
function plan(s: IncidentState, now: Date): void {
  for (const d of s.deadlines) {
    // The deadlines workflows/incident.ts `followed` asks about.
    if (!(d.status === 'open' || d.due === undefined || (d.status === 'met' && (d.onTime === undefined || (d.onTime === false && d.workingDaysLate === undefined))))) continue;
    const p = planDeadline({ clock: d.clock, progress: d, revisedTarget: d.revisedTarget, met: d.status === 'met' ? { on: d.metOn, at: d.metAt } : undefined }, now, calendar);
    d.due = p.due;
    d.dueAt = p.dueAt;
    if (d.status === 'met') {
      d.onTime = p.onTime;
      if (p.workingDaysLate !== undefined) d.workingDaysLate = p.workingDaysLate;
      if (p.hoursLate !== undefined) d.hoursLate = p.hoursLate;
    } else if (d.status === 'open') {
      d.overdue = p.overdue;
      if (p.workingDaysLate !== undefined) d.workingDaysLate = p.workingDaysLate;
    }
  }
  if (openDelayReasonsIfOwed(s, { now, rules: 3, latestDate: now.toISOString().slice(0, 10) })) plan(s, now);
}

interface Printed {
  step: MessageName;
  stage: string;
  lines: string[];
}

/** Record each step on `day` (a London date), as kscp does, and keep what kscp would print. */
function drive(steps: Array<[MessageName, string, Record<string, unknown>]>, form = fictionalForm({ incidentDate: '2032-01-05', knownAt: '2032-01-06T09:00:00Z', laAwareOn: '2032-01-06' })): Printed[] {
  const s = openCase({ form, formReceivedAt: '2032-01-06T10:00:00Z' }, { now: new Date('2032-01-06T10:00:00Z') });
  plan(s, new Date('2032-01-06T10:00:00Z'));
  const printed: Printed[] = [];
  for (const [name, day, input] of steps) {
    const now = new Date(`${day}T11:00:00Z`);
    const ctx: StepContext = { now, rules: 3, latestDate: day };
    plan(s, now);
    const before: IncidentView = viewOf(structuredClone(s));
    const refusal = checkStep(name, STEPS[name] as AnyStep, s, input, ctx);
    if (refusal) throw new Error(`${name} on ${day} refused: ${refusal.message}`);
    applyStep(STEPS[name] as AnyStep, s, input, ctx);
    plan(s, now);
    printed.push({ step: name, stage: s.stage, lines: afterRecording(s.ref, before, viewOf(s)) });
  }
  return printed;
}

const LCSPR_ROUTE: Array<[MessageName, string, Record<string, unknown>]> = [
  ['laDecision', '2032-01-08', { notifiable: true, panelNotifiedOn: '2032-01-08', ofsted: 'required', decidedBy: by }],
  ['ofstedNotified', '2032-01-09', { on: '2032-01-09', by }],
  ['infoRequest', '2032-01-09', { agency: 'police', requestedOn: '2032-01-09', dueOn: '2032-01-16', by }],
  ['infoReceived', '2032-01-15', { agency: 'police', receivedOn: '2032-01-15', by }],
  ['rapidReview', '2032-01-23', { meetingOn: '2032-01-22', submittedOn: '2032-01-23', outcome: 'local-review', rationale: 'Fictional.', by }],
  ['partnersInformed', '2032-01-26', { on: '2032-01-26', by }],
  ['panelResponse', '2032-02-09', { receivedOn: '2032-02-09', decision: 'local-review', by }],
  ['lcsprStart', '2032-02-16', { initiatedOn: '2032-02-16', methodology: 'case-authored', by }],
  ['views', '2032-03-15', { from: 'practitioners', on: '2032-03-15', by }],
  ['views', '2032-03-22', { from: 'family', on: '2032-03-22', by }],
  ['defer', '2032-07-01', { reason: 'Criminal trial (fictional).', newDate: '2032-10-29', panelToldOn: '2032-07-01', by }],
  ['subgroupAgreed', '2032-09-13', { on: '2032-09-13', by }],
  ['executiveSignoff', '2032-09-20', { on: '2032-09-20', decision: 'publish', plannedPublicationOn: '2032-10-27', by }],
  ['reportSent', '2032-10-15', { sentOn: '2032-10-15', to: 'both', by }],
  ['published', '2032-10-27', { on: '2032-10-27', url: 'https://kscp.example.org/report', by }],
  ['learningShared', '2032-11-03', { on: '2032-11-03', by }],
  ['staffInformed', '2032-11-10', { on: '2032-11-10', by }],
  ['removedFromWebsite', '2033-04-27', { on: '2033-04-27', by }],
];

const NATIONAL_ROUTE: Array<[MessageName, string, Record<string, unknown>]> = [
  ['laDecision', '2032-01-08', { notifiable: true, panelNotifiedOn: '2032-01-08', ofsted: 'not-required', decidedBy: by }],
  ['rapidReview', '2032-01-23', { meetingOn: '2032-01-22', submittedOn: '2032-01-23', outcome: 'recommend-national-review', rationale: 'Fictional.', by }],
  ['panelResponse', '2032-02-02', { receivedOn: '2032-02-02', decision: 'national-review', by }],
  ['nationalReviewer', '2032-02-16', { reviewer: 'Panel-appointed reviewer', appointedOn: '2032-02-16', by }],
  ['infoRequest', '2032-03-01', { agency: 'education', requestedOn: '2032-03-01', dueOn: '2032-03-15', by }],
  ['infoReceived', '2032-03-20', { agency: 'education', receivedOn: '2032-03-20', by }],
  ['nationalReport', '2032-09-01', { receivedOn: '2032-09-01', by }],
  ['partnersInformed', '2032-09-02', { on: '2032-09-02', by }],
  ['learningShared', '2032-09-10', { on: '2032-09-10', by }],
  ['staffInformed', '2032-09-17', { on: '2032-09-17', by }],
];

const SHORT_ROUTES: Record<string, Array<[MessageName, string, Record<string, unknown>]>> = {
  'no further review': [
    ['laDecision', '2032-01-08', { notifiable: true, panelNotifiedOn: '2032-01-08', ofsted: 'not-required', decidedBy: by }],
    ['rapidReview', '2032-01-23', { meetingOn: '2032-01-22', submittedOn: '2032-01-23', outcome: 'no-further-review', rationale: 'Fictional.', by }],
    ['panelResponse', '2032-02-02', { receivedOn: '2032-02-02', decision: 'no-further-review', by }],
    ['learningShared', '2032-02-10', { on: '2032-02-10', by }],
    ['staffInformed', '2032-02-17', { on: '2032-02-17', by }],
    ['partnersInformed', '2032-02-18', { on: '2032-02-18', by }],
  ],
  'not notifiable, Ofsted still to be told': [
    ['laDecision', '2032-01-08', { notifiable: false, ofsted: 'required', rationale: 'Fictional.', decidedBy: by }],
    ['ofstedNotified', '2032-01-09', { on: '2032-01-09', by }],
  ],
  'a correction, then withdrawn': [
    ['amend', '2032-01-07', { field: 'laAwareOn', value: '2032-01-05', reason: 'Typed wrongly.', by }],
    ['withdraw', '2032-01-08', { reason: 'recorded-in-error', detail: 'Fictional duplicate.', by }],
  ],
};

/** The step named by a "Next:" line, from its command. */
function suggested(lines: string[]): MessageName | undefined {
  const command = /^Next: kscp ([a-z-]+) /m.exec(lines.join('\n'))?.[1];
  return command === undefined ? undefined : (Object.keys(STEPS) as MessageName[]).find((n) => STEPS[n].command === command);
}

/** What every step's output must say, whatever the route. */
function checkPrinted(printed: Printed[]): void {
  for (const p of printed) {
    const text = p.lines.join('\n');
    expect({ step: p.step, second: p.lines[1] }).toEqual({ step: p.step, second: expect.stringMatching(new RegExp(`^Stage: ${p.stage} \\(`)) });
    expect(text).not.toMatch(/being computed/);
    // Every due line carries its date.
    for (const line of p.lines.filter((l) => l.startsWith('  Due: '))) expect(line).toMatch(/by the end of [A-Z][a-z]+day \d{1,2} [A-Z][a-z]+ \d{4}/);
    if (p.stage === 'CLOSED') {
      expect(text).toMatch(/^The case is closed \(.+\); its record is kept\.$/m);
      expect(suggested(p.lines)).toBeUndefined();
      continue;
    }
    // The next command is one the case would take at its stage.
    const next = suggested(p.lines);
    expect({ step: p.step, stage: p.stage, next }).toEqual({ step: p.step, stage: p.stage, next: expect.any(String) });
    expect({ step: p.step, next, fits: (STEPS[next!].from as readonly string[]).includes(p.stage) }).toEqual({ step: p.step, next, fits: true });
  }
}

it('prints, after every step of an LCSPR, the stage, the due dates and a next command that fits the stage', () => {
  const printed = drive(LCSPR_ROUTE);
  checkPrinted(printed);
  const next = Object.fromEntries(printed.map((p) => [p.step, suggested(p.lines)]));
  // The Ofsted notification is due first, and la-decision (which also meets it) no longer fits.
  expect(next.laDecision).toBe('ofstedNotified');
  // No deadline is open once the Panel has agreed a local review: the stage's own step is next.
  expect(next.panelResponse).toBe('lcsprStart');
  // Publication fits SIGN_OFF only: in LCSPR the sub-group's agreement comes first.
  expect(next.lcsprStart).toBe('subgroupAgreed');
  // The report is due 7 working days before publication; the deferred publication is chased at its revised target.
  expect(next.executiveSignoff).toBe('reportSent');
  const deferred = printed.find((p) => p.step === 'defer')!.lines.join('\n');
  expect(deferred).toContain('by the end of Monday 16 August 2032; deferred: revised target Friday 29 October 2032');
  expect(printed.find((p) => p.step === 'published')!.lines.join('\n')).toMatch(/Met: publication of the local child safeguarding practice review \(LCSPR\): LATE by \d+ working days/);
});

it('prints the same for a national review', () => {
  checkPrinted(drive(NATIONAL_ROUTE));
});

it.each(Object.entries(SHORT_ROUTES))('prints the same on the route: %s', (_route, steps) => {
  checkPrinted(drive(steps));
});
