/**
 * Replays committed histories of whole lifecycles (test/histories/) against the
 * current workflow code: a change that would break open cases fails here.
 * A deliberately non-deterministic variant proves this test can fail.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { DeterminismViolationError } from '@temporalio/workflow';
import { bundleWorkflowCode, DefaultLogger, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { dataConverter, EncryptionCodec, loadKeys } from '../../src/codec';
import { workflowBundleOptions } from '../../workers/bundle';
import { TEST_KEYS } from '../helpers/fixtures';
import { quietRuntime } from '../helpers/toolchain';

const dir = path.join(__dirname, '..', 'histories');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
const history = (file: string) => historyFromJSON(JSON.parse(readFileSync(path.join(dir, file), 'utf8')));
const bundle = (workflowsPath: string): Promise<WorkflowBundleWithSourceMap> => bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('WARN') });

let current: WorkflowBundleWithSourceMap;
/** The production bundle (with the worker's payload and failure converters), for the encrypted histories. */
let production: WorkflowBundleWithSourceMap;
beforeAll(async () => {
  quietRuntime();
  current = await bundle(require.resolve('../../workflows'));
  production = await bundleWorkflowCode(workflowBundleOptions());
});

/** The workflow id a history ran under: its first event's input names the case (decrypted with the test keys when sealed). */
async function workflowIdOf(file: string): Promise<string> {
  const payload = history(file).events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
  const [plain] = file.endsWith('.encrypted.json') ? await new EncryptionCodec(loadKeys('', { KSCP_ENCRYPTION_KEYS: TEST_KEYS })).decode([payload]) : [payload];
  const input = JSON.parse(Buffer.from(plain!.data!).toString()) as { form: { ref: string } };
  return `incident-${input.form.ref}`;
}

it('has recorded histories to replay', () => {
  // Recorded before the case-board-v2 and archive-case patches (the old branches), and after them.
  // Recorded before the case-board-v2 and archive-case patches, after them (both before the
  // process-model-v3 patch: they replay on the earlier rules), and on the declared model with
  // encrypted payloads, signals applied and refused, and a continue-as-new (run 1 and run 2).
  expect(files.sort()).toEqual([
    'lcspr-lifecycle.before-case-board-v2.json',
    'lcspr-lifecycle.json',
    'national-review-amended.before-case-board-v2.json',
    'national-review-amended.json',
    'signals-refusals-continued.run1.encrypted.json',
    'signals-refusals-continued.run2.encrypted.json',
  ]);
});

it.each(files.filter((f) => !f.endsWith('.encrypted.json')))('replays %s with the current workflow code', async (file) => {
  const h = history(file);
  expect(h.events?.length).toBeGreaterThan(100);
  await Worker.runReplayHistory({ workflowBundle: current }, h, await workflowIdOf(file));
});

it.each(files.filter((f) => f.endsWith('.encrypted.json')))('replays %s with the worker’s data converter (encrypted payloads, refusal markers)', async (file) => {
  const h = history(file);
  const kinds = new Set(h.events?.map((e) => e.eventType));
  expect(h.events?.length).toBeGreaterThan(30);
  // What the history holds: signals, and (run 1) its continue-as-new.
  expect(h.events?.some((e) => e.workflowExecutionSignaledEventAttributes)).toBe(true);
  if (file.includes('run1')) expect(h.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes).toBeTruthy();
  expect(kinds.size).toBeGreaterThan(5);
  await Worker.runReplayHistory({ workflowBundle: production, dataConverter: dataConverter(loadKeys('', { KSCP_ENCRYPTION_KEYS: TEST_KEYS }), 'worker') }, h, await workflowIdOf(file));
});

it('fails on the encrypted histories without the keys (the markers change what the case does)', async () => {
  const file = files.find((f) => f.includes('run1'))!;
  const otherKeys = loadKeys('', { KSCP_ENCRYPTION_KEYS: 'other=' + Buffer.alloc(32, 1).toString('base64') });
  await expect(Worker.runReplayHistory({ workflowBundle: production, dataConverter: dataConverter(otherKeys, 'worker') }, history(file), await workflowIdOf(file))).rejects.toThrow();
});

it('fails on a deliberately non-deterministic version of the workflow', async () => {
  const variant = await bundle(require.resolve('../fixtures/nondeterministic'));
  await expect(Worker.runReplayHistory({ workflowBundle: variant }, history(files[0]!), files[0])).rejects.toThrow(DeterminismViolationError);
});
