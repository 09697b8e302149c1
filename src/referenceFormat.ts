/**
 * The partnership's case reference format: configuration, not code (config/reference.json, or the
 * file KSCP_REFERENCE_FILE names), read by `kscp`, `npm start` and the case board, so another
 * partnership (or a test prefix) uses its own references:
 *
 *   { "pattern": "^KSCP-[0-9]{4}-[0-9]{3,4}$", "example": "KSCP-2026-014" }
 *
 * A reference is typed in any case and normalised (trimmed, upper case) before it is checked, so
 * `kscp status kscp-2026-014` reads case KSCP-2026-014. Whatever the pattern, a reference must also
 * be safe in a workflow id, a file name and a terminal (SAFE_REF: capital letters and digits in
 * parts joined by hyphens), so a pattern that allows more is refused when the file is read.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { DEFAULT_REF_PATTERN, normaliseRef, SAFE_REF } from './process/schemas';

export { normaliseRef } from './process/schemas';

export interface ReferenceFormat {
  /** Tested against the normalised reference, whole. */
  regex: RegExp;
  /** A reference that fits, for messages and help ("e.g. KSCP-2026-014"). */
  example: string;
  /** Where it came from (the file, or the built-in default). */
  source: string;
}

export const DEFAULT_REFERENCE_FORMAT: ReferenceFormat = { regex: DEFAULT_REF_PATTERN, example: 'KSCP-2026-014', source: 'the built-in default' };

export class ReferenceFormatError extends Error {}

const FileSchema = z.strictObject({
  pattern: z.string({ error: (i) => (i.input === undefined ? 'is required: a regular expression a reference must match, e.g. "^KSCP-[0-9]{4}-[0-9]{3,4}$"' : 'must be text: a regular expression') }).min(1, { error: 'must not be empty' }).max(200, { error: 'is too long (at most 200 characters)' }),
  example: z.string({ error: (i) => (i.input === undefined ? 'is required: a reference that fits the pattern, e.g. "KSCP-2026-014"' : 'must be text: a reference that fits the pattern') }),
});

/** The format in `text` (the file's content); `file` names it in every message. */
export function parseReferenceFormat(text: string, file: string): ReferenceFormat {
  const where = `reference file ${file} (KSCP_REFERENCE_FILE)`;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ReferenceFormatError(`${where}: not valid JSON (${(err as Error).message}); it holds {"pattern": "...", "example": "..."}`);
  }
  const parsed = FileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.map(String).join('.');
    const message = issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.map((k) => JSON.stringify(k)).join(', ')} (allowed: pattern, example)` : issue.message;
    throw new ReferenceFormatError(`${where}: ${field ? `${field}: ` : ''}${message}`);
  }
  const { pattern, example } = parsed.data;
  let regex: RegExp;
  try {
    new RegExp(pattern);
    // Anchored whatever was written: a reference fits the whole pattern or not at all.
    regex = new RegExp(`^(?:${pattern})$`);
  } catch (err) {
    throw new ReferenceFormatError(`${where}: pattern: ${JSON.stringify(pattern)} is not a valid regular expression (${(err as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /, '')})`);
  }
  if (normaliseRef(example) !== example) throw new ReferenceFormatError(`${where}: example: ${JSON.stringify(example)} must be written as references are stored: in capitals, without spaces around it`);
  if (!regex.test(example)) throw new ReferenceFormatError(`${where}: example: ${JSON.stringify(example)} does not fit the pattern ${JSON.stringify(pattern)}: give a reference that does`);
  if (!SAFE_REF.test(example))
    throw new ReferenceFormatError(`${where}: example: ${JSON.stringify(example)} is not a safe reference: every reference must be capital letters and digits in up to 5 parts joined by hyphens (e.g. KSCP-2026-014); change the pattern to allow only those`);
  return { regex, example, source: file };
}

/** The format from `file`; the built-in KSCP format when no file is named. One clear line when it cannot be used. */
export function loadReferenceFormat(file: string | undefined): ReferenceFormat {
  if (!file) return DEFAULT_REFERENCE_FORMAT;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ReferenceFormatError(`reference file ${file} (KSCP_REFERENCE_FILE): cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return parseReferenceFormat(text, file);
}

export type RefCheck = { ok: true; ref: string } | { ok: false; problem: string };

/** A reference as typed, normalised and checked: safe, and in the partnership's format. */
export function checkRef(typed: string, format: ReferenceFormat): RefCheck {
  const ref = normaliseRef(typed);
  if (!SAFE_REF.test(ref) || !format.regex.test(ref)) return { ok: false, problem: `${JSON.stringify(typed)} is not a case reference: use the partnership's format, e.g. ${format.example}` };
  return { ok: true, ref };
}
