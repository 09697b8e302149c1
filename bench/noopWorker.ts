/**
 * The worker of the throughput benchmark's yardstick: the no-op workflow, with the project's data
 * converter, as its own process like the real worker. Settings from the same environment variables.
 */
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { dataConverter, loadKeys } from '../src/codec';
import { loadSettings } from '../src/config';

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const settings = loadSettings();
  // The worker never acts on, nor fails its task over, a payload it cannot trust (DESIGN.md §7).
  const converter = dataConverter(loadKeys(settings.keyFile), 'worker');
  const connection = await NativeConnection.connect({ address: settings.temporal.address });
  const worker = await Worker.create({
    connection,
    namespace: settings.temporal.namespace,
    taskQueue: settings.temporal.taskQueue,
    dataConverter: converter,
    workflowBundle: await bundleWorkflowCode({ workflowsPath: require.resolve('./noopWorkflow'), failureConverterPath: converter.failureConverterPath, logger: new DefaultLogger('WARN') }),
  });
  process.stdout.write(`bench no-op worker: task queue ${settings.temporal.taskQueue}\n`);
  const stop = (): void => worker.shutdown();
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  await worker.run();
  await connection.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`bench no-op worker: ${(err as Error).message}\n`);
  process.exit(1);
});
