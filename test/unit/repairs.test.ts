/** What kscp doctor tells an operator to do about each kind of problem: the fix and the exact commands. */
import { execFileSync } from 'node:child_process';
import { attentionSection, mapLimit } from '../../src/cli/caseHealth';
import { activityRepair, attentionItemRepair, commandLine, noWorkerRepair, resetCommand, shellQuote, taskFailureRepair, type RepairContext } from '../../src/cli/repairs';
import { loadSettings } from '../../src/config';
import type { Directory } from '../../src/directory';
import { viewOf, type AttentionItem } from '../../src/process/incident';
import { openCase } from '../../src/process/open';
import { fictionalForm } from '../helpers/fixtures';

const settings = loadSettings({ TEMPORAL_ADDRESS: 'temporal.example.org:7233', TEMPORAL_NAMESPACE: 'kscp', KSCP_DIRECTORY_FILE: '/etc/kscp/directory.json' });
const directory = { from: 'x', roles: {}, agencies: { police: {} } } as unknown as Directory;
const ctx: RepairContext = { settings, temporalCli: () => 'temporal', directory, now: new Date('2031-03-10T12:00:00Z') };
const form = fictionalForm({ ref: 'KSCP-2031-010', incidentDate: '2031-03-03', knownAt: '2031-03-03T10:00:00Z', laAwareOn: '2031-03-04' });
const view = viewOf(openCase({ form, formReceivedAt: '2031-03-03T12:00:00Z' }, { now: new Date('2031-03-03T12:00:00Z') }));

const item = (over: Partial<AttentionItem>): AttentionItem => ({ id: 'x', kind: 'email-not-sent', since: '2031-03-10T11:00:00Z', problem: '', fix: '', retryAt: '2031-03-10T12:00:00Z', ...over });

it('quotes arguments so that a POSIX shell reads them back unchanged', () => {
  const args = ['plain-word', 'with space', "it's", '$(rm -rf /)', 'a"b', '--reason=x y'];
  expect(shellQuote('incident-KSCP-2031-010')).toBe('incident-KSCP-2031-010');
  const echoed = execFileSync('sh', ['-c', `printf '%s\\n' ${args.map(shellQuote).join(' ')}`], { encoding: 'utf8' });
  expect(echoed).toBe(args.join('\n') + '\n');
  expect(commandLine(['kscp', 'status', 'KSCP-2031-010'])).toBe('kscp status KSCP-2031-010');
});

it('repairs a non-determinism loop with the reset to the first workflow task, which re-applies every update and signal', () => {
  const r = taskFailureRepair(ctx, { ref: 'KSCP-2031-010', workflowId: 'incident-KSCP-2031-010', cause: 'NON_DETERMINISTIC_ERROR' });
  expect(r.commands).toEqual([
    "temporal workflow reset --workflow-id incident-KSCP-2031-010 --type FirstWorkflowTask --reason 'kscp doctor: re-run the case on the current workflow code, re-applying its recorded steps' --address temporal.example.org:7233 --namespace kscp",
    'kscp status KSCP-2031-010',
  ]);
  // No --reapply-exclude (and not the deprecated --reapply-type): the CLI's default re-applies signals and updates.
  expect(resetCommand(ctx, 'incident-KSCP-2031-010')).not.toMatch(/reapply/);
  expect(r.fix).toContain('put the right ones back: the task is retried by itself');
  expect(taskFailureRepair(ctx, { ref: 'KSCP-2031-010', workflowId: 'incident-KSCP-2031-010', cause: 'TIMED_OUT' }).commands).toEqual(['kscp status KSCP-2031-010']);
});

it('says what a repeatedly failing activity needs, by activity and failure type', () => {
  expect(activityRepair(ctx, { activity: 'planDeadlines', failureType: undefined }).fix).toContain('KSCP_CALENDAR_FILE');
  expect(activityRepair(ctx, { activity: 'planDeadlines', failureType: undefined }).commands).toEqual(['kscp calendar bank-holidays 2031']);
  expect(activityRepair(ctx, { activity: 'sendReminder', failureType: 'MailTemporarilyUnavailable' }).fix).toContain('SMTP_HOST, SMTP_PORT');
  expect(activityRepair(ctx, { activity: 'archiveCase', failureType: undefined }).fix).toContain('KSCP_ARCHIVE_URL');
  expect(activityRepair(ctx, { activity: 'sendReminder', failureType: 'EmailLedgerUnavailable' }).fix).toContain('KSCP_ARCHIVE_URL');
});

