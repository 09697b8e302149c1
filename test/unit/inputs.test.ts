/**
 * The workflow checks its inputs by hand (src/process/inputs.ts) and `kscp` checks them with zod
 * (src/process/schemas.ts): the two must accept the same inputs, clean them the same way, and
 * refuse the others with the same first problem in the same words. This runs both over thousands
 * of generated inputs: valid ones, and each field wrong in each way (missing, wrong type, empty,
 * too long, control characters, bad dates and instants, values not allowed, unknown fields
 * including __proto__ and constructor, lists too long or with a bad item), alone and mixed.
 */
import { z } from 'zod';
import { CRITERION_IDS } from '../../src/process/criteria';
import * as H from '../../src/process/inputs';
import * as Z from '../../src/process/schemas';
import { STEP_NAMES, STEPS, type StepName } from '../../src/process/steps';

type Verdict = { ok: true; value: unknown; keys: string } | { ok: false; line: string };

/** Key order too: the cleaned value is stored in the case, and both must store the same. */
const keysOf = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.keys(x) : x));

function byZod(schema: z.ZodType, input: unknown): Verdict {
  const r = schema.safeParse(input);
  return r.success ? { ok: true, value: r.data, keys: keysOf(r.data) } : { ok: false, line: Z.firstIssue(r.error) };
}
function byHand(check: H.Check<unknown>, input: unknown): Verdict {
  const r = check(input);
  return r.ok ? { ok: true, value: r.value, keys: keysOf(r.value) } : { ok: false, line: H.problemLine(r) };
}

// Values every field is tried with ---------------------------------------------------------------

const CONTROLS = ['\u0000', '\u0007', '\b', '\t', '\n', '\u000b', '\f', '\r', '\u001b', '\u001f', '\u007f', '\u0085', '\u009f', '\u2028', '\u2029', '\u202a', '\u202e', '\u2066', '\u2069'];
const HARMLESS = ['\u200b', 'é', '’', '😀', '\u00a0'];
const LENGTHS = [79, 80, 81, 199, 200, 201, 253, 254, 255, 299, 300, 301, 999, 1000, 1001, 1999, 2000, 2001, 9999, 10_000, 10_001];
const ENUMS = [...H.RAPID_REVIEW_OUTCOMES, ...H.PANEL_DECISIONS, ...H.LCSPR_METHODOLOGIES, ...H.PUBLICATION_DECISIONS, ...H.VIEWS_FROM, ...H.WITHDRAWAL_REASONS, ...H.OFSTED_DECISIONS, ...H.REPORT_RECIPIENTS, ...CRITERION_IDS];
const DATES = ['2026-03-02', '2026-03-09', '2026-02-28', '2024-02-29', '2026-02-29', '2026-02-30', '2026-13-01', '2026-00-10', '2026-04-31', '26-03-02', '2026-3-2', '1977-12-31', '1978-01-01', '2099-12-31', '2100-01-01', '0000-01-01', '9999-12-31', ' 2026-03-02', '2026-03-02 ', '2026-03-02T00:00:00Z', '２０２６-03-02'];
const INSTANTS = [
  '2026-03-02T14:30:00Z',
  '2026-03-02T14:30Z',
  '2026-03-02T14:30:00.123456789Z',
  '2026-03-02T14:30:00.1234567890Z',
  '2026-06-02T14:30:00+01:00',
  '2026-03-01T23:30:00-05:00',
  '2026-03-02T14:30:00',
  '2026-03-02 14:30:00Z',
  '2026-02-30T10:00:00Z',
  '2026-03-02T25:00:00Z',
  '2026-03-02T14:60:00Z',
  '2026-03-02T14:30:00+24:00',
  '2026-03-02T14:30:00+0100',
  '1978-01-01T00:30:00+01:00',
  '1977-12-31T23:30:00-01:00',
  '2099-12-31T23:30:00-01:00',
  '2100-01-01T00:00:00Z',
  '2026-03-02t14:30:00z',
];
const REFS = ['KSCP-2026-014', 'KSCP-2026-1234', 'kscp-2026-014', 'KSCP-2026-14', 'KSCP 2026 014', 'A', 'A-B-C-D-E', 'A-B-C-D-E-F', 'A'.repeat(16), 'A'.repeat(17), '1KSCP', 'KSCP--1', 'KSCP-'];
const AGENCIES = ['police', 'health', 'health-trust', 'Police', '1police', 'p'.repeat(40), 'p'.repeat(41), 'po lice', 'police ', '-police', 'p'];
const EMAILS = ['officer@example.org', 'first.last@example.org.uk', "o'neil@example.org", 'a+tag@example.io', 'a@b', 'a@b.c', ' a@b.co', 'a..b@example.org', '.a@example.org', 'a@-example.org', 'a@example.c0m', `${'a'.repeat(242)}@example.com`, `${'a'.repeat(243)}@example.com`];
const URLS = [
  'https://example.org/report',
  'http://example.org',
  'HTTPS://EXAMPLE.ORG/A',
  '  https://example.org/a  ',
  'https://exa\tmple.org/a',
  'https://example.org/a\nb',
  'ftp://example.org',
  'https:example.org',
  'https:/example.org',
  'javascript:alert(1)',
  'https://',
  'https://exa mple.org',
  'https://[::1]/',
  'https://例え.jp/',
  'https://user:pass@example.org:8443/a?b=c#d',
  'https://example.org/\u0000',
  `https://example.org/${'a'.repeat(1980)}`,
  `https://example.org/${'a'.repeat(1981)}`,
  `  https://example.org/${'a'.repeat(1980)}  `,
  `https://example.org/${'a'.repeat(1970)}\t\t`,
];
const NOTIFIER = { name: 'A Person', email: 'officer@example.org', role: 'Designated Safeguarding Lead' };

