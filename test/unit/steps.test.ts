/**
 * The declared process (src/process/steps.ts) as pure functions: which step fits which stage,
 * what is refused and why, where each step leads, and which clocks it moves.
 */
import { AMENDABLE_FIELDS } from '../../src/process/amend';
import { applyStep, checkStep, type AnyStep, type StepContext } from '../../src/process/engine';
import { recipientsFor } from '../../src/process/escalation';
import type { IncidentState } from '../../src/process/incident';
import { MESSAGE_NAMES, type MessageName } from '../../src/process/messages';
import { openCase } from '../../src/process/open';
import { STEPS } from '../../src/process/steps';
import { fictionalForm } from '../helpers/fixtures';

const by = 'Test Officer';
const now = new Date('2032-12-24T12:00:00Z');
const ctx: StepContext = { now, rules: 3, latestDate: '2033-01-10' };
const opened = (overrides: Parameters<typeof fictionalForm>[0] = {}) =>
  openCase({ form: fictionalForm({ laAwareOn: '2032-12-22', ...overrides }), formReceivedAt: '2032-12-22T10:00:00Z' }, { now: new Date('2032-12-22T10:00:00Z') });
const st = (name: MessageName) => STEPS[name] as AnyStep;
const check = (state: IncidentState, name: MessageName, input: unknown, c: StepContext = ctx) => checkStep(name, st(name), state, input, c);
/** Apply a step after checking it, as the workflow does; fails the test if it is refused. */
function record(state: IncidentState, name: MessageName, input: unknown, c: StepContext = ctx): string {
  const refusal = check(state, name, input, c);
  if (refusal) throw new Error(`${name} refused: ${refusal.message}`);
  return applyStep(st(name), state, input, c);
}
const table = (s: IncidentState) => s.deadlines.map((d) => [d.name, d.status]);
const decision = { notifiable: true, panelNotifiedOn: '2032-12-24', ofsted: 'not-required', decidedBy: by };