it('says how to start a worker that is not running, and how to check it polls', () => {
  expect(noWorkerRepair(ctx).commands).toEqual(['npm start', 'npm run worker', 'docker compose up -d worker', 'temporal task-queue describe --task-queue kscp-incidents --address temporal.example.org:7233 --namespace kscp']);
});

describe('an email that cannot go', () => {
  it('gives the directory entry to add for a missing agency, and the step to record if it has answered', () => {
    const withRequest = { ...view, deadlines: [...view.deadlines, { ...view.deadlines[1]!, name: 'info-request:education' as const, status: 'open' as const }] };
    const r = attentionItemRepair(ctx, withRequest, item({ deadline: 'info-request:education', problem: 'the info-request:education reminder of case KSCP-2031-010 could not be sent: no address for agency:education:contact: agency "education" is not in the directory /etc/kscp/directory.json (KSCP_DIRECTORY_FILE): add it, or correct the case with kscp amend' }));
    expect(r.directoryEntry).toBe('"education": { "name": "…", "contact": { "name": "…", "email": "…" }, "safeguardingLead": { "name": "…", "email": "…" } }');
    expect(r.fix).toMatch(/^Add agency "education" to the directory \/etc\/kscp\/directory.json \(KSCP_DIRECTORY_FILE\), under "agencies"/);
    expect(r.fix).toContain('The case tries the email again by Mon 10 Mar 2031, 12:00 GMT (every hour), and at once whenever a step is recorded for it');
    expect(r.commands).toEqual(['kscp info-received KSCP-2031-010 --agency education --received YYYY-MM-DD --by Name']);
  });

  it('says the directory has the agency again when it does (the worker will find it at its next try)', () => {
    const r = attentionItemRepair(ctx, view, item({ problem: 'no address for agency:police:contact: agency "police" is not in the directory x (KSCP_DIRECTORY_FILE)' }));
    expect(r.fix).toMatch(/^The directory kscp reads \(\/etc\/kscp\/directory.json\) has agency "police" now/);
    expect(r.directoryEntry).toBeUndefined();
  });

  it('gives the entry for a missing role, and where refused addresses sit in the file', () => {
    expect(attentionItemRepair(ctx, view, item({ problem: 'no address for la-lead: role "la-lead" has no address in the directory x' })).directoryEntry).toBe('"la-lead": { "name": "…", "email": "…" }');
    const every = attentionItemRepair(ctx, view, item({ problem: 'could not be sent: the mail server refused every recipient: la@x.example.org (la-lead): 550 no such user: correct the addresses' }));
    expect(every.fix).toContain('Correct la@x.example.org (la-lead: roles["la-lead"].email) in the directory /etc/kscp/directory.json');
    const some = attentionItemRepair(ctx, view, item({ kind: 'recipients-refused', deadline: 'panel-notification', problem: 'the mail server refused agency:police:contact <p@x.example.org> (550 no) for the panel-notification reminder' }));
    expect(some.fix).toContain('Correct p@x.example.org (agency:police:contact: agencies["police"].contact.email)');
  });

  it('names the field to amend for a deadline that cannot be computed', () => {
    const r = attentionItemRepair(ctx, view, item({ kind: 'deadline-not-computed', deadline: 'panel-notification', problem: 'the panel-notification deadline cannot be computed' }));
    expect(r.commands).toEqual(["kscp amend KSCP-2031-010 --field laAwareOn --value YYYY-MM-DD --reason 'Reason for the correction' --by Name"]);
  });
});

it('lists what needs attention under a table, one line per problem, nothing when all is well', () => {
  expect(attentionSection([])).toBe('');
  const text = attentionSection([{ kind: 'flagged', ref: 'KSCP-2031-010', workflowId: 'incident-KSCP-2031-010', since: null, problem: 'it flags\u001b[31m attention', fix: '', commands: [] }]);
  expect(text).toBe('\nNEEDS ATTENTION: 1 case (kscp doctor says how to repair each):\n  KSCP-2031-010  it flags\\u001b[31m attention\n');
});

it('maps with a limit, keeping the order', async () => {
  let running = 0;
  let most = 0;
  const out = await mapLimit([5, 1, 4, 2, 3], 2, async (n) => {
    most = Math.max(most, ++running);
    await new Promise((r) => setTimeout(r, n * 5));
    running--;
    return n * 10;
  });
  expect(out).toEqual([50, 10, 40, 20, 30]);
  expect(most).toBe(2);
});
