/**
 * One line per log entry for people watching `npm start` or a worker:
 * time, level, message, and the fields that matter (case, deadline, level),
 * without task tokens and run ids.
 */
import { DefaultLogger, Runtime, type LogEntry, type LogLevel } from '@temporalio/worker';
import { describeError } from '../activities/failures';

const NOISE = new Set(['sdkComponent', 'taskToken', 'workflowRunId', 'activityId', 'isLocal', 'namespace', 'taskQueue', 'workflowType', 'activityType', 'attempt']);

export function formatEntry(entry: LogEntry): string {
  const time = new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString().replace('T', ' ').slice(0, 19);
  const fields = Object.entries(entry.meta ?? {})
    .filter(([k, v]) => !NOISE.has(k) && v !== undefined)
    // An Error (the SDK's "Activity failed" entry carries one) as its name, message, code and cause: JSON.stringify gives `{}`.
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v instanceof Error ? describeError(v) : v)}`);
  return `${time} ${entry.level.padEnd(5)} ${entry.message}${fields.length ? `  ${fields.join(' ')}` : ''}`;
}

export function installLogging(level: LogLevel = (process.env.KSCP_LOG_LEVEL as LogLevel | undefined) ?? 'INFO'): void {
  Runtime.install({
    logger: new DefaultLogger(level, (entry) => {
      const line = formatEntry(entry);
      if (entry.level === 'ERROR' || entry.level === 'WARN') process.stderr.write(`${line}\n`);
      else process.stdout.write(`${line}\n`);
    }),
  });
}
