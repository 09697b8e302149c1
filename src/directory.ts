/**
 * The directory: who gets which email (DESIGN.md §5). A JSON file mapping the
 * partnership's roles and each agency's contact and safeguarding lead to
 * people. Activities read it at send time, so a changed address applies to
 * every open case at its next email.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { PARTNERSHIP_ROLES, type PartnershipRole, type Role } from './process/roles';
import { firstIssue } from './process/schemas';

const Person = z.strictObject({
  name: z.string().trim().min(1),
  email: z.email({ error: (i) => `${JSON.stringify(i.input)} is not an email address` }),
});

const AgencyId = z.string().regex(/^[a-z][a-z0-9-]*$/, { error: 'agency ids are lower-case words joined by hyphens' });

export const DirectorySchema = z.strictObject({
  /** The From address of every email. */
  from: z.string().min(3),
  roles: z.strictObject(Object.fromEntries(PARTNERSHIP_ROLES.map((r) => [r, Person])) as Record<PartnershipRole, typeof Person>),
  agencies: z.record(
    AgencyId,
    z.strictObject({ name: z.string().trim().min(1), contact: Person, safeguardingLead: Person }),
  ),
});
export type Directory = z.infer<typeof DirectorySchema>;
export type Person = z.infer<typeof Person>;

export async function loadDirectory(file: string): Promise<Directory> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new Error(`directory file ${file}: ${(err as Error).message}`);
  }
  const parsed = DirectorySchema.safeParse(raw);
  if (!parsed.success) throw new Error(firstIssue(parsed.error, `directory file ${file}: `));
  return parsed.data;
}

/** The person behind a role, or an error naming the role that the directory lacks. */
export function resolveRole(directory: Directory, role: Role): Person {
  const agency = /^agency:([^:]+):(contact|safeguarding-lead)$/.exec(role);
  if (!agency) return directory.roles[role as PartnershipRole];
  const entry = directory.agencies[agency[1]!];
  if (!entry) throw new Error(`the directory has no agency "${agency[1]}" (needed for ${role})`);
  return agency[2] === 'contact' ? entry.contact : entry.safeguardingLead;
}
