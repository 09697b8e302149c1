/**
 * Who an email goes to, by role. Workflows name roles; activities resolve
 * them to addresses from the directory at send time (DESIGN.md §5), so a
 * changed contact applies to every open case at its next email.
 */
export const PARTNERSHIP_ROLES = [
  'business-unit',
  'business-manager',
  'la-lead',
  'cspr-subgroup-chair',
  'executive-chair',
  'learning-subgroup',
] as const;
export type PartnershipRole = (typeof PARTNERSHIP_ROLES)[number];

export type AgencyRole = `agency:${string}:contact` | `agency:${string}:safeguarding-lead`;
export type Role = PartnershipRole | AgencyRole;

export const ROLE_TITLES: Record<PartnershipRole, string> = {
  'business-unit': 'the KSCP Business Unit',
  'business-manager': 'the KSCP Business Manager',
  'la-lead': "the local authority's lead for serious incidents",
  'cspr-subgroup-chair': 'the chair of the CSPR sub-group',
  'executive-chair': 'the chair of the KSCP Executive',
  'learning-subgroup': 'the Learning and Development Subgroup',
};

export function agencyContact(agencyId: string): AgencyRole {
  return `agency:${agencyId}:contact`;
}
