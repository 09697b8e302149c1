/**
 * The stages of a serious-incident case, as the partnership's guide names them (DESIGN.md §1).
 * The eCase form opens a case straight into LA_DECISION: nothing waits in a "notified" stage.
 */
export const STAGES = ['LA_DECISION', 'RAPID_REVIEW', 'PANEL_RESPONSE', 'LCSPR', 'NATIONAL_REVIEW', 'SIGN_OFF', 'PUBLISHED', 'LEARNING', 'CLOSED'] as const;
export type Stage = (typeof STAGES)[number];

/** Every stage but CLOSED: where a correction, a withdrawal or an agency's response can be recorded. */
export const OPEN_STAGES = STAGES.filter((s): s is Exclude<Stage, 'CLOSED'> => s !== 'CLOSED');

export const STAGE_TITLES: Record<Stage, string> = {
  LA_DECISION: 'Waiting for the LA decision on notification',
  RAPID_REVIEW: 'Rapid Review',
  PANEL_RESPONSE: "Waiting for the National Panel's response",
  LCSPR: 'Local child safeguarding practice review (LCSPR)',
  NATIONAL_REVIEW: 'National review',
  SIGN_OFF: 'Sign-off and publication',
  PUBLISHED: 'Published (on the website)',
  LEARNING: 'Learning',
  CLOSED: 'Closed',
};

/** Which way the case went after the LA decision, for the case board and the timeliness report. */
export const ROUTES = ['not-notifiable', 'care-leaver-only', 'lcspr', 'national-review', 'no-further-review', 'withdrawn'] as const;
export type Route = (typeof ROUTES)[number];

export const ROUTE_TITLES: Record<Route, string> = {
  'not-notifiable': 'not notifiable',
  'care-leaver-only': "care leaver's death (notified to the Secretary of State and Ofsted; no Rapid Review)",
  lcspr: 'local review (LCSPR)',
  'national-review': 'national review',
  'no-further-review': 'no further review',
  withdrawn: 'withdrawn',
};
