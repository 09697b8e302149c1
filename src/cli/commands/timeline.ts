/** `kscp timeline <ref> [--json]`: who recorded what and when, and every reminder sent, in time order. */
import { formatLondonDateTime } from '../../london';
import { timelineOf, type TimelineEntry } from '../../process/timeline';
import { parseRef } from '../context';
import { attentionDetails, type NeedsAttention } from '../caseHealth';
import { printableJson, printableLines } from '../format';
import { findCase } from '../loadCase';
import { unreadLive, where } from './status';

export interface TimelineJson {
  ref: string;
  workflowId: string;
  workflowStatus: string;
  /** Where the case was read: its workflow, or the case archive once Temporal no longer has it. */
  source: 'temporal' | 'archive';
  stage: string;
  entries: TimelineEntry[];
  /** What needs attention, with the fix and the commands; empty when all is well. */
  needsAttention: NeedsAttention[];
  /** The live case could not be read: these entries are from its last record in the case archive. */
  liveUnreadable: boolean;
}

function line(e: TimelineEntry): string {
  const when = formatLondonDateTime(new Date(e.at));
  if (e.kind === 'reminder') return `${when}  email: ${e.what}`;
  return `${when}  ${e.what}${e.by ? ` (recorded by ${e.by})` : ''}`;
}

export async function timeline(ref: string, opts: { json?: boolean }): Promise<void> {
  const caseRef = parseRef(ref);
  const found = await findCase(caseRef);
  const { view, workflowId, workflowStatus, source, needsAttention, liveUnreadable } = found;
  const entries = timelineOf(view);
  if (opts.json) {
    const json: TimelineJson = { ref: caseRef, workflowId, workflowStatus, source, stage: view.stage, entries, needsAttention, liveUnreadable };
    process.stdout.write(printableJson(json) + '\n');
    return unreadLive(found);
  }
  const reminders = entries.filter((e) => e.kind === 'reminder').length;
  const out = [
    `Case ${caseRef}: stage ${view.stage} (${where(found, false)}); ${entries.length - reminders} step${entries.length - reminders === 1 ? '' : 's'} recorded, ${reminders} reminder email${reminders === 1 ? '' : 's'} sent. Times are London time.`,
    ...(needsAttention.length ? ['', 'NEEDS ATTENTION:', ...attentionDetails(needsAttention), ''] : ['']),
    ...entries.map(line),
  ];
  // For a terminal: everything recorded shown as written, nothing a terminal would obey.
  process.stdout.write(printableLines(out));
  unreadLive(found);
}
