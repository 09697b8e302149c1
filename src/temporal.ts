/**
 * Connecting to Temporal, the same way for the worker, the `kscp` command
 * and `npm start`.
 */
import { Client, Connection } from '@temporalio/client';
import { dataConverter, type KeyRing } from './codec';
import type { TemporalSettings } from './config';

export class TemporalUnreachable extends Error {}

export async function connect(settings: TemporalSettings, timeoutMs = 5_000): Promise<Connection> {
  try {
    return await Connection.connect({
      address: settings.address,
      tls: settings.tls ?? false,
      apiKey: settings.apiKey,
      connectTimeout: timeoutMs,
    });
  } catch (err) {
    throw new TemporalUnreachable(
      `cannot reach Temporal at ${settings.address} (${(err as Error).message.split('\n')[0]}); is \`npm start\` running, or is TEMPORAL_ADDRESS right?`,
    );
  }
}

/** A client whose payloads are encrypted with `ring`. */
export async function connectClient(settings: TemporalSettings, ring: KeyRing): Promise<Client> {
  const connection = await connect(settings);
  return new Client({ connection, namespace: settings.namespace, dataConverter: dataConverter(ring) });
}
