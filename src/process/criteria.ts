/**
 * The notifiable-incident criteria: the four of the partnership's guide ("What is a Serious
 * Incident that requires KSCP Notification?"), plus the death of a care leaver up to and including
 * the age of 24, which Working Together 2023 (chapter 5, December 2023) asks the LA to notify to the
 * Secretary of State and Ofsted within 5 working days, whether or not abuse or neglect is known or
 * suspected. At least one must hold for a case to be opened.
 */
export const CRITERIA = {
  'died-abuse-neglect': 'A child has died (including suspected suicide) and abuse or neglect is known or suspected',
  'serious-harm': "A child has been 'seriously harmed' and abuse or neglect is known or suspected",
  'looked-after-death': 'A looked after child has died (whether or not abuse or neglect is known or suspected)',
  'regulated-setting-death': 'A child in a regulated setting or service has died (whether or not abuse or neglect is known or suspected)',
  'care-leaver-death': 'A care leaver up to and including the age of 24 has died (whether or not abuse or neglect is known or suspected)',
} as const;

export type Criterion = keyof typeof CRITERIA;
export const CRITERION_IDS = Object.keys(CRITERIA) as [Criterion, ...Criterion[]];

/** Criteria that apply only when a child (under 18) has died: CDOP procedures apply. */
export const CHILD_DEATH_CRITERIA: readonly Criterion[] = ['died-abuse-neglect', 'looked-after-death', 'regulated-setting-death'];

/** The criteria that make an incident a matter for the National Panel (all but the care leaver's death). */
export const PANEL_CRITERIA: readonly Criterion[] = ['died-abuse-neglect', 'serious-harm', 'looked-after-death', 'regulated-setting-death'];

export const CRITERION_TITLES: Record<Criterion, string> = {
  'died-abuse-neglect': 'child died, abuse or neglect known or suspected',
  'serious-harm': 'child seriously harmed, abuse or neglect known or suspected',
  'looked-after-death': 'death of a looked after child',
  'regulated-setting-death': 'death in a regulated setting',
  'care-leaver-death': 'death of a care leaver (up to and including 24)',
};

/** A case whose only criterion is a care leaver's death: no Panel notification and no Rapid Review. */
export function careLeaverOnly(criteria: readonly Criterion[]): boolean {
  return criteria.length > 0 && criteria.every((c) => c === 'care-leaver-death');
}
