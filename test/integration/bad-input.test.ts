/**
 * More than 100 malformed inputs: kscp arguments, eCase form files, message payloads sent straight
 * to a case, and messages out of order. Each is refused with a clear error and a non-zero exit (or
 * a refused update), and a query shows the case did not change (or, for notify, that nothing started).
 * Real dev server, the worker as its own process, the real kscp.
 */
import { startStack, type Stack } from '../helpers/stack';
import { Client, Connection, WorkflowUpdateFailedError } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dataConverter, loadKeys } from '../../src/codec';
import { addDays } from '../../src/process/dates';
import { workflowIdFor, type IncidentView } from '../../src/process/incident';
import { londonDate } from '../../src/london';
import { MESSAGE_NAMES, stateQuery, updates, type MessageName } from '../../src/process/messages';
import { STEPS } from '../../src/process/steps';

const fits = (n: MessageName, stage: string) => (STEPS[n].from as readonly string[]).includes(stage);
import { type DevServer } from '../../src/toolchain/devServer';
import type { incident } from '../../workflows';
import { fictionalForm, nextRef, TEST_KEYS } from '../helpers/fixtures';
import { kscp } from '../helpers/processes';

const NAMESPACE = 'kscp-bad-input';
const tmp = mkdtempSync(path.join(os.tmpdir(), 'kscp-bad-'));
const today = londonDate(new Date());
const tomorrow = addDays(today, 1);
const by = 'Test Officer';
let stack: Stack;
let server: DevServer;
let client: Client;
let env: NodeJS.ProcessEnv;
/** A case waiting for the LA decision, one in an LCSPR, one closed. */
const cases = { decision: nextRef(2026), lcspr: nextRef(2026), closed: nextRef(2026) };
let tried = 0;

const send = (ref: string, name: MessageName, input: unknown) =>
  client.workflow.getHandle(workflowIdFor(ref)).executeUpdate(updates[name] as UpdateDefinition<IncidentView, [unknown]>, { args: [input] });
const state = (ref: string) => client.workflow.getHandle(workflowIdFor(ref)).query(stateQuery);

async function open(ref: string): Promise<void> {
  const form = fictionalForm({ ref, incidentDate: addDays(today, -1), knownAt: new Date(Date.now() - 3_600_000).toISOString(), laAwareOn: today });
  await client.workflow.start<typeof incident>('incident', { workflowId: workflowIdFor(ref), taskQueue: 'kscp-incidents', args: [{ form, formReceivedAt: new Date().toISOString(), checkedAt: new Date().toISOString() }] });
}

