/**
 * The yardstick for the throughput benchmark: a workflow that does nothing but wait for one
 * update and finish. Bench code only; never registered by the product's worker.
 */
import { condition, defineUpdate, setHandler } from '@temporalio/workflow';

export const noopUpdate = defineUpdate<string, [unknown]>('noop');

export async function noop(): Promise<void> {
  let done = false;
  setHandler(noopUpdate, () => {
    done = true;
    return 'ok';
  });
  await condition(() => done);
}
