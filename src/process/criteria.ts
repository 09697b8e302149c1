/**
 * The four notifiable-incident criteria from the partnership's guide
 * ("What is a Serious Incident that requires KSCP Notification?").
 * At least one must hold for an incident to be notifiable.
 */
export const CRITERIA = {
  'died-abuse-neglect': 'A child has died (including suspected suicide) and abuse or neglect is known or suspected',
  'serious-harm': "A child has been 'seriously harmed' and abuse or neglect is known or suspected",
  'looked-after-death': 'A looked after child has died (whether or not abuse or neglect is known or suspected)',
  'regulated-setting-death':
    'A child in a regulated setting or service has died (whether or not abuse or neglect is known or suspected)',
} as const;

export type Criterion = keyof typeof CRITERIA;
export const CRITERION_IDS = Object.keys(CRITERIA) as [Criterion, ...Criterion[]];

/** Criteria that can only be met when the child has died. */
export const DEATH_CRITERIA: readonly Criterion[] = ['died-abuse-neglect', 'looked-after-death', 'regulated-setting-death'];
