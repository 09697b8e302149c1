/**
 * Opening a case from its eCase form, and refusing a start that did not come through `kscp
 * notify`'s checks (a start typed in the Web UI, a copy of an old start, a payload the worker
 * could not read).
 */
import { careLeaverOnly } from './criteria';
import { newDeadline, type StepContext } from './engine';
import { workflowIdFor, type IncidentInput, type IncidentState } from './incident';
import { refusedPayloadReason } from './payloads';
import { formConsistency, IncidentFormInput, isInstant, problemLine } from './inputs';

/** How long after `kscp notify` checked a form its workflow may start: longer is a copy of an old start. */
export const START_WINDOW_MS = 10 * 60_000;

/**
 * Why this start cannot open a case, or undefined. `rules` 2: a case started before these checks
 * existed replays without the freshness check.
 */
export function startRefusal(input: unknown, workflowId: string, startedAt: Date, rules: StepContext['rules']): string | undefined {
  const marker = refusedPayloadReason(input);
  if (marker) return marker;
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return 'the input is not an eCase form ({form, formReceivedAt}): start cases with kscp notify';
  const { form, formReceivedAt, checkedAt } = input as Record<string, unknown>;
  const parsed = IncidentFormInput(form);
  if (!parsed.ok) return `the eCase form is not valid (${problemLine(parsed, 'form.')})`;
  const inconsistent = formConsistency(parsed.value)[0];
  if (inconsistent) return `the eCase form is not valid (form.${inconsistent.path}: ${inconsistent.message})`;
  if (workflowId !== workflowIdFor(parsed.value.ref)) return `the workflow id ${workflowId} does not match the form's reference (${workflowIdFor(parsed.value.ref)})`;
  if (typeof formReceivedAt !== 'string' || !isInstant(formReceivedAt)) return 'formReceivedAt is not a date and time with an offset';
  if (rules === 2) return undefined;
  if (typeof checkedAt !== 'string' || !isInstant(checkedAt)) return 'the start did not come through kscp notify (no record of its checks): start cases with kscp notify';
  const lag = startedAt.getTime() - Date.parse(checkedAt);
  if (Math.abs(lag) > START_WINDOW_MS)
    return `the form was checked by kscp notify at ${checkedAt}, ${Math.round(Math.abs(lag) / 60_000)} minutes from this start: a copy of an earlier start (e.g. "Start Workflow Like This One") is not a new case`;
  return undefined;
}

/** The case as it stands the moment the eCase form is recorded: waiting for the LA's decision. */
export function openCase(input: IncidentInput, ctx: Pick<StepContext, 'now'>): IncidentState {
  // Checked by startRefusal for new cases; a history recorded before a rule tightened replays as it was.
  const parsed = IncidentFormInput(input.form);
  const form = parsed.ok ? parsed.value : input.form;
  const now = ctx.now.toISOString();
  const careLeaver = form.criteria.includes('care-leaver-death');
  const onlyCareLeaver = careLeaverOnly(form.criteria);
  const deadlines = [
    newDeadline('ecase-form', form.knownAt, { status: 'met', metAt: new Date(input.formReceivedAt).toISOString() }),
    ...(onlyCareLeaver
      ? []
      : [
          newDeadline('panel-notification', form.laAwareOn, { remindersFrom: now }),
          // Shown from the start (the 15 days run from day 0); chased once the LA has decided.
          newDeadline('rapid-review', form.laAwareOn),
        ]),
    ...(careLeaver ? [newDeadline('care-leaver-notification', form.laAwareOn, { remindersFrom: now })] : []),
  ];
  const waitingFor = onlyCareLeaver
    ? "waiting for the LA to notify the Secretary of State and Ofsted of the care leaver's death"
    : `waiting for the LA's decision on notification${careLeaver ? " (and its notification of the care leaver's death to the Secretary of State and Ofsted)" : ''}`;
  return {
    ref: form.ref,
    stage: 'LA_DECISION',
    criteria: [...form.criteria],
    notifyingAgency: form.notifyingAgency,
    agenciesInvolved: [...form.agenciesInvolved],
    childDied: form.childDied,
    policeInvestigation: form.policeInvestigation,
    incidentDate: form.incidentDate,
    laAwareOn: form.laAwareOn,
    deadlines,
    deferrals: [],
    amendments: [],
    events: [{ at: now, what: `eCase form recorded (notifying agency: ${form.notifyingAgency}; criteria: ${form.criteria.join(', ')}); ${waitingFor}` }],
    reminders: [],
    attention: [],
    revision: 0,
  };
}

/** A case that was never opened: the start was refused, and the record says why. */
export function refusedCase(workflowId: string, reason: string, now: Date): IncidentState {
  const ref = workflowId.replace(/^incident-/, '').replace(/[^A-Z0-9-]/gi, '?').slice(0, 40) || '?';
  return {
    ref,
    stage: 'CLOSED',
    closedBecause: `start refused: ${reason}`,
    criteria: [],
    notifyingAgency: '',
    agenciesInvolved: [],
    childDied: false,
    policeInvestigation: false,
    incidentDate: '',
    laAwareOn: '',
    deadlines: [],
    deferrals: [],
    amendments: [],
    events: [{ at: now.toISOString(), what: `Refused a start: ${reason}. No case was opened.`, refused: { message: 'start', via: 'start', reason } }],
    reminders: [],
    attention: [],
    revision: 0,
  };
}
