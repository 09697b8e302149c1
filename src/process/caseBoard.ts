/**
 * How a case reads on the Temporal Web UI's case board: the one-line summary and the details card
 * set when the case starts, and the current details the workflow keeps up to date at every change.
 *
 * No personal data: the case reference, criteria, agency ids, stages, dates and flags only (the
 * free-text summary, names and rationales stay in the encrypted case record). These texts are
 * payloads too, so they are encrypted on their way to Temporal and read in clear only through the
 * codec server. No Node imports: workflow code uses this.
 */
import { CRITERION_TITLES, type Criterion } from './criteria';
import type { IncidentState } from './incident';
import { ROUTE_TITLES, STAGE_TITLES } from './stages';
import type { IncidentForm } from './inputs';
import { lateWords, overdueWords, WORDS } from './stateWords';

export { STAGE_TITLES, ROUTE_TITLES } from './stages';

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

/** "on time", "LATE by 3 working days" (the eCase form: "LATE by 5 hours"), or nothing while the verdict is being computed. */
export function verdict(d: { onTime?: boolean; workingDaysLate?: number; hoursLate?: number; clock?: { timescale: string } }): string {
  if (d.onTime === true) return 'on time';
  if (d.onTime === false) return lateWords({ ...d, clock: d.clock ?? { timescale: '' } });
  return '';
}

/** The Web UI's current details: where the case is now, what needs attention and what is due next (Markdown). */
export function currentDetails(state: IncidentState): string {
  const open = state.deadlines
    .filter((d) => d.status === 'open' && d.due !== undefined)
    .sort((a, b) => (a.dueAt ?? '').localeCompare(b.dueAt ?? '') || a.name.localeCompare(b.name));
  const lines = [`- **Stage** ${STAGE_TITLES[state.stage]}`];
  if (state.route) lines.push(`- **Route** ${ROUTE_TITLES[state.route]}`);
  if (state.closedBecause) lines.push(`- **Closed** ${state.closedBecause}`);
  const attention = state.attention ?? [];
  if (attention.length) {
    lines.push('', `**${WORDS.needsAttention.toUpperCase()}**`, '');
    for (const a of attention) lines.push(`- ${a.problem}. Fix: ${a.fix}`);
  }
  if (open.length) {
    lines.push('', '**Open deadlines**', '');
    for (const d of open) {
      const revised = d.revisedTarget ? ` (deferred: revised target ${d.revisedTarget})` : '';
      lines.push(`- ${d.name}: due ${d.due}${revised}${d.overdue ? ` **${overdueWords(d.workingDaysLate)}**` : ''}`);
    }
  }
  const met = state.deadlines.filter((d) => d.status === 'met');
  if (met.length) {
    lines.push('', '**Met**', '');
    for (const d of met) {
      const v = verdict(d);
      lines.push(`- ${d.name}: ${metWhen(d.metOn, d.metAt)}${v ? ` (${v})` : ''}`);
    }
  }
  lines.push('', `${state.reminders.length} reminder email${state.reminders.length === 1 ? '' : 's'} sent so far.`);
  return lines.join('\n');
}
