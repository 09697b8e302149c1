/** `kscp timeline <ref> [--json]`: who recorded what and when, and every reminder sent, in time order. */
import { formatLondonDateTime } from '../../london';
import { timelineOf, type TimelineEntry } from '../../timeline';
import { caseView } from '../caseView';
import { client, parseRef, settings } from '../context';

export interface TimelineJson {
  ref: string;
  workflowId: string;
  workflowStatus: string;
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
  const c = await client(settings());
  const { view, workflowId, workflowStatus } = await caseView(c, caseRef);
  const entries = timelineOf(view);
  if (opts.json) {
    const json: TimelineJson = { ref: caseRef, workflowId, workflowStatus, stage: view.stage, entries };
    process.stdout.write(JSON.stringify(json, null, 2) + '\n');
    return;
  }
  const reminders = entries.filter((e) => e.kind === 'reminder').length;
  const out = [
    `Case ${caseRef}: stage ${view.stage} (workflow ${workflowId}, ${workflowStatus.toLowerCase()}); ${entries.length - reminders} step${entries.length - reminders === 1 ? '' : 's'} recorded, ${reminders} reminder email${reminders === 1 ? '' : 's'} sent. Times are London time.`,
    '',
    ...entries.map(line),
  ];
  process.stdout.write(out.join('\n') + '\n');
}
