/** `kscp notify [--file incident.json]`: record the eCase form (from the file, or asked in the terminal) and open the case. */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { readFile } from 'node:fs/promises';
import { caseDetails, caseSummary } from '../../process/caseBoard';
import { planDeadline } from '../../deadlines';
import { viewOf, WORKFLOW_TYPE, workflowIdFor, type IncidentInput } from '../../process/incident';
import { londonDate } from '../../london';
import { openCase } from '../../process/open';
import { afterRecording } from './record';
import { incidentFormSchema, type IncidentForm, type ValidationContext } from '../../process/schemas';
import { askForm } from '../intake';
import { createAsker } from '../prompt';
import { KscpNotifyingAgency, KscpStage } from '../../process/searchAttributes';
import type { incident } from '../../../workflows/incident';
import { calendar as loadCal, client, directory, referenceFormat, settings, today } from '../context';
import { badInput, CliError, EXIT } from '../errors';

export async function readForm(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw badInput(`--file ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badInput(`--file ${file}: not valid JSON (${(err as Error).message})`);
  }
}

/** The form from --file, or asked field by field when there is no --file. */
async function formFrom(opts: { file?: string }, ctx: ValidationContext): Promise<{ form: IncidentForm; source?: string }> {
  if (opts.file === undefined) {
    const asker = createAsker();
    try {
      return { form: await askForm(asker, ctx) };
    } finally {
      asker.close();
    }
  }
  return { form: await formFromFile(opts.file, ctx), source: opts.file };
}

async function formFromFile(file: string, ctx: ValidationContext): Promise<IncidentForm> {
  const raw = await readForm(file);
  const parsed = incidentFormSchema(ctx).safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const field = i.path.map(String).join('.') || '(the form)';
      const message = i.code === 'unrecognized_keys' ? `unknown field(s) ${i.keys.map((k) => JSON.stringify(k)).join(', ')}` : i.message;
      return `${file}: ${field}: ${message}`;
    });
    throw badInput(lines.join('\n'));
  }
  return parsed.data;
}

export async function notify(opts: { file?: string }): Promise<void> {
  const s = settings();
  const dir = await directory(s);
  const format = referenceFormat(s);
  const ctx: ValidationContext = { today: today(), now: new Date(), agencyIds: Object.keys(dir.agencies), londonDate, refPattern: { regex: format.regex, example: format.example } };
  const { form, source } = await formFrom(opts, ctx);
  // checkedAt: the workflow refuses a start long after these checks (a copy of an old start).
  const input: IncidentInput = { form, formReceivedAt: form.formReceivedAt ?? new Date().toISOString(), checkedAt: new Date().toISOString() };
  const c = await client(s);
  const workflowId = workflowIdFor(form.ref);
  try {
    await c.workflow.start<typeof incident>(WORKFLOW_TYPE, {
      workflowId,
      taskQueue: s.temporal.taskQueue,
      args: [input],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      // The case page's summary and details card in the Web UI (no personal data; encrypted like every payload).
      staticSummary: caseSummary(form),
      staticDetails: caseDetails(form),
      typedSearchAttributes: [
        { key: KscpStage, value: 'LA_DECISION' },
        { key: KscpNotifyingAgency, value: form.notifyingAgency },
      ],
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      throw new CliError(`${source ? `${source}: ` : ''}ref: case ${form.ref} already exists (workflow ${workflowId}); a reference is used for one case only`, EXIT.refused);
    }
    throw err;
  }
  // What the case now holds, computed here as the workflow computes it (the same pure code and calendar).
  const state = openCase(input, { now: new Date() });
  const cal = await loadCal(s);
  const now = new Date();
  for (const d of state.deadlines) {
    const plan = planDeadline({ clock: d.clock, progress: d, met: d.status === 'met' ? { on: d.metOn, at: d.metAt } : undefined }, now, cal, { websiteRetentionMonths: s.websiteRetentionMonths });
    Object.assign(d, { due: plan.due, dueAt: plan.dueAt }, d.status === 'met' ? { onTime: plan.onTime, workingDaysLate: plan.workingDaysLate, hoursLate: plan.hoursLate } : { overdue: plan.overdue, workingDaysLate: plan.workingDaysLate });
  }
  const out = [...afterRecording(form.ref, undefined, viewOf(state)), workflowId];
  process.stdout.write(out.join('\n') + '\n');
}
