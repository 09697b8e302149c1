/** The kinds of problem `kscp doctor` reports (docs/operations.md, "Needs attention", has a section for each). No imports: `kscp --help` names them, and every step command checks for a stuck case. */
export const ATTENTION_KINDS = [
  'no-worker',
  'workflow-task-failing',
  'activity-failing',
  'not-answering',
  'email-not-sent',
  'recipients-refused',
  'deadline-not-computed',
  'flagged',
] as const;
export type AttentionKind = (typeof ATTENTION_KINDS)[number];

/** A workflow task that has failed this many times in a row is a loop, not a hiccup. */
export const FAILING_TASK_ATTEMPTS = 2;
