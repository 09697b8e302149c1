import { MESSAGE_NAMES, type MessageName } from '../../src/process/messages';
import { applyLaDecision, applyMessage, checkLaDecision, checkMessage, openCase, recipientsFor, RULES, type MessageRule } from '../../src/process/transitions';

const ruleOf = (name: MessageName) => RULES[name] as MessageRule<unknown>;
import { fictionalForm } from '../helpers/fixtures';

const opened = () => openCase({ form: fictionalForm({ laAwareOn: '2032-12-22' }), formReceivedAt: '2032-12-22T10:00:00Z' }, new Date('2032-12-22T10:00:00Z'));
const decision = { notifiable: true, panelNotifiedOn: '2032-12-24', decidedBy: 'Test Officer', recordedAt: '2032-12-24T12:00:00Z' };

describe('the LA decision', () => {
  it('fits a case waiting for it', () => {
    expect(checkLaDecision(opened(), decision, '2032-12-25')).toBeUndefined();
  });

  it.each([
    [{ ...decision, panelNotifiedOn: '2032-12-21' }, 'panelNotifiedOn: the Panel cannot have been notified (2032-12-21) before the LA became aware (2032-12-22)'],
    [{ ...decision, panelNotifiedOn: '2033-01-30' }, 'panelNotifiedOn: 2033-01-30 is in the future'],
    [{ ...decision, panelNotifiedOn: undefined }, 'panelNotifiedOn: is required when the incident is notifiable: the date the LA notified the National Panel'],
    [{ ...decision, surprise: 1 }, 'unknown field(s) "surprise"'],
    [{ ...decision, decidedBy: '  ' }, 'decidedBy: must not be empty'],
  ])('refuses malformed input %#', (input, message) => {
    expect(checkLaDecision(opened(), input, '2032-12-25')).toEqual({ kind: 'InvalidInput', message });
  });

  it('refuses a decision once one is recorded, naming the stage', () => {
    const state = opened();
    applyLaDecision(state, decision, new Date('2032-12-24T12:00:00Z'));
    expect(checkLaDecision(state, decision, '2032-12-25')).toEqual({
      kind: 'WrongStage',
      message: `case ${state.ref} is at stage RAPID_REVIEW: the LA decision was already recorded (notifiable, by Test Officer)`,
    });
  });

  it('starts the Rapid Review reminders from the moment it is recorded', () => {
    const state = opened();
    applyLaDecision(state, decision, new Date('2032-12-24T12:00:00Z'));
    expect(state.deadlines.find((d) => d.name === 'rapid-review')?.remindersFrom).toBe('2032-12-24T12:00:00.000Z');
    expect(state.revision).toBe(1);
  });
});

describe('escalation', () => {
  it('sends each level to the owner and the roles of DESIGN.md §4, each once', () => {
    expect(recipientsFor('la-lead', 1)).toEqual(['la-lead']);
    expect(recipientsFor('la-lead', 4)).toEqual(['la-lead', 'business-unit', 'business-manager']);
    expect(recipientsFor('la-lead', 5)).toEqual(['la-lead', 'business-manager']);
    expect(recipientsFor('business-unit', 5)).toEqual(['business-unit', 'business-manager', 'la-lead']);
  });

  it("adds an agency's own safeguarding lead when its response is due or overdue", () => {
    expect(recipientsFor('agency:police:contact', 3)).toEqual(['agency:police:contact', 'business-unit']);
    expect(recipientsFor('agency:police:contact', 4)).toEqual(['agency:police:contact', 'agency:police:safeguarding-lead', 'business-unit', 'business-manager']);
    expect(recipientsFor('agency:police:contact', 5)).toEqual(['agency:police:contact', 'agency:police:safeguarding-lead', 'business-manager', 'la-lead']);
  });
});

