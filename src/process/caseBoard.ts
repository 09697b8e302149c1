/**
 * How a case reads on the Temporal Web UI's case board: the one-line summary and the details card
 * set when the case starts, and the current details the workflow keeps up to date at every change.
 *
 * No personal data: the case reference, criteria, agency ids, stages, dates and flags only (the
 * free-text summary, names and rationales stay in the encrypted case record). These texts are
 * payloads too, so they are encrypted on their way to Temporal and read in clear only through the
 * codec server. No Node imports: workflow code uses this.
 */
import type { Criterion } from './criteria';
import type { IncidentState, Route, Stage } from './incident';
import type { IncidentForm } from './schemas';

export const STAGE_TITLES: Record<Stage, string> = {
  NOTIFIED: 'Notified',
  LA_DECISION: 'Waiting for the LA decision on notification',
  RAPID_REVIEW: 'Rapid Review',
  PANEL_RESPONSE: "Waiting for the National Panel's response",
  LCSPR: 'Local child safeguarding practice review (LCSPR)',
  NATIONAL_REVIEW: 'National review',
  SIGN_OFF: 'Sign-off and publication',
  PUBLISHED: 'Published (on the website)',
  LEARNING: 'Learning',
  CLOSED: 'Closed',
};

export const ROUTE_TITLES: Record<Route, string> = {
  'not-notifiable': 'not notifiable',
  lcspr: 'local review (LCSPR)',
  'national-review': 'national review',
  'no-further-review': 'no further review',
  withdrawn: 'withdrawn',
};

const CRITERION_TITLES: Record<Criterion, string> = {
  'died-abuse-neglect': 'child died, abuse or neglect known or suspected',
  'serious-harm': 'child seriously harmed, abuse or neglect known or suspected',
  'looked-after-death': 'death of a looked after child',
  'regulated-setting-death': 'death in a regulated setting',
};

function criterionTitle(c: Criterion): string {
  return CRITERION_TITLES[c] ?? c;
}

/** The Web UI's one-line summary of a case: reference, criteria and who notified. */
export function caseSummary(form: Pick<IncidentForm, 'ref' | 'criteria' | 'notifyingAgency'>): string {
  return `Serious incident ${form.ref}: ${form.criteria.map(criterionTitle).join('; ')} (notified by ${form.notifyingAgency})`;
}

/** The Web UI's details card, set when the case starts (Markdown). */
export function caseDetails(form: IncidentForm): string {
  return [
    `- **Case** ${form.ref}`,
    `- **Criteria** ${form.criteria.map(criterionTitle).join('; ')}`,
    `- **Notifying agency** ${form.notifyingAgency}`,
    `- **Agencies involved** ${form.agenciesInvolved.join(', ')}`,
    `- **Incident date** ${form.incidentDate}`,
    `- **LA aware on (day 0)** ${form.laAwareOn}`,
    `- **Child died** ${form.childDied ? 'yes (CDOP procedures apply)' : 'no'}`,
    `- **Police investigation** ${form.policeInvestigation ? 'yes (confidentiality restrictions may apply)' : 'no'}`,
    '',
    `Use \`kscp status ${form.ref}\` or the \`state\` and \`timeline\` queries for the full record.`,
  ].join('\n');
}

/** When a deadline was met, as a person reads it: the date, or for clock-hour deadlines the UTC time. */
function metWhen(metOn: string | undefined, metAt: string | undefined): string {
  if (metAt) return `${metAt.slice(0, 16).replace('T', ' ')} UTC`;
  return metOn ?? '';
}

/** The Web UI's current details: where the case is now and what is due next (Markdown). */
export function currentDetails(state: IncidentState): string {
  const open = state.deadlines
    .filter((d) => d.status === 'open' && d.due !== undefined)
    .sort((a, b) => (a.dueAt ?? '').localeCompare(b.dueAt ?? '') || a.name.localeCompare(b.name));
  const facts = [`- **Stage** ${STAGE_TITLES[state.stage]}`];
  if (state.route) facts.push(`- **Route** ${ROUTE_TITLES[state.route]}`);
  if (state.closedBecause) facts.push(`- **Closed** ${state.closedBecause}`);
  const lines = [...facts];
  if (open.length) {
    lines.push('', '**Open deadlines**', '');
    for (const d of open) lines.push(`- ${d.name}: due ${d.due}${d.overdue ? ' **OVERDUE**' : ''}`);
  }
  const met = state.deadlines.filter((d) => d.status === 'met');
  if (met.length) {
    lines.push('', '**Met**', '');
    for (const d of met) lines.push(`- ${d.name}: ${metWhen(d.metOn, d.metAt)}${d.onTime === false ? ' (late)' : d.onTime ? ' (on time)' : ''}`);
  }
  lines.push('', `${state.reminders.length} reminder email${state.reminders.length === 1 ? '' : 's'} sent so far.`);
  return lines.join('\n');
}
