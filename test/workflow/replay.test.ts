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
import { quietRuntime } from '../helpers/toolchain';

const dir = path.join(__dirname, '..', 'histories');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
const history = (file: string) => historyFromJSON(JSON.parse(readFileSync(path.join(dir, file), 'utf8')));
const bundle = (workflowsPath: string): Promise<WorkflowBundleWithSourceMap> => bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('WARN') });

let current: WorkflowBundleWithSourceMap;
beforeAll(async () => {
  quietRuntime();
  current = await bundle(require.resolve('../../workflows'));
});

it('has recorded histories to replay', () => {
  // Recorded before the case-board-v2 and archive-case patches (the old branches), and after them.
  expect(files.sort()).toEqual([
    'lcspr-lifecycle.before-case-board-v2.json',
    'lcspr-lifecycle.json',
    'national-review-amended.before-case-board-v2.json',
    'national-review-amended.json',
  ]);
});

it.each(files)('replays %s with the current workflow code', async (file) => {
  const h = history(file);
  expect(h.events?.length).toBeGreaterThan(100);
  await Worker.runReplayHistory({ workflowBundle: current }, h, file);
});

it('fails on a deliberately non-deterministic version of the workflow', async () => {
  const variant = await bundle(require.resolve('../fixtures/nondeterministic'));
  await expect(Worker.runReplayHistory({ workflowBundle: variant }, history(files[0]!), files[0])).rejects.toThrow(DeterminismViolationError);
});
