import { PassThrough } from 'node:stream';
import { askForm, askLaDecision, problemWith, readInstant } from '../../src/cli/intake';
import { CliError, EXIT } from '../../src/cli/errors';
import { createAsker } from '../../src/cli/prompt';
import { londonDate } from '../../src/london';
import type { ValidationContext } from '../../src/process/schemas';

const ctx: ValidationContext = {
  today: '2026-11-27',
  now: new Date('2026-11-27T10:00:00Z'),
  agencyIds: ['social-care', 'police', 'health', 'education', 'public-health'],
  londonDate,
};

/** An asker fed `answers` as piped lines, with what it wrote. */
function scripted(answers: string[], end = true) {
  const input = new PassThrough();
  const output = new PassThrough();
  let written = '';
  output.on('data', (b: Buffer) => (written += b.toString()));
  input.write(answers.map((a) => `${a}\n`).join(''));
  if (end) input.end();
  return { asker: createAsker(input, output, false), written: () => written };
}

const GOOD = [
  'KSCP-2026-950', 'police', 'Test Notifier', 'test.notifier@police.example.org', 'Detective Sergeant',
  '2026-11-25', '2026-11-25 16:40', '2026-11-26', '', 'no', 'serious-harm', 'yes', 'police, social-care', 'Fictional summary.',
];

describe('the eCase form asked in the terminal', () => {
  it('builds the form from piped answers after a "yes"', async () => {
    const { asker, written } = scripted([...GOOD, 'yes']);
    const form = await askForm(asker, ctx);
    expect(form).toEqual({
      ref: 'KSCP-2026-950',
      notifyingAgency: 'police',
      notifier: { name: 'Test Notifier', email: 'test.notifier@police.example.org', role: 'Detective Sergeant' },
      incidentDate: '2026-11-25',
      knownAt: '2026-11-25T16:40:00.000Z',
      laAwareOn: '2026-11-26',
      childDied: false,
      criteria: ['serious-harm'],
      policeInvestigation: true,
      agenciesInvolved: ['police', 'social-care'],
      summary: 'Fictional summary.',
    });
    expect(written()).toContain('Open case KSCP-2026-950 and start its deadlines? [yes/no]: yes');
  });

  it('asks again with the reason, including an answer that contradicts an earlier one', async () => {
    const answers = [...GOOD];
    answers.splice(7, 1, '2026-11-20', '2026-11-26'); // LA aware before the incident, then a good date
    answers.splice(1, 1, 'fire-service', 'police');
    const { asker, written } = scripted([...answers, 'maybe', 'yes']);
    const form = await askForm(asker, ctx);
    expect(form.laAwareOn).toBe('2026-11-26');
    expect(written()).toContain('  notifyingAgency: "fire-service" is not an agency in the directory (allowed: social-care, police, health, education, public-health). Please answer again.');
    expect(written()).toContain('  laAwareOn: the LA cannot have become aware (2026-11-20) before the incident (2026-11-25). Please answer again.');
    expect(written()).toContain('  confirmation: answer yes or no, not "maybe". Please answer again.');
  });

  it('refuses a death criterion when the child has not died', async () => {
    const answers = [...GOOD];
    answers.splice(10, 1, 'died-abuse-neglect', 'serious-harm');
    const { asker, written } = scripted([...answers, 'yes']);
    await askForm(asker, ctx);
    expect(written()).toContain('criteria: died-abuse-neglect needs childDied: true');
  });

  it('stops with nothing done on "no"', async () => {
    const { asker } = scripted([...GOOD, 'no']);
    await expect(askForm(asker, ctx)).rejects.toMatchObject({ exitCode: EXIT.cancelled });
  });

  it('refuses clearly when the answers end early', async () => {
    const { asker } = scripted(GOOD.slice(0, 4));
    const err = (await askForm(asker, ctx).catch((e: unknown) => e)) as CliError;
    expect(err).toBeInstanceOf(CliError);
    expect(err.exitCode).toBe(EXIT.badInput);
    expect(err.message).toBe('standard input ended before the answer to notifier.role: nothing was started or recorded');
  });

  it('checks each answer against the answers so far only', () => {
    expect(problemWith('ref', { ref: 'case-1' }, ctx)).toMatch(/is not a case reference/);
    expect(problemWith('ref', { ref: 'KSCP-2026-001' }, ctx)).toBeUndefined();
    expect(problemWith('knownAt', { incidentDate: '2026-11-25', knownAt: '2026-11-24T10:00:00Z' }, ctx)).toMatch(/cannot have known/);
    // Not an instant at all: a clear reason, not a crash in the checks that compare it with other dates.
    expect(problemWith('knownAt', { incidentDate: '2026-11-25', knownAt: 'soon' }, ctx)).toBe('"soon" is not a date and time with an offset (e.g. 2026-03-02T14:30:00Z or 2026-06-02T14:30:00+01:00)');
  });

  it('reads a London wall-clock time or an instant with its offset', () => {
    expect(readInstant('2026-07-01 09:30')).toBe('2026-07-01T08:30:00.000Z');
    expect(readInstant('2026-07-01T09:30:00+01:00')).toBe('2026-07-01T09:30:00+01:00');
  });
});

describe('the LA decision asked in the terminal', () => {
  it('asks only what the options did not give', async () => {
    const { asker, written } = scripted(['yes', '2026-11-26', 'yes']);
    expect(await askLaDecision(asker, 'KSCP-2026-950', { by: 'A. Officer' }, '2026-11-27')).toEqual({ notifiable: 'yes', panelNotified: '2026-11-26', by: 'A. Officer' });
    expect(written()).not.toContain('Who made');
  });

  it('asks the rationale when not notifiable, and re-asks a future date', async () => {
    const { asker, written } = scripted(['perhaps', 'yes', '2026-12-01', '2026-11-26', 'A. Officer', 'yes']);
    expect(await askLaDecision(asker, 'KSCP-2026-950', {}, '2026-11-27')).toEqual({ notifiable: 'yes', panelNotified: '2026-11-26', by: 'A. Officer' });
    expect(written()).toContain('notifiable: answer yes or no, not "perhaps"');
    expect(written()).toContain('panel-notified: 2026-12-01 is in the future (today is 2026-11-27)');
    const no = scripted(['no', 'Criteria not met (fictional)', 'A. Officer', 'yes']);
    expect(await askLaDecision(no.asker, 'KSCP-2026-950', {}, '2026-11-27')).toEqual({ notifiable: 'no', rationale: 'Criteria not met (fictional)', by: 'A. Officer' });
  });
});
