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
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new Error(`directory file ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`directory file ${file}: not valid JSON (${(err as Error).message})`);
  }
  const parsed = DirectorySchema.safeParse(raw);
  if (!parsed.success) throw new Error(firstIssue(parsed.error, `directory file ${file}: `));
  return parsed.data;
}

/** A role looked up in the directory: the person, or what is missing and how to fix it. */
export type RoleLookup = { ok: true; person: Person } | { ok: false; problem: string; fix: string };

/**
 * The person behind a role, or, when the directory lacks it, the problem and its fix in words an
 * operator acts on. `file` names the directory in the message (as the operator knows it).
 */
export function lookupRole(directory: Directory, role: Role, file = 'file'): RoleLookup {
  const where = `the directory ${file} (KSCP_DIRECTORY_FILE)`;
  const agency = /^agency:([^:]+):(contact|safeguarding-lead)$/.exec(role);
  if (agency) {
    const id = agency[1]!;
    const entry = Object.hasOwn(directory.agencies, id) ? directory.agencies[id] : undefined;
    if (!entry) return { ok: false, problem: `agency "${id}" is not in ${where}`, fix: 'add it, or correct the case with kscp amend' };
    const [person, title] = agency[2] === 'contact' ? [entry.contact, 'contact'] : [entry.safeguardingLead, 'safeguardingLead'];
    if (!person?.email) return { ok: false, problem: `agency "${id}" has no ${title} address in ${where}`, fix: `add its ${title} ({name, email})` };
    return { ok: true, person };
  }
  const person = Object.hasOwn(directory.roles, role) ? directory.roles[role as PartnershipRole] : undefined;
  if (!person?.email) return { ok: false, problem: `role "${role}" has no address in ${where}`, fix: `add it under "roles" ({name, email})` };
  return { ok: true, person };
}