describe('opening a case', () => {
  it('opens straight into LA_DECISION with the eCase form met and the Panel and Rapid Review clocks from day 0', () => {
    const s = opened();
    expect(s.stage).toBe('LA_DECISION');
    expect(table(s)).toEqual([
      ['ecase-form', 'met'],
      ['panel-notification', 'open'],
      ['rapid-review', 'open'],
    ]);
    expect(s.deadlines.find((d) => d.name === 'rapid-review')?.remindersFrom).toBeUndefined();
  });

  it("for a care leaver's death alone: its own 5-day notification, no Panel notification, no Rapid Review", () => {
    const s = opened({ criteria: ['care-leaver-death'] });
    expect(table(s)).toEqual([
      ['ecase-form', 'met'],
      ['care-leaver-notification', 'open'],
    ]);
    expect(check(s, 'laDecision', decision)?.message).toMatch(/a care leaver's death alone is notified to the Secretary of State and Ofsted/);
    record(s, 'careLeaverNotified', { on: '2032-12-23', by });
    expect(s.stage).toBe('CLOSED');
    expect(s.route).toBe('care-leaver-only');
  });

  it("with another criterion too, the care leaver's notification runs beside the Panel's and does not close the case", () => {
    const s = opened({ criteria: ['serious-harm', 'care-leaver-death'] });
    expect(table(s).map(([n]) => n)).toEqual(['ecase-form', 'panel-notification', 'rapid-review', 'care-leaver-notification']);
    record(s, 'careLeaverNotified', { on: '2032-12-23', by });
    expect(s.stage).toBe('LA_DECISION');
    record(s, 'laDecision', decision);
    expect(s.stage).toBe('RAPID_REVIEW');
  });
});

describe('the LA decision', () => {
  it('refuses what cannot be true, with the field and the reason', () => {
    const s = opened();
    expect(check(s, 'laDecision', { ...decision, panelNotifiedOn: '2032-12-21' })?.message).toBe(
      'panelNotifiedOn: the Panel cannot have been notified (2032-12-21) before the LA became aware (2032-12-22)',
    );
    expect(check(s, 'laDecision', { ...decision, panelNotifiedOn: '2033-01-30' })?.message).toBe('panelNotifiedOn: 2033-01-30 is in the future');
    expect(check(s, 'laDecision', { ...decision, panelNotifiedOn: undefined })?.message).toBe('panelNotifiedOn: is required when the incident is notifiable: the date the LA notified the National Panel');
    expect(check(s, 'laDecision', { ...decision, ofsted: undefined })?.message).toBe('ofsted: is required (one of: required, not-required)');
    expect(check(s, 'laDecision', { ...decision, surprise: 1 })?.message).toBe('unknown field(s) "surprise"');
    expect(check(s, 'laDecision', { ...decision, decidedBy: '  ' })?.message).toBe('decidedBy: must not be empty');
  });

  it('refuses a second decision, naming the stage and the first', () => {
    const s = opened();
    record(s, 'laDecision', decision);
    expect(check(s, 'laDecision', decision)).toEqual({ kind: 'WrongStage', message: `case ${s.ref} is at stage RAPID_REVIEW: the LA decision was already recorded (notifiable, by ${by})` });
  });

  it('meets the Panel notification and starts chasing the Rapid Review from the moment it is recorded', () => {
    const s = opened();
    record(s, 'laDecision', decision);
    expect(s.deadlines.find((d) => d.name === 'panel-notification')).toMatchObject({ status: 'met', metOn: '2032-12-24' });
    expect(s.deadlines.find((d) => d.name === 'rapid-review')?.remindersFrom).toBe(now.toISOString());
  });

  it('records whether Ofsted must be notified: a date meets its clock; without one the clock is open and chased', () => {
    const withDate = opened();
    record(withDate, 'laDecision', { ...decision, ofsted: 'required', ofstedNotifiedOn: '2032-12-23' });
    expect(withDate.deadlines.find((d) => d.name === 'ofsted-notification')).toMatchObject({ status: 'met', metOn: '2032-12-23' });
    const without = opened();
    record(without, 'laDecision', { ...decision, ofsted: 'required' });
    expect(without.deadlines.find((d) => d.name === 'ofsted-notification')).toMatchObject({ status: 'open', clock: { start: '2032-12-22' } });
    record(without, 'ofstedNotified', { on: '2032-12-28', by });
    expect(without.deadlines.find((d) => d.name === 'ofsted-notification')?.status).toBe('met');
    expect(check(without, 'ofstedNotified', { on: '2032-12-28', by })?.message).toMatch(/already recorded \(2032-12-28\)/);
  });

  it('not notifiable: closes the case, unless Ofsted must still be told, and then closes once it is', () => {
    const s = opened();
    record(s, 'laDecision', { notifiable: false, ofsted: 'required', rationale: 'Fictional.', decidedBy: by });
    expect([s.stage, s.route]).toEqual(['LA_DECISION', 'not-notifiable']);
    expect(table(s)).toEqual([
      ['ecase-form', 'met'],
      ['panel-notification', 'cancelled'],
      ['rapid-review', 'cancelled'],
      ['ofsted-notification', 'open'],
    ]);
    record(s, 'ofstedNotified', { on: '2032-12-23', by });
    expect(s.stage).toBe('CLOSED');
  });
});

describe('escalation', () => {
  it('sends each level of a statutory deadline to the owner and the roles of DESIGN.md §4, each once', () => {
    expect(recipientsFor('panel-notification', 'la-lead', 1)).toEqual(['la-lead']);
    expect(recipientsFor('panel-notification', 'la-lead', 4)).toEqual(['la-lead', 'business-unit', 'business-manager']);
    expect(recipientsFor('panel-notification', 'la-lead', 5)).toEqual(['la-lead', 'business-manager']);
    expect(recipientsFor('rapid-review', 'business-unit', 5)).toEqual(['business-unit', 'business-manager', 'la-lead']);
  });

  it("adds an agency's own safeguarding lead when its response is due or overdue", () => {
    expect(recipientsFor('info-request', 'agency:police:contact', 3)).toEqual(['agency:police:contact', 'business-unit']);
    expect(recipientsFor('info-request', 'agency:police:contact', 5)).toEqual(['agency:police:contact', 'agency:police:safeguarding-lead', 'business-manager', 'la-lead']);
  });

  it('never escalates a policy target (the website period, learning): its owner only', () => {
    for (const kind of ['website-removal', 'learning-dissemination', 'staff-informed', 'partners-informed', 'panel-response'] as const)
      expect(recipientsFor(kind, 'business-unit', 5)).toEqual(['business-unit']);
  });
});

describe('every step refuses a stage it does not fit, with the reason', () => {
  const atLaDecision = opened();
  const fitsLaDecision = MESSAGE_NAMES.filter((n) => (STEPS[n].from as readonly string[]).includes('LA_DECISION'));
  it.each(MESSAGE_NAMES.filter((n) => !fitsLaDecision.includes(n)))('%s at LA_DECISION', (name) => {
    expect(check(atLaDecision, name, {})).toEqual({
      kind: 'WrongStage',
      message: `case ${atLaDecision.ref} is at stage LA_DECISION: ${STEPS[name].command} is recorded at stage ${STEPS[name].from.join(' or ')}`,
    });
  });

  it('refuses everything on a closed case', () => {
    const s = opened();
    record(s, 'withdraw', { reason: 'recorded-in-error', detail: 'Fictional.', by });
    for (const name of MESSAGE_NAMES) expect(check(s, name, {})).toEqual({ kind: 'WrongStage', message: `case ${s.ref} is closed (withdrawn (recorded-in-error)): nothing more can be recorded` });
  });
});

describe('steps that fit the stage but not the case', () => {
  const atRapidReview = () => {
    const s = opened();
    record(s, 'laDecision', decision);
    return s;
  };

  it('refuses a second open information request to the same agency, and a response nobody asked for', () => {
    const s = atRapidReview();
    record(s, 'infoRequest', { agency: 'police', requestedOn: '2032-12-24', dueOn: '2033-01-04', by });
    expect(check(s, 'infoRequest', { agency: 'police', requestedOn: '2032-12-24', dueOn: '2033-01-05', by })?.message).toBe(
      `case ${s.ref}: an information request to police is already open (info-request:police, due 2033-01-04): record its response with info-received first`,
    );
    expect(check(s, 'infoReceived', { agency: 'health', receivedOn: '2032-12-24', by })?.message).toBe(`case ${s.ref}: there is no open information request to health (open: info-request:police)`);
    expect(check(s, 'infoReceived', { agency: 'police', receivedOn: '2032-12-23', by })?.message).toBe('receivedOn: 2032-12-23 is before the date of the request (2032-12-24)');
  });

  it('names a second request to the same agency apart from the first', () => {
    const s = atRapidReview();
    record(s, 'infoRequest', { agency: 'police', requestedOn: '2032-12-24', dueOn: '2033-01-04', by });
    record(s, 'infoReceived', { agency: 'police', receivedOn: '2032-12-24', by });
    record(s, 'infoRequest', { agency: 'police', requestedOn: '2032-12-24', dueOn: '2033-01-06', by });
    expect(table(s).filter(([n]) => String(n).startsWith('info-request'))).toEqual([
      ['info-request:police', 'met'],
      ['info-request:police:2', 'open'],
    ]);
  });

  it('refuses dates in the future and dates out of order', () => {
    const s = atRapidReview();
    const rr = { meetingOn: '2032-12-23', submittedOn: '2032-12-24', outcome: 'local-review', rationale: 'x', by };
    expect(check(s, 'rapidReview', { ...rr, submittedOn: '2033-01-11' })?.message).toBe('submittedOn: 2033-01-11 is in the future');
    expect(check(s, 'rapidReview', { ...rr, submittedOn: '2032-12-22' })?.message).toBe('submittedOn: 2032-12-22 is before the Rapid Review meeting (2032-12-23)');
    expect(check(s, 'rapidReview', { ...rr, outcome: 'maybe' })?.message).toBe('outcome: "maybe" is not allowed (allowed: local-review, recommend-national-review, no-further-review)');
    expect(check(s, 'infoRequest', { agency: 'police', requestedOn: '2032-12-24', dueOn: '2032-12-24', by })?.message).toBe('dueOn: must be after the date of the request');
  });

  it('refuses control characters in names and free text, and bounds their length', () => {
    const s = atRapidReview();
    const rr = { meetingOn: '2032-12-23', submittedOn: '2032-12-24', outcome: 'local-review', rationale: 'x', by };
    expect(check(s, 'rapidReview', { ...rr, by: 'A. Officer\u001b[2J' })?.message).toBe('by: contains a control character (U+001B at character 11): use one line of plain text');
    expect(check(s, 'rapidReview', { ...rr, by: 'A.\rCase closed' })?.message).toMatch(/^by: contains a control character \(U\+000D/);
    expect(check(s, 'rapidReview', { ...rr, by: 'A. Officer\nsecond line' })?.message).toMatch(/^by: contains a control character \(U\+000A/);
    expect(check(s, 'rapidReview', { ...rr, rationale: 'First line.\nSecond line.' })).toBeUndefined();
    expect(check(s, 'rapidReview', { ...rr, rationale: 'Right\u202eto left' })?.message).toMatch(/^rationale: contains a control character \(U\+202E/);
    expect(check(s, 'rapidReview', { ...rr, by: 'x'.repeat(201) })?.message).toBe('by: is too long (at most 200 characters)');
  });
});

describe('where each step leads, and what it does to the clocks', () => {
  function lcsprSignedOff(planned = '2033-03-01') {
    const s = opened();
    record(s, 'laDecision', decision);
    record(s, 'rapidReview', { meetingOn: '2032-12-23', submittedOn: '2032-12-24', outcome: 'local-review', rationale: 'x', by });
    expect(table(s).filter(([n]) => ['panel-response', 'partners-informed'].includes(n!))).toEqual([
      ['panel-response', 'open'],
      ['partners-informed', 'open'],
    ]);
    record(s, 'partnersInformed', { on: '2032-12-24', by });
    record(s, 'panelResponse', { receivedOn: '2032-12-24', decision: 'local-review', by });
    record(s, 'lcsprStart', { initiatedOn: '2032-12-24', methodology: 'thematic', by });
    record(s, 'subgroupAgreed', { on: '2032-12-24', by });
    record(s, 'executiveSignoff', { on: '2032-12-24', decision: 'publish', plannedPublicationOn: planned, by });
    return s;
  }

  it('opens the report to the Panel and to the Secretary of State on the planned date', () => {
    const s = lcsprSignedOff();
    expect(s.deadlines.filter((d) => d.name.startsWith('report-to')).map((d) => [d.name, d.clock.start, d.status])).toEqual([
      ['report-to-panel', '2033-03-01', 'open'],
      ['report-to-secretary-of-state', '2033-03-01', 'open'],
    ]);
  });

  it('measures the 7 working days against the actual publication date once published, and accepts a report sent after it (recorded late)', () => {
    const s = lcsprSignedOff('2033-03-01');
    for (const d of s.deadlines) if (d.name.startsWith('report-to')) Object.assign(d, { due: '2033-02-20', dueAt: '2033-02-20T23:59:59.000Z' });
    record(s, 'published', { on: '2033-01-05', url: 'https://kscp.example.org/r', by });
    const panel = s.deadlines.find((d) => d.name === 'report-to-panel')!;
    expect([panel.clock.start, panel.due, panel.status]).toEqual(['2033-01-05', undefined, 'open']);
    record(s, 'reportSent', { sentOn: '2033-01-06', to: 'both', by });
    expect(panel).toMatchObject({ status: 'met', metOn: '2033-01-06' });
    expect(panel.onTime).toBeUndefined();
  });

  it('a deferral keeps the statutory date, sets a revised target, moves the planned publication, and counts as the reasons sent', () => {
    const s = lcsprSignedOff('2033-03-01');
    const publication = s.deadlines.find((d) => d.name === 'lcspr-publication')!;
    Object.assign(publication, { due: '2033-06-24', dueAt: '2033-06-24T22:59:59.000Z' });
    record(s, 'defer', { reason: 'Criminal trial (fictional).', newDate: '2033-09-30', panelToldOn: '2032-12-24', by });
    expect(publication.clock).toEqual({ timescale: 'lcspr-publication', start: '2032-12-24' });
    expect(publication.revisedTarget).toBe('2033-09-30');
    expect(s.signOff?.executive?.plannedPublicationOn).toBe('2033-09-30');
    expect(s.deadlines.find((d) => d.name === 'report-to-panel')?.clock.start).toBe('2033-09-30');
    expect(s.lcspr?.delayReasonsSentOn).toBe('2032-12-24');
    expect(check(s, 'defer', { reason: 'x', newDate: '2033-09-01', panelToldOn: '2032-12-24', by })?.message).toBe(
      'newDate: 2033-09-01 is not later than the current target (2033-09-30): a deferral moves publication later',
    );
  });

  it('no longer makes publication wait for the report: a late report is a breach to record, not a reason to refuse', () => {
    const s = lcsprSignedOff();
    expect(check(s, 'published', { on: '2033-01-04', url: 'https://kscp.example.org/r', by })).toBeUndefined();
    expect(check(s, 'published', { on: '2033-01-04', url: 'kscp website', by })?.message).toBe('url: "kscp website" is not a web address (https://...)');
  });

  it('closes a case in LEARNING only once nothing is left open', () => {
    const s = opened();
    record(s, 'laDecision', decision);
    record(s, 'rapidReview', { meetingOn: '2032-12-23', submittedOn: '2032-12-24', outcome: 'no-further-review', rationale: 'x', by });
    record(s, 'panelResponse', { receivedOn: '2032-12-24', decision: 'no-further-review', by });
    expect(s.stage).toBe('LEARNING');
    record(s, 'learningShared', { on: '2032-12-24', by });
    record(s, 'staffInformed', { on: '2032-12-24', by });
    expect(s.stage).toBe('LEARNING');
    expect(table(s).filter(([, status]) => status === 'open')).toEqual([['partners-informed', 'open']]);
    record(s, 'partnersInformed', { on: '2032-12-24', by });
    expect(s.stage).toBe('CLOSED');
  });

  it('replays the rules of cases recorded before this model (rules 2): no new duties', () => {
    const old: StepContext = { ...ctx, rules: 2 };
    const s = opened();
    record(s, 'laDecision', decision, old);
    record(s, 'rapidReview', { meetingOn: '2032-12-23', submittedOn: '2032-12-24', outcome: 'local-review', rationale: 'x', by }, old);
    expect(table(s).map(([n]) => n)).not.toContain('partners-informed');
  });
});

describe('corrections', () => {
  const amend = (s: IncidentState, field: string, value: string) => check(s, 'amend', { field, value, reason: 'Fictional.', by })?.message;

  it('explains a correction it cannot make', () => {
    const s = opened();
    expect(amend(s, 'childName', 'x')).toMatch(/^field: "childName" cannot be corrected \(allowed: laAwareOn, incidentDate, knownAt, /);
    expect(amend(s, 'laAwareOn', '22/12/2032')).toBe('value: "22/12/2032" is not a date YYYY-MM-DD');
    expect(amend(s, 'laAwareOn', '2033-02-01')).toBe('value: 2033-02-01 is in the future');
    expect(amend(s, 'laAwareOn', '2032-12-01')).toBe('value: the LA cannot have become aware (2032-12-01) before the incident (2032-12-21)');
    expect(amend(s, 'policeInvestigation', 'yes')).toBe('value: "yes" is not true or false');
    expect(amend(s, 'criteria', 'serious-harm,unknown')).toMatch(/^value: "serious-harm,unknown" is not criteria separated by commas/);
    expect(amend(s, 'panelNotifiedOn', '2032-12-23')).toBe(`case ${s.ref}: panelNotifiedOn cannot be corrected yet: the Panel notification has not been recorded (la-decision)`);
  });

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'info-request:__proto__'])('refuses the inherited name %s like any unknown field', (field) => {
    expect(amend(opened(), field, '2032-12-22')).toBe(`field: ${JSON.stringify(field)} cannot be corrected (allowed: ${AMENDABLE_FIELDS.join(', ')})`);
  });

  it('recomputes on a correction: the corrected clocks lose their dates until the next plan', () => {
    const s = opened();
    for (const d of s.deadlines) Object.assign(d, { due: '2032-12-30', dueAt: '2032-12-30T23:59:59.000Z' });
    record(s, 'amend', { field: 'laAwareOn', value: '2032-12-21', reason: 'Fictional.', by });
    expect(s.deadlines.map((d) => [d.name, d.clock.start, d.due])).toEqual([
      ['ecase-form', '2032-12-22T08:30:00.000Z', '2032-12-30'],
      ['panel-notification', '2032-12-21', undefined],
      ['rapid-review', '2032-12-21', undefined],
    ]);
    expect(s.amendments).toEqual([{ at: now.toISOString(), field: 'laAwareOn', from: '2032-12-22', to: '2032-12-21', reason: 'Fictional.', by }]);
  });

  it("adding a care leaver's death by correction opens its notification", () => {
    const s = opened();
    record(s, 'amend', { field: 'criteria', value: 'serious-harm,care-leaver-death', reason: 'Fictional.', by });
    expect(s.deadlines.find((d) => d.name === 'care-leaver-notification')).toMatchObject({ status: 'open', clock: { start: '2032-12-22' } });
  });
});
