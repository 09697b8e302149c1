/**
 * A case never silently stops (DESIGN.md §7), tried with clients the project did not write: the Go
 * `temporal` CLI (no keys: what it sends is not encrypted) and raw gRPC calls with hand-made
 * payloads, plus a client holding the keys that sends what kscp never would. Each bad input goes
 * to its own case waiting for the LA decision; then, for every one, the real `kscp la-decision`
 * must succeed and the Rapid Review's notice must reach the real SMTP server: the case carries on.
 * Signals and unknown messages are refused and recorded on the case's timeline (what, how, why;
 * never the payload); an update refused by its validator is answered with the reason.
 */
import { Client, Connection, WorkflowUpdateFailedError } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dataConverter, EncryptionCodec, loadKeys } from '../../src/codec';
import { londonDate } from '../../src/london';
import { addDays } from '../../src/process/dates';
import { workflowIdFor, type IncidentView } from '../../src/process/incident';
import { stateQuery, timelineQuery } from '../../src/process/messages';
import type { incident } from '../../workflows';
import { fictionalForm, nextRef, TEST_KEYS } from '../helpers/fixtures';
import { kscp } from '../helpers/processes';
import { startStack, type Stack } from '../helpers/stack';
import { temporalCliPath } from '../helpers/toolchain';

const NAMESPACE = 'kscp-hostile';
const tmp = mkdtempSync(path.join(os.tmpdir(), 'kscp-hostile-'));
const today = londonDate(new Date());
const by = 'Test Officer';
let stack: Stack;
let client: Client;
const codec = new EncryptionCodec(loadKeys('', { KSCP_ENCRYPTION_KEYS: TEST_KEYS }));
/** A key the partnership does not have: what a stranger with their own key would send. */
const strangerCodec = new EncryptionCodec({ current: 'stranger', keys: { stranger: Buffer.alloc(32, 9) } });

beforeAll(async () => {
  stack = await startStack({ namespace: NAMESPACE, dataDir: tmp });
  client = new Client({ connection: await Connection.connect({ address: stack.server.address }), namespace: NAMESPACE, dataConverter: dataConverter(loadKeys('', { KSCP_ENCRYPTION_KEYS: TEST_KEYS })) });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

const json = (value: unknown): Payload => defaultPayloadConverter.toPayload(value);
const sealed = async (value: unknown): Promise<Payload> => (await codec.encode([json(value)]))[0]!;
const bytes = (s: string) => new TextEncoder().encode(s);

/** The Go CLI, as an operator without the keys would run it. */
function goCli(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(temporalCliPath(), [...args, '--address', stack.server.address, '--namespace', NAMESPACE], { timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: stdout + stderr });
    });
  });
}

/** A raw gRPC signal with the payloads exactly as given (no data converter). */
async function rawSignal(workflowId: string, signalName: string, payloads: Payload[]): Promise<void> {
  await client.workflowService.signalWorkflowExecution({
    namespace: NAMESPACE,
    workflowExecution: { workflowId },
    signalName,
    input: { payloads },
    identity: 'hostile-test',
  });
}

async function openCase(): Promise<string> {
  const ref = nextRef(2026);
  const form = fictionalForm({ ref, incidentDate: addDays(today, -1), knownAt: new Date(Date.now() - 3_600_000).toISOString(), laAwareOn: today });
  await client.workflow.start<typeof incident>('incident', {
    workflowId: workflowIdFor(ref),
    taskQueue: 'kscp-incidents',
    args: [{ form, formReceivedAt: new Date().toISOString(), checkedAt: new Date().toISOString() }],
  });
  return ref;
}

/** Once a case's first plan is done (every deadline has its dates), only a bad input could change it. */
async function planned(ref: string): Promise<void> {
  const handle = client.workflow.getHandle(workflowIdFor(ref));
  await eventually(() => handle.query(stateQuery), (s) => s.deadlines.every((d) => d.due !== undefined));
}

type Expect = { recorded: RegExp } | { answered: RegExp };
/** [what, how it is sent, what should happen] */
type Hostile = [string, (workflowId: string) => Promise<unknown>, Expect];

