/**
 * One line per log entry for people watching `npm start` or a worker:
 * time, level, message, and the fields that matter (case, deadline, level),
 * without task tokens and run ids.
 *
 * An Error in a field is written as its name, message, code and chain of causes (JSON would give
 * `{}`), never its details or stack: a failure's details can carry payloads, which hold case data.
 * Control characters are escaped, so a value cannot start a forged log line.
 */
import { DefaultLogger, Runtime, type LogEntry, type LogLevel } from '@temporalio/worker';
import { printable } from '../src/cli/format';

const NOISE = new Set(['sdkComponent', 'taskToken', 'workflowRunId', 'activityId', 'isLocal', 'namespace', 'taskQueue', 'workflowType', 'activityType', 'attempt']);

function isErrorLike(value: unknown): value is Error {
  return value instanceof Error || (typeof value === 'object' && value !== null && typeof (value as Error).message === 'string' && typeof (value as Error).name === 'string');
}

/**
 * `Name: message [code ETLS] <- caused by Name: message`: what failed and why, for an operator.
 * Temporal's failures name their type (ApplicationFailure's `type`); their `details` are left out.
 */
export function describeError(err: unknown, depth = 0): string {
  if (!isErrorLike(err)) return String(err);
  const e = err as Error & { code?: unknown; type?: unknown; responseCode?: unknown; nonRetryable?: unknown };
  const name = e.name && e.name !== 'Error' ? e.name : e.constructor?.name && e.constructor.name !== 'Object' ? e.constructor.name : 'Error';
  const tags = [
    typeof e.type === 'string' && e.type ? `type ${e.type}` : '',
    typeof e.code === 'string' || typeof e.code === 'number' ? `code ${e.code}` : '',
    typeof e.responseCode === 'number' ? `SMTP ${e.responseCode}` : '',
    e.nonRetryable === true ? 'not retryable' : '',
  ].filter(Boolean);
  const line = `${name}: ${e.message}${tags.length ? ` [${tags.join(', ')}]` : ''}`;
  const cause = e.cause;
  if (cause === undefined || cause === null || depth >= 5) return line;
  return `${line} <- caused by ${describeError(cause, depth + 1)}`;
}

function field(value: unknown): string {
  if (typeof value === 'string') return printable(value);
  if (isErrorLike(value)) return printable(describeError(value));
  return printable(JSON.stringify(value, (_key, v: unknown) => (isErrorLike(v) ? describeError(v) : typeof v === 'bigint' ? v.toString() : v)) ?? String(value));
}

export function formatEntry(entry: LogEntry): string {
  const time = new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString().replace('T', ' ').slice(0, 19);
  const fields = Object.entries(entry.meta ?? {})
    .filter(([k, v]) => !NOISE.has(k) && v !== undefined)
    .map(([k, v]) => `${k}=${field(v)}`);
  return `${time} ${entry.level.padEnd(5)} ${printable(entry.message)}${fields.length ? `  ${fields.join(' ')}` : ''}`;
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
