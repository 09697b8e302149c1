/**
 * Case data with control characters, shown by the real `kscp` on a real pseudo-terminal (util-linux
 * `script`): a name recorded with escape sequences, a carriage return, a forged line, a backspace, a
 * C1 CSI and a right-to-left override is shown escaped (`\u001b[2J`), never obeyed, by every command
 * that prints case data: status and timeline (from Temporal and from the case archive), list,
 * deadlines and report.
 *
 * The inputs' schemas refuse control characters now, so the text gets in the ways that remain: a
 * refused signal whose refusal quotes the value it refused, a workflow started with a crafted id
 * (refused as a start, but listed under that id), and a record written straight into the case
 * archive (a case recorded before the schemas refused them).
 */
import { Client, Connection, WorkflowIdReusePolicy } from '@temporalio/client';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sealerFor, sqliteArchive } from '../../src/archive';
import { dataConverter, loadKeys } from '../../src/codec';
import { addDays } from '../../src/process/dates';
import { WORKFLOW_TYPE, workflowIdFor, type IncidentView } from '../../src/process/incident';
import { signals, stateQuery } from '../../src/process/messages';
import { londonDate } from '../../src/london';
import { fictionalForm, nextRef, REPO_ROOT, TEST_KEYS } from '../helpers/fixtures';
import { kscp } from '../helpers/processes';
import { startStack, type Stack } from '../helpers/stack';

const NAMESPACE = 'kscp-ctl';
const tmp = mkdtempSync(path.join(os.tmpdir(), 'kscp-ctl-'));
/** Clears the screen, moves home, returns to the line start, forges a line, and hides a character. */
const FORGED = 'A. Officer\u001b[2J\u001b[H\r\nCase closed: nothing is due.\u0008\u009b31m\u202eevil';
const SHOWN = 'A. Officer\\u001b[2J\\u001b[H\\r\\nCase closed: nothing is due.\\u0008\\u009b31m\\u202eevil';
/** What a terminal acts on: everything but the line endings the terminal itself writes (\r\n). */
// eslint-disable-next-line no-control-regex
const OBEYED = /[\u0000-\u0009\u000b-\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]|\r(?!\n)/;

const today = londonDate(new Date());
const ref = nextRef(2026);
const archivedRef = nextRef(2026);
const craftedId = `incident-${nextRef(2026)}\u001b]0;pwned\u0007`;
const craftedShown = craftedId.replace('incident-', '').replace('\u001b', '\\u001b').replace('\u0007', '\\u0007');
let stack: Stack;
let env: NodeJS.ProcessEnv;
let client: Client;