function withKey(base: object, key: string, value: unknown): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...base };
  Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

const POOL: unknown[] = [
  undefined,
  null,
  true,
  false,
  0,
  1,
  -1,
  1.5,
  NaN,
  Infinity,
  -Infinity,
  2026,
  '',
  ' ',
  '   \n\t ',
  'x',
  ' x ',
  'A Person',
  'true',
  'false',
  'yes',
  'Because the threshold was met.\nSecond line.',
  ...LENGTHS.flatMap((n) => ['a'.repeat(n), `  ${'a'.repeat(n)}  `]),
  ...[...CONTROLS, ...HARMLESS].flatMap((c) => [`ab${c}cd`, `${c}x`, `x${c}`, `  x${c}  `]),
  `${'\u0007'.repeat(201)}`,
  ...DATES,
  ...INSTANTS,
  ...REFS,
  ...AGENCIES,
  ...EMAILS,
  ...URLS,
  ...ENUMS,
  'Publish',
  ' publish',
  'other ',
  [],
  ['police'],
  ['police', 'health'],
  ['police', 'police'],
  ['Police'],
  [1],
  [''],
  [null],
  [['police']],
  Array(40).fill('police'),
  Array(41).fill('police'),
  Array(41).fill(1),
  ['serious-harm'],
  [...CRITERION_IDS],
  [...CRITERION_IDS, 'serious-harm'],
  ['serious-harm', 'bogus'],
  ['died-abuse-neglect', 'care-leaver-death'],
  Array(6).fill('x'),
  {},
  { ...NOTIFIER },
  { ...NOTIFIER, extra: 1 },
  { name: 'A Person', role: 'Lead' },
  { name: 1, email: 2, role: 3 },
  { ...NOTIFIER, email: 'not an address' },
  withKey(NOTIFIER, '__proto__', { polluted: true }),
  withKey(NOTIFIER, 'constructor', 'x'),
  JSON.parse('{"__proto__": {"x": 1}}') as unknown,
  Object.create(null) as unknown,
  new Date('2026-03-02T00:00:00Z'),
];

const UNKNOWN_KEYS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype', 'extra', 'On', 'by ', '0', 'BY'];

// The pairs ---------------------------------------------------------------------------------------

