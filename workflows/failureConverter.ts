/**
 * Loaded by the worker (and into the workflow sandbox) by path: failure messages and stack traces
 * travel as an encoded payload, which the encryption codec then encrypts. No Node imports.
 */
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