beforeAll(async () => {
  stack = await startStack({ namespace: NAMESPACE, dataDir: tmp });
  ({ server, env } = stack);
  client = new Client({ connection: await Connection.connect({ address: server.address }), namespace: NAMESPACE, dataConverter: dataConverter(loadKeys('', { KSCP_ENCRYPTION_KEYS: TEST_KEYS })) });
  for (const ref of Object.values(cases)) await open(ref);
  await send(cases.lcspr, 'laDecision', { notifiable: true, panelNotifiedOn: today, ofsted: 'not-required', decidedBy: by });
  await send(cases.lcspr, 'rapidReview', { meetingOn: today, submittedOn: today, outcome: 'local-review', rationale: 'Fictional.', by });
  await send(cases.lcspr, 'panelResponse', { receivedOn: today, decision: 'local-review', by });
  await send(cases.lcspr, 'lcsprStart', { initiatedOn: today, methodology: 'thematic', by });
  await send(cases.lcspr, 'infoRequest', { agency: 'police', requestedOn: today, dueOn: addDays(today, 7), by });
  await send(cases.closed, 'withdraw', { reason: 'recorded-in-error', detail: 'Fictional.', by });
  // Let the notices of the new clocks go out, so any later change could only come from a bad input.
  for (const ref of [cases.decision, cases.lcspr]) {
    let last = '';
    for (let same = 0; same < 3; ) {
      const now = JSON.stringify(await state(ref));
      same = now === last ? same + 1 : 0;
      last = now;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}, 120_000);

afterAll(async () => {
  await client?.connection.close();
  await stack?.stop();
});

// 1. kscp arguments ---------------------------------------------------------------------------

const D = cases.decision;
const L = cases.lcspr;
const CLI: Array<[string[], number, RegExp]> = [
  [['frobnicate'], 2, /unknown command 'frobnicate'/],
  [['status'], 2, /missing required argument 'ref'/],
  [['status', D, 'extra'], 2, /too many arguments/],
  [['status', 'KSCP-26-1'], 2, /<ref>: "KSCP-26-1" is not a case reference/],
  // A reference in lower case is the same reference: looked up (and not found), not refused.
  [['status', 'kscp-2026-998'], 4, /no case KSCP-2026-998/],
  [['list', '--stage'], 2, /option '--stage <stage>' argument missing/],
  [['list', '--sort', 'due'], 2, /unknown option '--sort'/],
  [['la-decision', D, '--notifiable', 'yes', '--ofsted', 'not-required', '--by', by], 2, /--panel-notified: is required when the incident is notifiable/],
  [['la-decision', D, '--notifiable', 'perhaps', '--ofsted', 'not-required', '--by', by], 2, /--notifiable: must be yes or no/],
  [['la-decision', D, '--notifiable', 'no', '--ofsted', 'not-required', '--by', by], 2, /--rationale: is required/],
  [['la-decision', D, '--notifiable', 'no', '--ofsted', 'not-required', '--panel-notified', today, '--rationale', 'x', '--by', by], 2, /--panel-notified: must not be given when the incident is not notifiable/],
  [['la-decision', D, '--notifiable', 'yes', '--ofsted', 'not-required', '--panel-notified', '2026-02-30', '--by', by], 2, /--panel-notified: "2026-02-30" is not a real date/],
  [['la-decision', D, '--notifiable', 'yes', '--ofsted', 'not-required', '--panel-notified', '30/11/2026', '--by', by], 2, /--panel-notified: "30\/11\/2026" is not a real date/],
  [['la-decision', D, '--notifiable', 'yes', '--ofsted', 'not-required', '--panel-notified', tomorrow, '--by', by], 2, /--panel-notified: .* is in the future/],
  [['la-decision', D, '--notifiable', 'yes', '--ofsted', 'not-required', '--panel-notified', addDays(today, -3), '--by', by], 2, /refused: --panel-notified: the Panel cannot have been notified/],
  [['la-decision', D, '--notifiable', 'yes', '--ofsted', 'not-required', '--panel-notified', today], 2, /required option '--by <name>' not specified/],
  [['la-decision', D, '--notifiable', 'yes', '--ofsted', 'not-required', '--panel-notified', today, '--by', '   '], 2, /--by: must not be empty/],
  [['la-decision', D, '--notifiable', 'yes', '--ofsted', 'not-required', '--panel-notified', today, '--by', by, '--colour', 'red'], 2, /unknown option '--colour'/],
  [['la-decision', 'KSCP-2026-998', '--notifiable', 'yes', '--ofsted', 'not-required', '--panel-notified', today, '--by', by], 4, /no case KSCP-2026-998/],
  [['la-decision', L, '--notifiable', 'yes', '--ofsted', 'not-required', '--panel-notified', today, '--by', by], 3, /is at stage LCSPR: the LA decision was already recorded/],
  [['la-decision', cases.closed, '--notifiable', 'yes', '--ofsted', 'not-required', '--panel-notified', today, '--by', by], 3, /is closed/],
  [['info-request', L, '--agency', 'fire', '--requested', today, '--due', tomorrow, '--by', by], 2, /--agency: "fire" is not an agency in the directory/],
  [['info-request', L, '--agency', 'health', '--requested', today, '--due', today, '--by', by], 2, /--due: must be after the date of the request/],
  [['info-request', L, '--agency', 'health', '--requested', tomorrow, '--due', addDays(today, 5), '--by', by], 2, /--requested: .* is in the future/],
  [['info-request', L, '--agency', 'health', '--requested', today, '--by', by], 2, /required option '--due <date>' not specified/],
  [['info-request', L, '--agency', 'police', '--requested', today, '--due', tomorrow, '--by', by], 3, /an information request to police is already open/],
  [['info-request', D, '--agency', 'police', '--requested', today, '--due', tomorrow, '--by', by], 3, /is at stage LA_DECISION: info-request is recorded at stage RAPID_REVIEW or LCSPR or NATIONAL_REVIEW/],
  [['info-received', L, '--agency', 'education', '--received', today, '--by', by], 3, /no open information request to education \(open: info-request:police\)/],
  [['rapid-review', L, '--meeting', today, '--submitted', today, '--outcome', 'local-review', '--rationale', 'x', '--by', by], 3, /is at stage LCSPR: rapid-review is recorded at stage RAPID_REVIEW/],
  [['rapid-review', D, '--meeting', today, '--submitted', today, '--outcome', 'lcspr', '--rationale', 'x', '--by', by], 2, /--outcome: "lcspr" is not allowed \(allowed: local-review, recommend-national-review, no-further-review\)/],
  [['panel-response', D, '--received', today, '--decision', 'maybe', '--by', by], 2, /--decision: "maybe" is not allowed/],
  [['lcspr-start', L, '--initiated', today, '--methodology', 'desk-review', '--by', by], 2, /--methodology: "desk-review" is not allowed/],
  [['lcspr-start', L, '--initiated', today, '--methodology', 'thematic', '--by', by], 3, /the LCSPR was already initiated/],
  [['views', L, '--from', 'neighbours', '--on', today, '--by', by], 2, /--from: "neighbours" is not allowed \(allowed: practitioners, family\)/],
  [['views', L, '--from', 'family', '--on', addDays(today, -30), '--by', by], 2, /refused: --on: .* is before the LCSPR initiation/],
  [['delay', L, '--sent', today, '--by', by], 2, /required option '--reason <text>' not specified/],
  [['subgroup-agreed', L, '--on', 'yesterday', '--by', by], 2, /--on: "yesterday" is not a real date/],
  [['executive-signoff', L, '--on', today, '--decision', 'publish', '--planned-publication', tomorrow, '--by', by], 3, /is at stage LCSPR: executive-signoff is recorded at stage SIGN_OFF/],
  [['published', L, '--on', today, '--url', 'not a url', '--by', by], 2, /--url: "not a url" is not a web address/],
  [['defer', L, '--reason', 'x', '--new-date', today, '--panel-told', today, '--by', by], 2, /refused: --new-date: .* is not later than the current target/],
  [['amend', L, '--field', 'childName', '--value', 'x', '--reason', 'x', '--by', by], 2, /refused: --field: "childName" cannot be corrected/],
  [['amend', L, '--field', 'laAwareOn', '--value', 'soon', '--reason', 'x', '--by', by], 2, /refused: --value: "soon" is not a date YYYY-MM-DD/],
  [['amend', L, '--field', 'childDied', '--value', 'maybe', '--reason', 'x', '--by', by], 2, /refused: --value: "maybe" is not true or false/],
  [['withdraw', L, '--reason', 'changed-mind', '--detail', 'x', '--by', by], 2, /--reason: "changed-mind" is not allowed \(allowed: recorded-in-error, criteria-not-met, other\)/],
  [['calendar', 'add-working-days', '2026-13-01', '5'], 2, /DATE: "2026-13-01" is not a real date/],
  [['calendar', 'add-working-days', '2026-12-01', 'five'], 2, /N: must be a whole number/],
  [['calendar', 'add-months', '2026-12-01', '-1'], 2, /N: must be a whole number from 0 to 1200/],
  [['calendar', 'bank-holidays', '26'], 2, /YEAR: must be a year such as 2026/],
  [['keys', 'rotate'], 2, /the keys come from KSCP_ENCRYPTION_KEYS/],
];

describe('kscp arguments', () => {
  it.each(CLI)('kscp %j is refused (exit %i) and nothing changes', async (args, code, message) => {
    tried++;
    const before = [await state(D), await state(L)];
    const run = await kscp(args, env);
    expect(run.stderr).toMatch(message);
    expect(run.code).toBe(code);
    expect(run.stdout).toBe('');
    expect([await state(D), await state(L)]).toEqual(before);
  });
});

// 2. eCase form files -------------------------------------------------------------------------

const goodForm = () => fictionalForm({ ref: nextRef(2026), incidentDate: addDays(today, -1), knownAt: new Date(Date.now() - 3_600_000).toISOString(), laAwareOn: today }) as unknown as Record<string, unknown>;
const without = (field: string) => (f: Record<string, unknown>) => {
  const copy = { ...f };
  delete copy[field];
  return copy;
};
const FORMS: Array<[string, (f: Record<string, unknown>) => unknown, RegExp]> = [
  ...['notifyingAgency', 'notifier', 'incidentDate', 'knownAt', 'laAwareOn', 'criteria', 'childDied', 'policeInvestigation', 'agenciesInvolved', 'summary'].map(
    (field): [string, (f: Record<string, unknown>) => unknown, RegExp] => [`no ${field}`, without(field), new RegExp(`: ${field}: `)],
  ),
  ['no ref', without('ref'), /: ref: must be the partnership reference/],
  ['an unknown field', (f) => ({ ...f, childName: 'x' }), /unknown field\(s\) "childName"/],
  ['an unknown field in the notifier', (f) => ({ ...f, notifier: { ...(f.notifier as object), phone: '0' } }), /notifier: unknown field\(s\) "phone"/],
  ['childDied as text', (f) => ({ ...f, childDied: 'no' }), /childDied: must be true or false/],
  ['criteria as text', (f) => ({ ...f, criteria: 'serious-harm' }), /criteria: /],
  ['no criteria', (f) => ({ ...f, criteria: [] }), /criteria: name at least one criterion/],
  ['a criterion twice', (f) => ({ ...f, criteria: ['serious-harm', 'serious-harm'] }), /criteria: lists a criterion twice/],
  ['no agencies involved', (f) => ({ ...f, agenciesInvolved: [] }), /agenciesInvolved: name at least one agency id/],
  ['an unknown agency involved', (f) => ({ ...f, agenciesInvolved: ['police', 'ambulance'] }), /agenciesInvolved: "ambulance" is not an agency in the directory/],
  ['knownAt without an offset', (f) => ({ ...f, knownAt: `${today}T10:00:00` }), /knownAt: .* is not a date and time with its offset/],
  ['knownAt in the future', (f) => ({ ...f, knownAt: new Date(Date.now() + 86_400_000).toISOString() }), /knownAt: .* is in the future/],
  ['an incident in the future', (f) => ({ ...f, incidentDate: tomorrow, laAwareOn: tomorrow }), /incidentDate: the incident date .* is in the future/],
  ['an empty summary', (f) => ({ ...f, summary: '   ' }), /summary: must not be empty/],
  ['a notifier with no name', (f) => ({ ...f, notifier: { name: '', email: 'a@b.example.org', role: 'x' } }), /notifier\.name: must not be empty/],
  ['formReceivedAt before knownAt', (f) => ({ ...f, formReceivedAt: new Date(Date.now() - 86_400_000).toISOString() }), /formReceivedAt: the form cannot arrive .* before the agency knew/],
  ['an array instead of a form', () => [], /\(the form\): /],
  ['an empty file', () => '', /not valid JSON/],
  ['a ref with a space inside', (f) => ({ ...f, ref: 'KSCP 2026-500' }), /ref: "KSCP 2026-500" is not a case reference/],
];

describe('eCase form files', () => {
  it.each(FORMS)('a form with %s is refused (exit 2) and no case starts', async (_what, change, message) => {
    tried++;
    const f = goodForm();
    const file = path.join(tmp, `form-${tried}.json`);
    const content = change(f);
    writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
    const run = await kscp(['notify', '--file', file], env);
    expect(run.stderr).toMatch(message);
    expect(run.code).toBe(2);
    await expect(client.workflow.getHandle(workflowIdFor(f.ref as string)).describe()).rejects.toThrow(/not found/i);
  });
});

// 3. Message payloads sent straight to a case, and 4. messages out of order -------------------

const PAYLOADS: Array<[string, MessageName, unknown, RegExp]> = [
  [D, 'laDecision', {}, /notifiable: is required: true \(notifiable\) or false/],
  [D, 'laDecision', { notifiable: 'yes', decidedBy: by }, /notifiable: must be true \(notifiable\) or false/],
  [D, 'laDecision', { notifiable: true, panelNotifiedOn: 20261130, ofsted: 'not-required', decidedBy: by }, /panelNotifiedOn: must be a date written YYYY-MM-DD/],
  [D, 'laDecision', { notifiable: true, panelNotifiedOn: today, ofsted: 'not-required', decidedBy: by, extra: 1 }, /unknown field\(s\) "extra"/],
  [D, 'laDecision', { notifiable: true, panelNotifiedOn: addDays(today, 5), ofsted: 'not-required', decidedBy: by }, /panelNotifiedOn: .* is in the future/],
  [D, 'laDecision', { notifiable: true, panelNotifiedOn: today, decidedBy: by }, /ofsted: is required \(one of: required, not-required\)/],
  [D, 'laDecision', { notifiable: true, panelNotifiedOn: today, ofsted: 'not-required', decidedBy: by, recordedAt: 'now' }, /recordedAt: "now" is not a date and time/],
  [D, 'laDecision', null, /expected object|must be|Invalid input/i],
  [D, 'laDecision', 'notifiable', /expected object|Invalid input/i],
  [L, 'infoRequest', { agency: 'Police', requestedOn: today, dueOn: tomorrow, by }, /agency: "Police" is not an agency id/],
  [L, 'infoRequest', { agency: 'health', requestedOn: today, dueOn: tomorrow }, /by: is required/],
  [L, 'infoRequest', { agency: 'health', requestedOn: addDays(today, -30), dueOn: tomorrow, by }, /requestedOn: .* is before the date the LA became aware/],
  [L, 'infoReceived', { agency: 'police', receivedOn: addDays(today, -1), by }, /receivedOn: .* is before the date of the request/],
  [L, 'infoReceived', { agency: 'police', receivedOn: addDays(today, 3), by }, /receivedOn: .* is in the future/],
  [L, 'views', { from: 'family', on: today }, /by: is required/],
  [L, 'delay', { sentOn: today, reason: '', by }, /reason: must not be empty/],
  [L, 'delay', { sentOn: 'today', reason: 'x', by }, /sentOn: "today" is not a real date/],
  [L, 'defer', { reason: 'x', newDate: addDays(today, 400), by }, /panelToldOn: is required: a date written YYYY-MM-DD/],
  [L, 'defer', { reason: 'x', newDate: addDays(today, 400), panelToldOn: addDays(today, 2), by }, /panelToldOn: .* is in the future/],
  [L, 'amend', { field: 'laAwareOn', value: addDays(today, 2), reason: 'x', by }, /value: .* is in the future/],
  [L, 'amend', { field: 'laAwareOn', value: addDays(today, -30), reason: 'x', by }, /value: the LA cannot have become aware .* before the incident/],
  [L, 'amend', { field: 'criteria', value: 'serious-harm,nope', reason: 'x', by }, /value: "serious-harm,nope" is not criteria/],
  [L, 'amend', { field: 'info-request:police', value: addDays(today, -1), reason: 'x', by }, /value: the due date must be after the date of the request/],
  [L, 'amend', { field: 'plannedPublicationOn', value: tomorrow, reason: 'x', by }, /plannedPublicationOn cannot be corrected yet: no publication is planned/],
  [L, 'amend', { field: '', value: 'x', reason: 'x', by }, /field: must not be empty/],
  [L, 'withdraw', { reason: 'recorded-in-error', by }, /detail: is required/],
  [L, 'subgroupAgreed', { on: addDays(today, -10), by }, /on: .* is before the LCSPR initiation/],
];
const OUT_OF_ORDER: Array<[string, MessageName]> = [
  ...MESSAGE_NAMES.filter((n) => !fits(n, 'LA_DECISION')).map((n): [string, MessageName] => [D, n]),
  ...MESSAGE_NAMES.filter((n) => !fits(n, 'LCSPR')).map((n): [string, MessageName] => [L, n]),
  ...MESSAGE_NAMES.map((n): [string, MessageName] => [cases.closed, n]),
];

describe('message payloads sent straight to a case', () => {
  it.each(PAYLOADS)('%s: %s with %j is refused and the case does not change', async (ref, name, input, message) => {
    tried++;
    const before = await state(ref);
    const refused = await send(ref, name, input).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
    expect((refused as WorkflowUpdateFailedError).cause?.message).toMatch(message);
    expect(await state(ref)).toEqual(before);
  });
});

describe('messages out of order', () => {
  it.each(OUT_OF_ORDER)('%s: %s is refused for its stage and the case does not change', async (ref, name) => {
    tried++;
    const before = await state(ref);
    const refused = await send(ref, name, {}).catch((e: unknown) => e);
    if (ref === cases.closed) {
      // A closed case's workflow has completed: Temporal itself refuses.
      expect(refused).toBeInstanceOf(Error);
      expect(String((refused as Error).message)).toMatch(/not found|completed/i);
    } else {
      expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
      expect((refused as WorkflowUpdateFailedError).cause?.message).toMatch(new RegExp(`is at stage (LA_DECISION|LCSPR): ${STEPS[name].command} is recorded at stage|already recorded`));
    }
    expect(await state(ref)).toEqual(before);
  });
});

it('tried more than 100 bad inputs', () => {
  expect(tried).toBe(CLI.length + FORMS.length + PAYLOADS.length + OUT_OF_ORDER.length);
  expect(tried).toBeGreaterThanOrEqual(100);
});
