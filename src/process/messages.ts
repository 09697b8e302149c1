/**
 * Every message a client can send a case, defined once. Imported by the
 * workflow and by every client (the `kscp` command, tests); no Node imports.
 *
 * Each stage message is an update whose validator refuses what does not fit
 * (wrong stage, bad dates) with the reason, changing nothing. Each is also a
 * signal of the same name, for people who use the Temporal Web UI's "Send a
 * signal" form: a signal cannot be refused, so one that does not fit is
 * recorded in the case's events as refused, and nothing else changes.
 */
import type { SignalDefinition, UpdateDefinition } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { IncidentView } from './incident';
import type { TimelineEntry } from './timeline';
import type {
  Amend,
  Defer,
  Delay,
  DoneOn,
  ExecutiveSignoff,
  InfoReceived,
  InfoRequest,
  LaDecision,
  LcsprStart,
  NationalReport,
  NationalReviewer,
  PanelResponse,
  Published,
  RapidReview,
  ReportSent,
  SubgroupAgreed,
  Views,
  Withdraw,
} from './schemas';

/** The case: stage, every deadline, events and reminders so far. */
export const stateQuery = defineQuery<IncidentView>('state');

/** Who recorded what and when, and every reminder sent, in time order (src/process/timeline.ts). */
export const timelineQuery = defineQuery<TimelineEntry[]>('timeline');
export const TIMELINE_QUERY_DESCRIPTION = 'The case in time order: who recorded what and when, and every reminder sent (to whom, level, deadline)';

/** The input each message takes, by its update/signal name. */
export interface MessageInputs {
  laDecision: LaDecision;
  infoRequest: InfoRequest;
  infoReceived: InfoReceived;
  rapidReview: RapidReview;
  panelResponse: PanelResponse;
  lcsprStart: LcsprStart;
  views: Views;
  delay: Delay;
  nationalReviewer: NationalReviewer;
  nationalReport: NationalReport;
  subgroupAgreed: SubgroupAgreed;
  executiveSignoff: ExecutiveSignoff;
  reportSent: ReportSent;
  published: Published;
  removedFromWebsite: DoneOn;
  learningShared: DoneOn;
  staffInformed: DoneOn;
  defer: Defer;
  amend: Amend;
  withdraw: Withdraw;
}
export type MessageName = keyof MessageInputs;

export const MESSAGE_NAMES = [
  'laDecision',
  'infoRequest',
  'infoReceived',
  'rapidReview',
  'panelResponse',
  'lcsprStart',
  'views',
  'delay',
  'nationalReviewer',
  'nationalReport',
  'subgroupAgreed',
  'executiveSignoff',
  'reportSent',
  'published',
  'removedFromWebsite',
  'learningShared',
  'staffInformed',
  'defer',
  'amend',
  'withdraw',
] as const satisfies readonly MessageName[];

export const updates = Object.fromEntries(MESSAGE_NAMES.map((n) => [n, defineUpdate(n)])) as {
  [N in MessageName]: UpdateDefinition<IncidentView, [MessageInputs[N]], N>;
};

export const signals = Object.fromEntries(MESSAGE_NAMES.map((n) => [n, defineSignal(n)])) as {
  [N in MessageName]: SignalDefinition<[MessageInputs[N]], N>;
};

export const laDecisionUpdate = updates.laDecision;
export const laDecisionSignal = signals.laDecision;