const by = 'A Member Of Staff';
const VALID_STEP_INPUT: { [N in StepName]: Record<string, unknown> } = {
  laDecision: { notifiable: true, panelNotifiedOn: '2026-03-03', ofsted: 'required', ofstedNotifiedOn: '2026-03-03', decidedBy: by, rationale: 'Threshold met.', recordedAt: '2026-03-03T10:00:00+00:00' },
  ofstedNotified: { on: '2026-03-03', by },
  careLeaverNotified: { on: '2026-03-03', by },
  infoRequest: { agency: 'police', requestedOn: '2026-03-02', dueOn: '2026-03-16', by },
  infoReceived: { agency: 'police', receivedOn: '2026-03-10', by },
  rapidReview: { meetingOn: '2026-03-09', submittedOn: '2026-03-10', outcome: 'local-review', rationale: 'Learning for partners.', by },
  partnersInformed: { on: '2026-03-11', by },
  panelResponse: { receivedOn: '2026-03-20', decision: 'local-review', by },
  lcsprStart: { initiatedOn: '2026-03-21', methodology: 'thematic', by },
  views: { from: 'family', on: '2026-04-01', by },
  delay: { sentOn: '2026-09-10', reason: 'Waiting for a criminal trial.', by },
  nationalReviewer: { reviewer: 'The National Panel', appointedOn: '2026-03-25', by },
  nationalReport: { receivedOn: '2026-08-01', by },
  subgroupAgreed: { on: '2026-08-10', by },
  executiveSignoff: { on: '2026-08-20', decision: 'improvements-only', plannedPublicationOn: '2026-09-01', reasons: 'Some reasons.', by },
  reportSent: { sentOn: '2026-09-02', to: 'both', by },
  published: { on: '2026-09-01', url: 'https://example.org/report', by },
  removedFromWebsite: { on: '2027-09-01', by },
  learningShared: { on: '2026-10-01', by },
  staffInformed: { on: '2026-10-02', by },
  defer: { reason: 'A trial.', newDate: '2026-12-01', panelToldOn: '2026-08-01', by },
  amend: { field: 'laAwareOn', value: '2026-03-02', reason: 'Typed wrong.', by },
  withdraw: { reason: 'other', detail: 'Recorded on the wrong system.', by },
};
const VALID_FORM = {
  ref: 'KSCP-2026-014',
  notifyingAgency: 'police',
  notifier: NOTIFIER,
  incidentDate: '2026-03-01',
  knownAt: '2026-03-01T10:00:00Z',
  laAwareOn: '2026-03-02',
  formReceivedAt: '2026-03-01T12:00:00+00:00',
  criteria: ['serious-harm'],
  childDied: false,
  policeInvestigation: true,
  agenciesInvolved: ['police', 'health'],
  summary: 'What happened, in general words.',
};

interface Pair {
  name: string;
  zod: z.ZodType;
  hand: H.Check<unknown>;
  valid: Record<string, unknown>;
}
const OBJECTS: Pair[] = [
  { name: 'the eCase form', zod: Z.IncidentFormFields, hand: H.IncidentFormInput, valid: VALID_FORM },
  { name: 'the notifier', zod: Z.NotifierSchema, hand: H.NotifierInput, valid: NOTIFIER },
  ...STEP_NAMES.map((n) => ({ name: `step ${n}`, zod: Z.STEP_SCHEMAS[n] as z.ZodType, hand: STEPS[n].input as H.Check<unknown>, valid: VALID_STEP_INPUT[n] })),
];
const VALUES: Array<{ name: string; zod: z.ZodType; hand: H.Check<unknown> }> = [
  { name: 'a date', zod: Z.IsoDateSchema, hand: H.IsoDateInput },
  { name: 'an instant', zod: Z.InstantSchema, hand: H.InstantInput },
  { name: 'a reference', zod: Z.RefSchema, hand: H.RefInput },
  { name: 'an agency id', zod: Z.AgencyIdSchema, hand: H.AgencyIdInput },
];

const shapeOf = (schema: z.ZodType): Record<string, z.ZodType> => (schema as unknown as { shape: Record<string, z.ZodType> }).shape;