describe('every message refuses a stage it does not fit, with the reason', () => {
  const atLaDecision = opened();
  const fitsAnyOpenStage = ['amend', 'withdraw', 'infoReceived', 'laDecision'];
  it.each(MESSAGE_NAMES.filter((n) => !fitsAnyOpenStage.includes(n)))('%s at LA_DECISION', (name) => {
    const rule = ruleOf(name);
    expect(checkMessage(rule, atLaDecision, {}, '2032-12-25')).toEqual({
      kind: 'WrongStage',
      message: `case ${atLaDecision.ref} is at stage LA_DECISION: ${rule.command} is recorded at stage ${rule.stages.join(' or ')}`,
    });
  });

  it('refuses everything on a closed case', () => {
    const state = opened();
    applyMessage(RULES.withdraw, state, { reason: 'recorded-in-error', detail: 'Fictional.', by: 'Test Officer' }, new Date('2032-12-23T10:00:00Z'));
    for (const name of MESSAGE_NAMES)
      expect(checkMessage(ruleOf(name), state, {}, '2032-12-25')).toEqual({ kind: 'WrongStage', message: `case ${state.ref} is closed (withdrawn (recorded-in-error)): nothing more can be recorded` });
  });
});

describe('messages that fit the stage but not the case', () => {
  const by = 'Test Officer';
  const now = new Date('2032-12-24T12:00:00Z');
  function atRapidReview() {
    const state = opened();
    applyLaDecision(state, decision, now);
    return state;
  }
  const check = (state: ReturnType<typeof opened>, name: MessageName, input: unknown) => checkMessage(ruleOf(name), state, input, '2033-01-10');

  it('refuses a second open information request to the same agency, and a response nobody asked for', () => {
    const state = atRapidReview();
    applyMessage(RULES.infoRequest, state, { agency: 'police', requestedOn: '2032-12-24', dueOn: '2033-01-04', by }, now);
    expect(check(state, 'infoRequest', { agency: 'police', requestedOn: '2032-12-24', dueOn: '2033-01-05', by })?.message).toBe(
      `case ${state.ref}: an information request to police is already open (info-request:police, due 2033-01-04): record its response with info-received first`,
    );
    expect(check(state, 'infoReceived', { agency: 'health', receivedOn: '2032-12-24', by })?.message).toBe(
      `case ${state.ref}: there is no open information request to health (open: info-request:police)`,
    );
    expect(check(state, 'infoReceived', { agency: 'police', receivedOn: '2032-12-23', by })?.message).toBe('receivedOn: 2032-12-23 is before the date of the request (2032-12-24)');
  });

  it('names a second request to the same agency apart from the first', () => {
    const state = atRapidReview();
    applyMessage(RULES.infoRequest, state, { agency: 'police', requestedOn: '2032-12-24', dueOn: '2033-01-04', by }, now);
    applyMessage(RULES.infoReceived, state, { agency: 'police', receivedOn: '2032-12-24', by }, now);
    applyMessage(RULES.infoRequest, state, { agency: 'police', requestedOn: '2032-12-24', dueOn: '2033-01-06', by }, now);
    expect(state.deadlines.filter((d) => d.clock.timescale === 'info-request').map((d) => [d.name, d.status])).toEqual([
      ['info-request:police', 'met'],
      ['info-request:police:2', 'open'],
    ]);
  });

  it('refuses dates in the future and dates out of order', () => {
    const state = atRapidReview();
    expect(check(state, 'rapidReview', { meetingOn: '2032-12-23', submittedOn: '2033-01-11', outcome: 'local-review', rationale: 'x', by })?.message).toBe(
      'submittedOn: 2033-01-11 is in the future',
    );
    expect(check(state, 'rapidReview', { meetingOn: '2032-12-23', submittedOn: '2032-12-22', outcome: 'local-review', rationale: 'x', by })?.message).toBe(
      'submittedOn: 2032-12-22 is before the Rapid Review meeting (2032-12-23)',
    );
    expect(check(state, 'rapidReview', { meetingOn: '2032-12-23', submittedOn: '2032-12-24', outcome: 'maybe', rationale: 'x', by })?.message).toBe(
      'outcome: "maybe" is not allowed (allowed: local-review, recommend-national-review, no-further-review)',
    );
    expect(check(state, 'infoRequest', { agency: 'police', requestedOn: '2032-12-24', dueOn: '2032-12-24', by })?.message).toBe('dueOn: must be after the date of the request');
  });

  it('keeps the order of sign-off: no publication before the Executive decision and the report to the Panel', () => {
    const state = atRapidReview();
    applyMessage(RULES.rapidReview, state, { meetingOn: '2032-12-23', submittedOn: '2032-12-24', outcome: 'local-review', rationale: 'x', by }, now);
    applyMessage(RULES.panelResponse, state, { receivedOn: '2032-12-24', decision: 'local-review', by }, now);
    expect(check(state, 'subgroupAgreed', { on: '2032-12-24', by })?.message).toBe(`case ${state.ref}: the LCSPR has not been initiated yet: record it with lcspr-start first`);
    applyMessage(RULES.lcsprStart, state, { initiatedOn: '2032-12-24', methodology: 'thematic', by }, now);
    expect(check(state, 'lcsprStart', { initiatedOn: '2032-12-24', methodology: 'thematic', by })?.message).toBe(`case ${state.ref}: the LCSPR was already initiated on 2032-12-24`);
    applyMessage(RULES.subgroupAgreed, state, { on: '2032-12-24', by }, now);
    const publish = { on: '2033-01-04', url: 'https://kscp.example.org/r', by };
    expect(check(state, 'published', publish)?.message).toBe(`case ${state.ref}: record the Executive decision first`);
    expect(check(state, 'executiveSignoff', { on: '2033-01-04', decision: 'publish', by })?.message).toBe(
      'plannedPublicationOn: is required when the decision is publish: the planned publication date',
    );
    expect(check(state, 'executiveSignoff', { on: '2033-01-04', decision: 'not-publish', by })?.message).toBe('reasons: are required when the decision is not-publish');
    applyMessage(RULES.executiveSignoff, state, { on: '2033-01-04', decision: 'publish', plannedPublicationOn: '2033-02-01', by }, now);
    expect(check(state, 'published', publish)?.message).toBe(
      `case ${state.ref}: record the report sent to the National Panel first (report-sent): it goes 7 working days before publication`,
    );
    expect(check(state, 'published', { ...publish, url: 'kscp website' })?.message).toBe('url: "kscp website" is not a web address (https://...)');
    expect(check(state, 'defer', { reason: 'x', newDate: '2033-01-20', panelToldOn: '2033-01-05', by })?.message).toBe(
      'newDate: 2033-01-20 is not later than the current date (2033-02-01): a deferral moves publication later',
    );
  });

  it('explains a correction it cannot make', () => {
    const state = opened();
    const amend = (field: string, value: string) => check(state, 'amend', { field, value, reason: 'Fictional.', by })?.message;
    expect(amend('childName', 'x')).toMatch(/^field: "childName" cannot be corrected \(allowed: laAwareOn, incidentDate, knownAt, /);
    expect(amend('laAwareOn', '22/12/2032')).toBe('value: "22/12/2032" is not a date YYYY-MM-DD');
    expect(amend('laAwareOn', '2033-02-01')).toBe('value: 2033-02-01 is in the future');
    expect(amend('laAwareOn', '2032-12-01')).toBe('value: the LA cannot have become aware (2032-12-01) before the incident (2032-12-21)');
    expect(amend('policeInvestigation', 'yes')).toBe('value: "yes" is not true or false');
    expect(amend('criteria', 'serious-harm,unknown')).toMatch(/^value: "serious-harm,unknown" is not criteria separated by commas/);
    expect(amend('panelNotifiedOn', '2032-12-23')).toBe(`case ${state.ref}: panelNotifiedOn cannot be corrected yet: the Panel notification has not been recorded (la-decision)`);
  });

  it('recomputes on a correction: the corrected clocks lose their dates until the next plan', () => {
    const state = opened();
    for (const d of state.deadlines) Object.assign(d, { due: '2032-12-30', dueAt: '2032-12-30T23:59:59.000Z' });
    applyMessage(RULES.amend, state, { field: 'laAwareOn', value: '2032-12-21', reason: 'Fictional.', by }, now);
    expect(state.deadlines.map((d) => [d.name, d.clock.start, d.due])).toEqual([
      ['ecase-form', '2032-12-22T08:30:00Z', '2032-12-30'],
      ['panel-notification', '2032-12-21', undefined],
      ['rapid-review', '2032-12-21', undefined],
    ]);
    expect(state.amendments).toEqual([{ at: now.toISOString(), field: 'laAwareOn', from: '2032-12-22', to: '2032-12-21', reason: 'Fictional.', by }]);
  });
});

describe('the rules table', () => {
  it('names each rule as its message', () => {
    for (const name of MESSAGE_NAMES) expect(RULES[name].name).toBe(name);
  });
});
