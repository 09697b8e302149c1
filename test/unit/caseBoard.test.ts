/** What a case's page in the Web UI says: summary, details card and current details, with no personal data. */
import { caseDetails, caseSummary, currentDetails } from '../../src/process/caseBoard';
import { openCase, applyMessage, RULES, type MessageRule } from '../../src/process/transitions';
import { fictionalForm } from '../helpers/fixtures';

const form = fictionalForm({
  ref: 'KSCP-2031-007',
  notifyingAgency: 'police',
  notifier: { name: 'Pat Example', email: 'pat.example@police.example.org', role: 'DS' },
  criteria: ['died-abuse-neglect'],
  childDied: true,
  policeInvestigation: true,
  summary: 'Fictional summary that must stay in the encrypted record only.',
  incidentDate: '2031-03-03',
  knownAt: '2031-03-03T10:00:00Z',
  laAwareOn: '2031-03-04',
});

it('summarises a case in one line: reference, criteria, notifying agency', () => {
  expect(caseSummary(form)).toBe('Serious incident KSCP-2031-007: child died, abuse or neglect known or suspected (notified by police)');
});

it('lists the case facts on the details card without the free-text summary or anyone named', () => {
  const details = caseDetails(form);
  expect(details).toContain('- **LA aware on (day 0)** 2031-03-04');
  expect(details).toContain('- **Child died** yes (CDOP procedures apply)');
  expect(details).toContain('- **Police investigation** yes (confidentiality restrictions may apply)');
  expect(details).toContain('- **Agencies involved** health, social-care');
  for (const secret of ['Fictional summary', 'Pat Example', 'pat.example@']) expect(details).not.toContain(secret);
});

it('says where the case is, what is open (overdue marked), what was met and how many reminders went', () => {
  const state = openCase({ form, formReceivedAt: '2031-03-03T12:00:00Z' }, new Date('2031-03-03T12:00:00Z'));
  for (const d of state.deadlines) if (d.status === 'open') Object.assign(d, { due: d.name === 'panel-notification' ? '2031-03-11' : '2031-03-25' });
  state.deadlines.find((d) => d.name === 'panel-notification')!.overdue = true;
  let details = currentDetails(state);
  expect(details).toContain('- **Stage** Waiting for the LA decision on notification');
  expect(details).toContain('- panel-notification: due 2031-03-11 **OVERDUE**');
  expect(details).toContain('- rapid-review: due 2031-03-25');
  expect(details).not.toContain('rapid-review: due 2031-03-25 **OVERDUE**');
  expect(details).toContain('0 reminder emails sent so far.');

  const rule = RULES.laDecision as MessageRule<unknown>;
  applyMessage(rule, state, { notifiable: false, decidedBy: 'Officer Example', rationale: 'Fictional rationale.' }, new Date('2031-03-05T10:00:00Z'));
  details = currentDetails(state);
  expect(details).toContain('- **Stage** Closed');
  expect(details).toContain('- **Route** not notifiable');
  expect(details).not.toContain('Officer Example');
  expect(details).not.toContain('Fictional rationale');
});
