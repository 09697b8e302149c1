/**
 * Every message a client can send a case, derived from the declared steps (./steps.ts): each
 * step's key is the name of an update and of a signal. Imported by the workflow and by every
 * client (the `kscp` command, tests); no Node imports.
 *
 * Each step is an update whose validator refuses what does not fit (wrong stage, bad dates) with
 * the reason, changing nothing. Each is also a signal of the same name, for clients that cannot
 * wait for an answer (the Go `temporal` CLI, the Web UI): a signal cannot be refused, so one that
 * does not fit is recorded on the case's timeline as refused, and nothing else changes.
 */
import type { SignalDefinition, UpdateDefinition } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { IncidentView } from './incident';
import { STEP_NAMES, type StepInputs, type StepName } from './steps';
import type { TimelineEntry } from './timeline';

export type MessageName = StepName;
export type MessageInputs = StepInputs;
export const MESSAGE_NAMES: readonly MessageName[] = STEP_NAMES;

/** The case: stage, every deadline, events and reminders so far. */
export const stateQuery = defineQuery<IncidentView>('state');

/** Who recorded what and when, and every reminder sent, in time order (src/process/timeline.ts). */
export const timelineQuery = defineQuery<TimelineEntry[]>('timeline');
export const TIMELINE_QUERY_DESCRIPTION = 'The case in time order: who recorded what and when, every reminder sent (to whom, level, deadline), and every message refused';

export const updates = Object.fromEntries(MESSAGE_NAMES.map((n) => [n, defineUpdate(n)])) as {
  [N in MessageName]: UpdateDefinition<IncidentView, [MessageInputs[N]], N>;
};

export const signals = Object.fromEntries(MESSAGE_NAMES.map((n) => [n, defineSignal(n)])) as {
  [N in MessageName]: SignalDefinition<[MessageInputs[N]], N>;
};