/** `kscp ...args` on a pseudo-terminal, as a person at a terminal runs it: what the terminal receives. */
function inTerminal(args: string[]): Promise<{ code: number | null; output: string }> {
  const command = [process.execPath, path.join(REPO_ROOT, 'bin', 'kscp.js'), ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], { env: { ...process.env, ...env, NO_COLOR: '1' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr.on('data', (b: Buffer) => (output += b.toString()));
    child.on('error', reject);
    const timer = setTimeout(() => child.kill(), 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
    child.stdin.end();
  });
}

/** The first character a terminal would act on, with where it is, or undefined when there is none. */
function firstObeyed(output: string): string | undefined {
  const m = OBEYED.exec(output);
  return m ? `${JSON.stringify(m[0])} at ${m.index}: ${JSON.stringify(output.slice(Math.max(0, m.index - 40), m.index + 40))}` : undefined;
}

beforeAll(async () => {
  stack = await startStack({ namespace: NAMESPACE, dataDir: tmp });
  env = stack.env;
  client = new Client({ connection: await Connection.connect({ address: stack.server.address }), namespace: NAMESPACE, dataConverter: dataConverter(loadKeys('', { KSCP_ENCRYPTION_KEYS: TEST_KEYS })) });
  const form = fictionalForm({ ref, incidentDate: addDays(today, -1), knownAt: new Date(Date.now() - 3_600_000).toISOString(), laAwareOn: today });
  writeFileSync(path.join(tmp, 'form.json'), JSON.stringify(form));
  expect(await kscp(['notify', '--file', path.join(tmp, 'form.json')], env)).toMatchObject({ code: 0 });
  // A withdrawal sent as a signal with the raw client: refused, and its refusal quotes the reason it was given.
  const handle = client.workflow.getHandle(workflowIdFor(ref));
  const before = (await handle.query(stateQuery)).events.length;
  await handle.signal(signals.withdraw, { reason: FORGED as never, detail: 'Fictional.', by: 'Test Officer' });
  for (let i = 0; i < 100 && (await handle.query(stateQuery)).events.length === before; i++) await new Promise((r) => setTimeout(r, 100));
  // A case whose workflow id itself carries an escape sequence that would retitle the terminal.
  const other = fictionalForm({ ref: nextRef(2026), incidentDate: addDays(today, -1), knownAt: new Date(Date.now() - 3_600_000).toISOString(), laAwareOn: today });
  await client.workflow.start(WORKFLOW_TYPE, {
    workflowId: craftedId,
    taskQueue: 'kscp-incidents',
    args: [{ form: other, formReceivedAt: new Date().toISOString() }],
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
  });
  // A closed case in the archive only, its record written with the keys: names, criteria, events.
  const view = await handle.query(stateQuery);
  const archived: IncidentView = JSON.parse(JSON.stringify(view).replaceAll(ref, archivedRef)) as IncidentView;
  archived.events = [...archived.events, { at: new Date().toISOString(), what: 'LA decided the incident is notifiable', by: FORGED }];
  archived.criteria = [...archived.criteria, 'serious-harm\u001b[8m'] as IncidentView['criteria'];
  const archive = sqliteArchive(path.join(tmp, 'archive.db'), sealerFor(loadKeys('', { KSCP_ENCRYPTION_KEYS: TEST_KEYS })));
  await archive.save({ workflowId: workflowIdFor(archivedRef), firstRunId: 'fictional-run', recordedAt: new Date().toISOString(), view: archived });
  await archive.close();
}, 120_000);

afterAll(async () => {
  await client?.connection.close();
  await stack?.stop();
});

it('status and timeline show a recorded name escaped (from the archive), and a refusal quoting a forged value escaped (from Temporal)', async () => {
  for (const command of ['status', 'timeline']) {
    const archived = await inTerminal([command, archivedRef]);
    expect(archived.code).toBe(0);
    expect(archived.output).toContain(`(recorded by ${SHOWN})`);
    expect(firstObeyed(archived.output)).toBeUndefined();
    const live = await inTerminal([command, ref]);
    expect(live.code).toBe(0);
    expect(live.output).toContain('\\u009b31m\\u202eevil');
    expect(firstObeyed(live.output)).toBeUndefined();
  }
});

it('list shows a crafted workflow id escaped', async () => {
  const run = await inTerminal(['list', '--all']);
  expect(run.code).toBe(0);
  expect(run.output).toContain(craftedShown);
  expect(run.output).toContain(ref);
  expect(firstObeyed(run.output)).toBeUndefined();
});

it('deadlines and the report print nothing a terminal would obey (it counts the archived case: its criterion is not one it lists)', async () => {
  const deadlines = await inTerminal(['deadlines']);
  expect(deadlines.code).toBe(0);
  expect(deadlines.output).toContain(ref);
  expect(firstObeyed(deadlines.output)).toBeUndefined();
  for (const format of [[], ['--csv'], ['--json']]) {
    const report = await inTerminal(['report', '--from', addDays(today, -1), '--to', today, ...format]);
    expect(report.code).toBe(0);
    expect(report.output).toMatch(/serious-harm/);
    expect(firstObeyed(report.output)).toBeUndefined();
  }
});

it('--json keeps the recorded text exactly, with every control character escaped as JSON allows', async () => {
  const run = await kscp(['status', archivedRef, '--json'], env);
  expect(run.code).toBe(0);
  expect(run.stdout).toContain('A. Officer\\u001b[2J\\u001b[H\\r\\nCase closed: nothing is due.\\b\\u009b31m\\u202eevil');
  expect(firstObeyed(run.stdout.replace(/\n/g, ''))).toBeUndefined();
  const parsed = JSON.parse(run.stdout) as { events: Array<{ by?: string }> };
  expect(parsed.events.map((e) => e.by)).toContain(FORGED);
  for (const command of [['timeline', ref, '--json'], ['list', '--all', '--json'], ['deadlines', '--json']]) {
    const out = await kscp(command, env);
    expect(out.code).toBe(0);
    expect(firstObeyed(out.stdout.replace(/\n/g, ''))).toBeUndefined();
  }
});