const garbage = { metadata: { encoding: bytes('binary/encrypted'), 'encryption-key-id': bytes('test-key') }, data: bytes('not ciphertext at all') };
const validDecision = { notifiable: true, panelNotifiedOn: today, ofsted: 'not-required', decidedBy: by };
const withdrawal = { reason: 'recorded-in-error', detail: 'Fictional.', by };
const signalAs = (name: string, input: unknown) => (id: string) => client.workflow.getHandle(id).signal(name, input);
const updateAs = (name: string, input: unknown) => (id: string) => client.workflow.getHandle(id).executeUpdate(name, { args: [input] });
const goSignal = (name: string, input: string, extra: string[] = []) => (id: string) => goCli(['workflow', 'signal', '--workflow-id', id, '--name', name, '--input', input, ...extra]);
const goUpdate = (name: string, input: string) => (id: string) => goCli(['workflow', 'update', 'execute', '--workflow-id', id, '--name', name, '--input', input]);
const refused = (pattern: RegExp): Expect => ({ recorded: pattern });

const HOSTILE: Hostile[] = [
  // Payloads the worker cannot read: the Go CLI and raw gRPC.
  ['Go CLI: a payload marked binary/encrypted that is not ciphertext', goSignal('laDecision', Buffer.from('garbage').toString('base64'), ['--input-base64', '--input-meta', 'encoding=binary/encrypted']), refused(/key this worker does not hold/)],
  ['Go CLI: binary/encrypted under the partnership’s key id, not ciphertext', goSignal('laDecision', Buffer.from('garbage').toString('base64'), ['--input-base64', '--input-meta', 'encoding=binary/encrypted', '--input-meta', 'encryption-key-id=test-key']), refused(/does not decrypt/)],
  ['Go CLI: a withdrawal without the keys (unencrypted)', goSignal('withdraw', JSON.stringify(withdrawal)), refused(/not encrypted/)],
  ['Go CLI: an LA decision without the keys', goSignal('laDecision', JSON.stringify(validDecision)), refused(/not encrypted/)],
  ['Go CLI: a correction of __proto__ without the keys', goSignal('amend', JSON.stringify({ field: '__proto__', value: 'x', reason: 'x', by })), refused(/not encrypted/)],
  // (The Go CLI itself refuses to send invalid JSON marked json/plain; raw gRPC sends it below.)
  ['Go CLI: bytes marked binary/plain', goSignal('amend', Buffer.from('{"field": ').toString('base64'), ['--input-base64', '--input-meta', 'encoding=binary/plain']), refused(/not encrypted/)],
  ['Go CLI: an unknown signal', goSignal('closeCase', '{}'), refused(/not encrypted|no message of that name/)],
  // The Go CLI without the codec sees the refusal's type only: failure messages are encrypted like every payload.
  ['Go CLI: an update without the keys', goUpdate('withdraw', JSON.stringify(withdrawal)), { answered: /unable to update workflow: Encoded failure \(type: InvalidInput, retryable: false\)/ }],
  ['Go CLI: an update with an unknown name', goUpdate('closeCase', '{}'), { answered: /unable to update workflow: Encoded failure \(type: InvalidInput, retryable: false\)/ }],
  ['raw gRPC: binary/encrypted garbage', (id) => rawSignal(id, 'laDecision', [garbage]), refused(/does not decrypt/)],
  ['raw gRPC: binary/encrypted with no data', (id) => rawSignal(id, 'laDecision', [{ ...garbage, data: new Uint8Array() }]), refused(/does not decrypt/)],
  ['raw gRPC: binary/encrypted with no key id', (id) => rawSignal(id, 'laDecision', [{ metadata: { encoding: bytes('binary/encrypted') }, data: bytes('x') }]), refused(/key this worker does not hold/)],
  ['raw gRPC: a key id that is not a name', (id) => rawSignal(id, 'laDecision', [{ metadata: { encoding: bytes('binary/encrypted'), 'encryption-key-id': bytes('\u001b[2J'.repeat(40)) }, data: bytes('x') }]), refused(/key this worker does not hold \(\(unreadable id\)\)/)],
  ['raw gRPC: encrypted with a stranger’s key', async (id) => rawSignal(id, 'withdraw', await strangerCodec.encode([json(withdrawal)])), refused(/key this worker does not hold \(stranger\)/)],
  ['raw gRPC: a payload with no metadata at all', (id) => rawSignal(id, 'withdraw', [{ data: bytes('{}') }]), refused(/not encrypted/)],
  ['raw gRPC: binary/null, unencrypted', (id) => rawSignal(id, 'withdraw', [{ metadata: { encoding: bytes('binary/null') } }]), refused(/not encrypted/)],
  ['raw gRPC: encrypted, but inside it an encoding nobody knows', async (id) => rawSignal(id, 'amend', await codec.encode([{ metadata: { encoding: bytes('binary/protobuf') }, data: bytes('x') }])), refused(/could not be read \(a payload with encoding binary\/protobuf/)],
  ['raw gRPC: encrypted, but inside it JSON that does not parse', async (id) => rawSignal(id, 'amend', await codec.encode([{ metadata: { encoding: bytes('json/plain') }, data: bytes('{"field": ') }])), refused(/could not be read \(a payload with encoding json\/plain/)],
  ['raw gRPC: encrypted, with an encoding name full of escapes', async (id) => rawSignal(id, 'amend', await codec.encode([{ metadata: { encoding: bytes('\u001b]0;owned\u0007') }, data: bytes('{}') }])), refused(/an unreadable encoding/)],
  ['raw gRPC: no payload at all', (id) => rawSignal(id, 'withdraw', []), refused(/withdraw.*(expected object|is required|Invalid input)/)],
  ['raw gRPC: an unknown signal, encrypted', async (id) => rawSignal(id, 'closeCase', [await sealed({})]), refused(/closeCase.*no message of that name/)],
  ['raw gRPC: a signal named like a query (state)', async (id) => rawSignal(id, 'state', [await sealed({})]), refused(/"state".*no message of that name/)],
  ['raw gRPC: a signal named __proto__', async (id) => rawSignal(id, '__proto__', [await sealed({})]), refused(/"__proto__".*no message of that name/)],
  ['raw gRPC: a signal named toString', async (id) => rawSignal(id, 'toString', [await sealed({})]), refused(/"toString".*no message of that name/)],
  ['raw gRPC: a signal named constructor', async (id) => rawSignal(id, 'constructor', [await sealed({})]), refused(/"constructor".*no message of that name/)],
  ['raw gRPC: a signal with a 200-character name', async (id) => rawSignal(id, 'x'.repeat(200), [await sealed({})]), refused(/an unreadable name.*no message of that name/)],
  ['raw gRPC: a signal name with an escape sequence', async (id) => rawSignal(id, 'la\u001b[2JDecision', [await sealed({})]), refused(/an unreadable name.*no message of that name/)],
  // With the keys: what kscp would never send.
  ...(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', 'info-request:__proto__', 'info-request:constructor'].map(
    (field): Hostile => [`a correction of ${field}`, signalAs('amend', { field, value: '2026-01-01', reason: 'x', by }), refused(new RegExp(`field: ${JSON.stringify(field)} cannot be corrected`))],
  )),
  ['a correction of the criteria with __proto__', signalAs('amend', { field: 'criteria', value: 'serious-harm,__proto__', reason: 'x', by }), refused(/is not criteria separated by commas/)],
  ['a correction with an escape sequence in the value', signalAs('amend', { field: 'notifyingAgency', value: 'police\u001b[2J', reason: 'x', by }), refused(/value: contains a control character/)],
  ['an LA decision that is {}', signalAs('laDecision', {}), refused(/notifiable: is required/)],
  ['an LA decision that is null', signalAs('laDecision', null), refused(/expected object|Invalid input/i)],
  ['an LA decision that is an array', signalAs('laDecision', [validDecision]), refused(/expected object|Invalid input/i)],
  ['an LA decision that is a string', signalAs('laDecision', 'notifiable'), refused(/expected object|Invalid input/i)],
  ['an LA decision that is a number', signalAs('laDecision', 42), refused(/expected object|Invalid input/i)],
  ['an LA decision with an extra field', signalAs('laDecision', { ...validDecision, childName: 'x' }), refused(/unknown field\(s\) "childName"/)],
  ['an LA decision with a __proto__ field', signalAs('laDecision', JSON.parse(`{"notifiable":true,"panelNotifiedOn":"${today}","ofsted":"not-required","decidedBy":"${by}","__proto__":{"x":1}}`)), refused(/unknown field\(s\) "__proto__"/)],
  ['an LA decision whose name clears the terminal', signalAs('laDecision', { ...validDecision, decidedBy: 'A. Officer\u001b[2J' }), refused(/decidedBy: contains a control character \(U\+001B/)],
  ['an LA decision whose name forges a line', signalAs('laDecision', { ...validDecision, decidedBy: 'A. Officer\rCase closed' }), refused(/decidedBy: contains a control character \(U\+000D/)],
  ['an LA decision whose name spans lines', signalAs('laDecision', { ...validDecision, decidedBy: 'A. Officer\nCase closed' }), refused(/decidedBy: contains a control character \(U\+000A/)],
  ['an LA decision with a right-to-left override', signalAs('laDecision', { ...validDecision, rationale: 'abc\u202eevil' }), refused(/rationale: contains a control character \(U\+202E/)],
  ['an LA decision with a NUL byte', signalAs('laDecision', { ...validDecision, decidedBy: 'A\u0000B' }), refused(/decidedBy: contains a control character \(U\+0000/)],
  ['an LA decision with a 100,000-character name', signalAs('laDecision', { ...validDecision, decidedBy: 'x'.repeat(100_000) }), refused(/decidedBy: is too long \(at most 200 characters\)/)],
  ['an LA decision with a 20,000-character rationale', signalAs('laDecision', { ...validDecision, rationale: 'x'.repeat(20_000) }), refused(/rationale: is too long \(at most 10000 characters\)/)],
  ['an LA decision dated in the future', signalAs('laDecision', { ...validDecision, panelNotifiedOn: addDays(today, 5) }), refused(/panelNotifiedOn: .* is in the future/)],
  ['an LA decision dated before the LA knew', signalAs('laDecision', { ...validDecision, panelNotifiedOn: addDays(today, -5) }), refused(/cannot have been notified .* before the LA became aware/)],
  ['an LA decision dated in 2150', signalAs('laDecision', { ...validDecision, panelNotifiedOn: '2150-01-01' }), refused(/outside the years the working-day calendar covers/)],
  ['an LA decision with notifiable as text', signalAs('laDecision', { ...validDecision, notifiable: 'yes' }), refused(/notifiable: must be true \(notifiable\) or false/)],
  ['an LA decision with an Ofsted decision that is not one', signalAs('laDecision', { ...validDecision, ofsted: 'maybe' }), refused(/ofsted: "maybe" is not allowed/)],
  ['an information request at LA_DECISION', signalAs('infoRequest', { agency: 'police', requestedOn: today, dueOn: addDays(today, 5), by }), refused(/is at stage LA_DECISION: info-request is recorded at stage/)],
  ['an information request to an agency id with an escape', signalAs('infoRequest', { agency: 'police\u001b', requestedOn: today, dueOn: addDays(today, 5), by }), refused(/is at stage LA_DECISION|is not an agency id/)],
  ['a response nobody asked for', signalAs('infoReceived', { agency: 'police', receivedOn: today, by }), refused(/no open information request to police/)],
  ['a Rapid Review at LA_DECISION', signalAs('rapidReview', { meetingOn: today, submittedOn: today, outcome: 'local-review', rationale: 'x', by }), refused(/is at stage LA_DECISION: rapid-review/)],
  ['a publication at LA_DECISION', signalAs('published', { on: today, url: 'https://kscp.example.org/r', by }), refused(/is at stage LA_DECISION: published/)],
  ['a withdrawal for a reason that is not one', signalAs('withdraw', { ...withdrawal, reason: 'bored' }), refused(/reason: "bored" is not allowed/)],
  ['a withdrawal with an empty detail', signalAs('withdraw', { ...withdrawal, detail: '   ' }), refused(/detail: must not be empty/)],
  ["a care leaver's notification in a case without that criterion", signalAs('careLeaverNotified', { on: today, by }), refused(/criteria do not include a care leaver's death/)],
  ['an Ofsted notification nobody asked for', signalAs('ofstedNotified', { on: today, by }), refused(/did not say Ofsted must be notified/)],
  ['an unknown update, with the keys', updateAs('closeCase', {}), { answered: /no message named closeCase/ }],
  ['an unknown update named __proto__', updateAs('__proto__', {}), { answered: /no message named __proto__/ }],
  ['an update correcting __proto__', updateAs('amend', { field: '__proto__', value: 'x', reason: 'x', by }), { answered: /field: "__proto__" cannot be corrected/ }],
  ['an update with a value that clears the terminal', updateAs('withdraw', { ...withdrawal, detail: '\u001b[2J' }), { answered: /detail: contains a control character/ }],
];

describe('every input a client can send is refused safely, and the case carries on', () => {
  it('tries at least 60 hostile inputs', () => {
    expect(HOSTILE.length).toBeGreaterThanOrEqual(60);
  });

  const refs = new Map<string, string>();
  beforeAll(async () => {
    for (const [what] of HOSTILE) refs.set(what, await openCase());
    for (const ref of refs.values()) await planned(ref);
  }, 180_000);

  it.each(HOSTILE)('%s', async (what, send, expected) => {
    const ref = refs.get(what)!;
    const workflowId = workflowIdFor(ref);
    const handle = client.workflow.getHandle(workflowId);
    const before = await handle.query(stateQuery);
    const answer = await Promise.resolve(send(workflowId)).catch((e: unknown) => e);

    if ('recorded' in expected) {
      // A signal cannot be answered: its refusal is on the timeline, and nothing else changed.
      const after = await eventually(() => handle.query(stateQuery), (s) => s.events.length > before.events.length);
      const entry = (await handle.query(timelineQuery)).find((e) => e.kind === 'refused' && e.at >= before.events.at(-1)!.at);
      expect(entry?.what).toMatch(expected.recorded);
      expect(after.stage).toBe('LA_DECISION');
      expect(after.deadlines).toEqual(before.deadlines);
    } else {
      const message = answer instanceof WorkflowUpdateFailedError ? String(answer.cause?.message) : typeof answer === 'object' && answer && 'out' in answer ? String((answer as { out: string }).out) : String(answer);
      expect(message).toMatch(expected.answered);
      const after = await handle.query(stateQuery);
      expect(after.stage).toBe('LA_DECISION');
      expect(after.deadlines).toEqual(before.deadlines);
    }
    // The workflow task never failed: the history has no WorkflowTaskFailed event.
    const history = await handle.fetchHistory();
    expect(history.events?.filter((e) => e.workflowTaskFailedEventAttributes).length).toBe(0);

    // The case carries on: the real kscp records the LA decision, and the Rapid Review's notice goes out.
    const run = await kscp(['la-decision', ref, '--notifiable', 'yes', '--ofsted', 'not-required', '--panel-notified', today, '--by', by], stack.env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    await stack.mailbox.waitFor((m) => m.subject?.startsWith(`[${ref}]`) === true && m.headers.get('x-kscp-deadline') === 'rapid-review');
  });
});

describe('a start that did not come through kscp notify', () => {
  it('from the Go CLI without the keys: refused and recorded, no case opened, no email', async () => {
    const ref = nextRef(2026);
    const form = fictionalForm({ ref, incidentDate: addDays(today, -1), knownAt: new Date(Date.now() - 3_600_000).toISOString(), laAwareOn: today });
    const run = await goCli(['workflow', 'start', '--type', 'incident', '--task-queue', 'kscp-incidents', '--workflow-id', workflowIdFor(ref), '--input', JSON.stringify({ form, formReceivedAt: new Date().toISOString() })]);
    expect(run.code).toBe(0);
    const result = (await client.workflow.getHandle(workflowIdFor(ref)).result()) as IncidentView;
    expect(result.stage).toBe('CLOSED');
    expect(result.closedBecause).toMatch(/^start refused: it was not encrypted/);
    expect(result.deadlines).toEqual([]);
    await new Promise((r) => setTimeout(r, 1000));
    expect(stack.mailbox.messages.some((m) => m.subject?.startsWith(`[${ref}]`))).toBe(false);
  });

  it('a copy of an old start (as "Start Workflow Like This One" makes): refused and recorded', async () => {
    const ref = nextRef(2026);
    const form = fictionalForm({ ref, incidentDate: addDays(today, -1), knownAt: new Date(Date.now() - 3_600_000).toISOString(), laAwareOn: today });
    const handle = await client.workflow.start<typeof incident>('incident', {
      workflowId: workflowIdFor(ref),
      taskQueue: 'kscp-incidents',
      args: [{ form, formReceivedAt: new Date().toISOString(), checkedAt: new Date(Date.now() - 3 * 86_400_000).toISOString() }],
    });
    const result = await handle.result();
    expect(result.closedBecause).toMatch(/a copy of an earlier start .* is not a new case/);
  });

  it('a start carrying another run’s state: refused', async () => {
    const ref = nextRef(2026);
    const handle = await client.workflow.start<typeof incident>('incident', { workflowId: workflowIdFor(ref), taskQueue: 'kscp-incidents', args: [{ resume: { ref, stage: 'PUBLISHED' } } as never] });
    expect((await handle.result()).closedBecause).toMatch(/carries the state of another run/);
  });
});

async function eventually<T>(fn: () => Promise<T>, ok: (t: T) => boolean, ms = 20_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}
