/**
 * Every message a client can send a case, defined once. Imported by the
 * workflow and by every client (the `kscp` command, tests); no Node imports.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { IncidentView } from './incident';
import type { LaDecision } from './schemas';

/** The case: stage, every deadline, events and reminders so far. */
export const stateQuery = defineQuery<IncidentView>('state');

/**
 * The LA's decision on notification. As an update its validator refuses a
 * decision that does not fit (wrong stage, bad dates) and nothing changes.
 */
export const laDecisionUpdate = defineUpdate<IncidentView, [LaDecision]>('laDecision');

/**
 * The same decision as a signal, for people who use the Temporal Web UI's
 * "Send a signal" form. A signal cannot be refused: one that does not fit is
 * recorded in the case's events as refused, and nothing else changes.
 */
export const laDecisionSignal = defineSignal<[LaDecision]>('laDecision');
