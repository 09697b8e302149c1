/** `kscp timeline <ref> [--json]`: who recorded what and when, and every reminder sent, in time order. */
import { formatLondonDateTime } from '../../london';
import { timelineOf, type TimelineEntry } from '../../process/timeline';
import { parseRef } from '../context';
import { printableDeep, printableJson } from '../format';
import { findCase } from '../loadCase';

export interface TimelineJson {
  ref: string;
  workflowId: string;
  workflowStatus: string;
  /** Where the case was read: its workflow, or the case archive once Temporal no longer has it. */
  source: 'temporal' | 'archive';
  stage: string;
  entries: TimelineEntry[];
}

function line(e: TimelineEntry): string {
  const when = formatLondonDateTime(new Date(e.at));
  if (e.kind === 'reminder') return `${when}  email: ${e.what}`;
  return `${when}  ${e.what}${e.by ? ` (recorded by ${e.by})` : ''}`;
}

export async function timeline(ref: string, opts: { json?: boolean }): Promise<void> {
  const caseRef = parseRef(ref);
  const { view, workflowId, workflowStatus, source } = await findCase(caseRef);
  const entries = timelineOf(view);
  if (opts.json) {
    const json: TimelineJson = { ref: caseRef, workflowId, workflowStatus, source, stage: view.stage, entries };
    process.stdout.write(printableJson(json) + '\n');
    return;
  }
  const reminders = entries.filter((e) => e.kind === 'reminder').length;
  // For a terminal: everything recorded shown as written, nothing a terminal would obey.
  const shown = printableDeep({ stage: view.stage, workflowId, workflowStatus, entries });
  const out = [
    `Case ${caseRef}: stage ${shown.stage} (${source === 'archive' ? `from the archive: workflow ${shown.workflowId} is no longer in Temporal` : `workflow ${shown.workflowId}, ${shown.workflowStatus.toLowerCase()}`}); ${entries.length - reminders} step${entries.length - reminders === 1 ? '' : 's'} recorded, ${reminders} reminder email${reminders === 1 ? '' : 's'} sent. Times are London time.`,
    '',
    ...shown.entries.map(line),
  ];
  process.stdout.write(out.join('\n') + '\n');
}