/** A small seeded generator, so a failure names an input that comes back on the next run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every input of `pair` this test tries: the valid one, each field replaced or removed, unknown fields, random mixtures, and non-objects. */
function inputsFor(pair: Pair): unknown[] {
  const shape = shapeOf(pair.zod);
  const keys = Object.keys(shape);
  const out: unknown[] = [pair.valid, ...POOL];
  for (const key of keys) {
    const { [key]: _dropped, ...without } = pair.valid;
    out.push(without);
    for (const v of POOL) out.push(withKey(pair.valid, key, v));
  }
  for (const extra of UNKNOWN_KEYS) {
    out.push(withKey(pair.valid, extra, 1));
    out.push(withKey(withKey(pair.valid, extra, 1), 'another', 'x'));
    out.push(withKey(withKey(pair.valid, keys[0]!, 42), extra, 1));
  }
  // Mixtures: mostly values each field accepts on its own, so the rules across fields are reached.
  const fieldValid = Object.fromEntries(keys.map((k) => [k, POOL.filter((v) => v !== undefined && shape[k]!.safeParse(v).success)]));
  const next = random(keys.length * 7919 + pair.name.length);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  for (let i = 0; i < 600; i++) {
    let input: Record<string, unknown> = {};
    for (const k of keys) {
      const r = next();
      if (r < 0.15) continue;
      input = withKey(input, k, r < 0.8 && fieldValid[k]!.length ? pick(fieldValid[k]!) : pick(POOL));
    }
    if (next() < 0.1) input = withKey(input, pick(UNKNOWN_KEYS), pick(POOL));
    out.push(input);
  }
  return out;
}

function disagreements(zod: z.ZodType, hand: H.Check<unknown>, inputs: readonly unknown[]) {
  const found: Array<{ input: unknown; zod: Verdict; hand: Verdict }> = [];
  for (const input of inputs) {
    const a = byZod(zod, input);
    const b = byHand(hand, input);
    const same = a.ok && b.ok ? a.keys === b.keys && JSON.stringify(a.value) === JSON.stringify(b.value) : !a.ok && !b.ok && a.line === b.line;
    if (!same) found.push({ input, zod: a, hand: b });
  }
  return found;
}

describe('the workflow’s hand-written checks agree with the zod schemas kscp uses', () => {
  let tried = 0;
  let accepted = 0;
  const messages = new Set<string>();

  it.each(OBJECTS.map((p) => [p.name, p] as const))('%s: same accept/refuse, same first problem, same cleaned value', (_name, pair) => {
    expect(byHand(pair.hand, pair.valid)).toMatchObject({ ok: true });
    const inputs = inputsFor(pair);
    for (const input of inputs) {
      const v = byHand(pair.hand, input);
      if (v.ok) accepted++;
      else messages.add(v.line.replace(/"[^"]*"|\d+/g, '…'));
    }
    tried += inputs.length;
    expect(disagreements(pair.zod, pair.hand, inputs).slice(0, 5)).toEqual([]);
  });

  it.each(VALUES.map((p) => [p.name, p] as const))('%s on its own', (_name, pair) => {
    tried += POOL.length;
    expect(disagreements(pair.zod, pair.hand, POOL).slice(0, 5)).toEqual([]);
  });

  it('tried thousands of inputs, both accepted and refused, with many different problems', () => {
    expect(tried).toBeGreaterThan(50_000);
    expect(accepted).toBeGreaterThan(2_000);
    expect(tried - accepted).toBeGreaterThan(40_000);
    expect(messages.size).toBeGreaterThan(100);
  });
});

describe('a correction’s typed value (amend) reads as it did with zod', () => {
  const zodBool = z.enum(['true', 'false']).transform((v) => v === 'true');
  const zodList = <T>(item: z.ZodType<T, string>) =>
    z
      .string()
      .transform((v) => v.split(',').map((x) => x.trim()))
      .pipe(z.array(item).min(1));
  const texts = [...POOL.filter((v): v is string => typeof v === 'string'), 'police,health', 'police, health ', 'police,,health', ',', 'police,Police', 'serious-harm,care-leaver-death', 'serious-harm, bogus'];
  const same = (zod: z.ZodType, hand: H.Check<unknown>) =>
    texts.filter((t) => {
      const a = zod.safeParse(t);
      const b = hand(t);
      return a.success !== b.ok || (a.success && b.ok && JSON.stringify(a.data) !== JSON.stringify(b.value));
    });

  it('true/false, agency lists and criteria lists accept the same texts and read the same values', () => {
    expect(same(zodBool, H.TrueFalseText)).toEqual([]);
    expect(same(zodList(Z.AgencyIdSchema), H.commaList(H.AgencyIdInput))).toEqual([]);
    expect(same(zodList(z.enum(CRITERION_IDS)), H.commaList(H.CriterionInput))).toEqual([]);
  });
});
