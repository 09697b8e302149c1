/**
 * Making a Temporal namespace ready for cases: the namespace with a retention
 * long enough for statutory records, and the custom search attributes.
 * Idempotent: `npm start` runs it every time.
 */
import type { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { SEARCH_ATTRIBUTE_KEYS } from '../process/searchAttributes';
import { searchAttributeSpecs } from './deployment';

const { IndexedValueType } = temporal.api.enums.v1;

const INDEXED_TYPE: Record<string, temporal.api.enums.v1.IndexedValueType> = {
  KEYWORD: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  TEXT: IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  INT: IndexedValueType.INDEXED_VALUE_TYPE_INT,
  DOUBLE: IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  BOOL: IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  DATETIME: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  KEYWORD_LIST: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

/** `--search-attribute` flags for `temporal server start-dev`, which registers them when it creates the namespace. */
export function searchAttributeFlags(): string[] {
  return searchAttributeSpecs().flatMap((spec) => ['--search-attribute', spec]);
}

function isNotFound(err: unknown): boolean {
  return (err as { code?: number }).code === 5;
}

/** Create the namespace, or bring its retention up to `retentionDays`. */
export async function ensureNamespace(connection: Connection, namespace: string, retentionDays: number): Promise<'created' | 'updated' | 'unchanged'> {
  const seconds = retentionDays * 86_400;
  const workflowExecutionRetentionPeriod = msToTs(seconds * 1000);
  try {
    const described = await connection.workflowService.describeNamespace({ namespace });
    const current = Number(described.config?.workflowExecutionRetentionTtl?.seconds ?? 0);
    if (current === seconds) return 'unchanged';
    await connection.workflowService.updateNamespace({ namespace, config: { workflowExecutionRetentionTtl: workflowExecutionRetentionPeriod } });
    return 'updated';
  } catch (err) {
    if (!isNotFound(err)) throw err;
    await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod });
    return 'created';
  }
}

/** Register any of the case board's search attributes the namespace lacks; returns the names added. */
export async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const have = new Set(Object.keys(existing.customAttributes ?? {}));
  const missing = SEARCH_ATTRIBUTE_KEYS.filter((k) => !have.has(k.name));
  if (missing.length === 0) return [];
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map((k) => [k.name, INDEXED_TYPE[k.type]!])),
  });
  return missing.map((k) => k.name);
}

/** For the time-skipping test server, which cannot list them: add every one, ignoring those already there. */
export async function addSearchAttributes(connection: Connection, namespace: string): Promise<void> {
  await connection.operatorService
    .addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(SEARCH_ATTRIBUTE_KEYS.map((k) => [k.name, INDEXED_TYPE[k.type]!])),
    })
    .catch((err: { code?: number }) => {
      if (err.code !== 6) throw err; // ALREADY_EXISTS
    });
}
