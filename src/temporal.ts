/**
 * Connecting to Temporal, the same way for the worker, the `kscp` command
 * and `npm start`.
 */
import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter, type LoadedDataConverter } from '@temporalio/common';
import { failureConverter } from '../workflows/failureConverter';
import { EncryptionCodec, type KeyRing } from './codec';
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

/**
 * The client's converters as objects already loaded: the SDK's payload converter, the failure
 * converter the worker loads by path (workflows/failureConverter.ts) and the encryption codec. Given
 * paths instead (`dataConverter(ring)` in ./codec), the client would `require()` them at run time:
 * from kscp's one-file bundle that loads workflows/failureConverter.js from dist/ and, with it, a
 * second copy of @temporalio/common from node_modules.
 */
export function clientConverter(ring: KeyRing): LoadedDataConverter {
  return { payloadConverter: defaultPayloadConverter, failureConverter, payloadCodecs: [new EncryptionCodec(ring, 'client')] };
}

/** A client on `connection` whose payloads are encrypted with `ring`. */
export function clientOn(connection: Connection, settings: TemporalSettings, ring: KeyRing): Client {
  // The SDK takes a loaded converter as it is (its options' type names only the one with paths).
  const loaded: LoadedDataConverter = clientConverter(ring);
  return new Client({ connection, namespace: settings.namespace, dataConverter: loaded });
}

/** A client whose payloads are encrypted with `ring`. */
export async function connectClient(settings: TemporalSettings, ring: KeyRing): Promise<Client> {
  return clientOn(await connect(settings), settings, ring);
}
