/**
 * Errors that are a setting to fix, not a bug: turned into one line that names the setting and
 * what to do (and an exit code), for `kscp` and the case board alike. Anything not recognised here
 * is a bug, reported with its stack (exit 1).
 */
import type { Settings } from '../config';
import { EXIT } from './errors';

export interface KnownProblem {
  message: string;
  exitCode: number;
}

/** The gRPC status code of a Temporal error, wherever the SDK put it. */
function grpcCode(err: unknown): number | undefined {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'number') return e.code;
  }
  return undefined;
}

const firstLine = (err: Error): string => err.message.split('\n')[0]!.trim();

/** What is wrong, as a setting to fix, or undefined when `err` is not a configuration problem. */
export function configurationProblem(err: unknown, s: Pick<Settings, 'temporal' | 'archive'> | undefined): KnownProblem | undefined {
  if (!(err instanceof Error)) return undefined;
  const at = s ? ` at ${s.temporal.address}` : '';
  if (err.name === 'NamespaceNotFoundError') {
    const ns = s?.temporal.namespace ?? /'([^']*)'/.exec(err.message)?.[1] ?? '';
    return {
      message: `TEMPORAL_NAMESPACE=${ns}: Temporal${at} has no namespace "${ns}": set TEMPORAL_NAMESPACE to the namespace the worker uses (npm start makes "kscp"), or unset it for the default`,
      exitCode: EXIT.badInput,
    };
  }
  const code = grpcCode(err);
  // An invalid list query: the namespace lacks the case board's search attributes.
  if (code === 3 && /Kscp\w+/.test(err.message) && /not defined|invalid query|unknown|not found/i.test(err.message)) {
    const name = /Kscp\w+/.exec(err.message)![0];
    return {
      message: `TEMPORAL_NAMESPACE=${s?.temporal.namespace ?? ''}: the namespace has no search attribute ${name}${at}: register the case board's search attributes (npm start does; docker-compose's temporal-setup job does; README, "The case board")`,
      exitCode: EXIT.badInput,
    };
  }
  if (code === 16 || code === 7) {
    return {
      message: `Temporal${at} refused ${code === 16 ? 'to authenticate' : 'permission to'} this client (${firstLine(err)}): check TEMPORAL_API_KEY / TEMPORAL_API_KEY_FILE or TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY`,
      exitCode: EXIT.badInput,
    };
  }
  if (err.name === 'SqliteError') {
    const where = s?.archive.kind === 'sqlite' ? s.archive.file : 'its file';
    return {
      message: `the case archive ${where} cannot be read (${firstLine(err)}): point KSCP_ARCHIVE_FILE at the archive's SQLite file (npm start makes data/archive.db), or unset it`,
      exitCode: EXIT.badInput,
    };
  }
  return undefined;
}
