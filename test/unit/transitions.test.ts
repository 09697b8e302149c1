import { applyLaDecision, checkLaDecision, openCase, recipientsFor } from '../../src/transitions';
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
});
