/** `kscp la-decision <ref> ...`: record the LA's decision on notification. */
import { formatLongDate } from '../../london';
import { LaDecisionSchema, type LaDecision } from '../../process/schemas';
import { parseRef, settings, today } from '../context';
import { badInput } from '../errors';
import { printableLines } from '../format';
import { sendMessage } from './record';
import { askLaDecision } from '../intake';
import { createAsker } from '../prompt';

/** Field names in messages, as the flags a person typed. */
export const FLAG_FOR: Record<string, string> = {
  notifiable: '--notifiable',
  panelNotifiedOn: '--panel-notified',
  decidedBy: '--by',
  rationale: '--rationale',
};
const LA_DECISION_FLAGS = Object.entries(FLAG_FOR).map(([field, flag]) => ({ field, flag, kind: 'text' as const, description: '' }));

export interface LaDecisionOptions {
  notifiable: string;
  panelNotified?: string;
  by: string;
  rationale?: string;
}

/**
 * With --notifiable, the options are the whole decision (a missing --by is refused). Without it,
 * the missing answers are asked in the terminal, then confirmed.
 */
async function optionsFrom(ref: string, opts: Partial<LaDecisionOptions>): Promise<LaDecisionOptions> {
  if (opts.notifiable !== undefined) {
    if (opts.by === undefined) throw badInput("required option '--by <name>' not specified");
    return { ...opts, notifiable: opts.notifiable, by: opts.by };
  }
  const asker = createAsker();
  try {
    return await askLaDecision(asker, ref, opts, today());
  } finally {
    asker.close();
  }
}

export function decisionFrom(opts: LaDecisionOptions, now: Date, londonToday: string): LaDecision {
  const answer = opts.notifiable.toLowerCase();
  if (answer !== 'yes' && answer !== 'no') throw badInput(`--notifiable: must be yes or no, not ${JSON.stringify(opts.notifiable)}`);
  const parsed = LaDecisionSchema.safeParse({
    notifiable: answer === 'yes',
    panelNotifiedOn: opts.panelNotified,
    decidedBy: opts.by,
    rationale: opts.rationale,
    recordedAt: now.toISOString(),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = String(issue.path[0] ?? '');
    throw badInput(`${FLAG_FOR[field] ?? field}: ${issue.message}`);
  }
  if (parsed.data.panelNotifiedOn && parsed.data.panelNotifiedOn > londonToday)
    throw badInput(`--panel-notified: ${parsed.data.panelNotifiedOn} is in the future (today is ${londonToday})`);
  return parsed.data;
}

export async function laDecision(ref: string, given: Partial<LaDecisionOptions>): Promise<void> {
  const caseRef = parseRef(ref);
  settings();
  const opts = await optionsFrom(caseRef, given);
  const decision = decisionFrom(opts, new Date(), today());
  const view = await sendMessage(caseRef, 'laDecision', decision, LA_DECISION_FLAGS);
  const panel = view.deadlines.find((d) => d.name === 'panel-notification');
  const review = view.deadlines.find((d) => d.name === 'rapid-review');
  const lines = decision.notifiable
    ? [
        `Recorded for ${caseRef}: notifiable; National Panel notified on ${formatLongDate(decision.panelNotifiedOn!)}` +
          (panel?.due ? ` (${panel.onTime ? 'on time' : 'LATE'}: due by ${formatLongDate(panel.due)})` : ''),
        `Stage: ${view.stage}.` + (review?.due ? ` Rapid Review to the Panel due by the end of ${formatLongDate(review.due)}.` : ''),
      ]
    : [`Recorded for ${caseRef}: not notifiable. The case is closed; the rationale is kept in its record.`];
  process.stdout.write(printableLines(lines));
}
