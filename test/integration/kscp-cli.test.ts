/**
 * `kscp` as people expect a command to behave, run as a user runs it: `--version`, bare `kscp`,
 * references typed in any case, the reference format from its file (another partnership's
 * format, and every malformed file refused), and every configuration or input error one line
 * naming the setting or the field and what to do, never a stack trace. Real dev server and worker.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { StatusJson } from '../../src/cli/commands/status';
import { londonDate } from '../../src/london';
import { addDays } from '../../src/process/dates';
import { fictionalForm, nextRef, REPO_ROOT } from '../helpers/fixtures';
import { kscp, type Run } from '../helpers/processes';
import { startStack, type Stack } from '../helpers/stack';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'kscp-cli-'));
const today = londonDate(new Date());
const by = 'Test Officer';
let stack: Stack;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  stack = await startStack({ namespace: 'kscp-cli', dataDir: tmp });
  env = stack.env;
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

/** One line on stderr, naming what to fix, no stack trace, nothing on stdout. */
function oneLine(run: Run, code: number, message: RegExp): void {
  expect({ code: run.code, stdout: run.stdout, lines: run.stderr.trimEnd().split('\n').length }).toEqual({ code, stdout: '', lines: 1 });
  expect(run.stderr.trimEnd()).toMatch(message);
  expect(run.stderr).not.toMatch(/\n\s+at |unexpected error/);
}

function form(ref: string, overrides: Record<string, unknown> = {}): string {
  const f = { ...fictionalForm({ incidentDate: addDays(today, -1), knownAt: new Date(Date.now() - 3_600_000).toISOString(), laAwareOn: today }), ref, ...overrides };
  const file = path.join(tmp, `form-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(f));
  return file;
}

describe('the command itself', () => {
  it('kscp --version prints the version from package.json', async () => {
    const { version } = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) expect(await kscp([flag], {})).toMatchObject({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('kscp alone prints the help on stdout and exits 0', async () => {
    const run = await kscp([], {});
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/^Usage: kscp \[options\] \[command\]/);
    expect(run.stdout).toContain('`kscp` alone prints this\nhelp and exits 0.');
    expect(run.stdout).toBe((await kscp(['--help'], {})).stdout);
  });
});

describe('references', () => {
  const ref = nextRef(2026);

  it('are normalised, in the form and on the command line: any case is the same case', async () => {
    const opened = await kscp(['notify', '--file', form(ref.toLowerCase())], env);
    expect(opened.code).toBe(0);
    expect(opened.stdout.trim().split('\n').at(-1)).toBe(`incident-${ref}`);
    const s = JSON.parse((await kscp(['status', ` ${ref.toLowerCase()} `, '--json'], env)).stdout) as StatusJson;
    expect(s.ref).toBe(ref);
    const mixed = ref.replace('KSCP', 'Kscp');
    const decided = await kscp(['la-decision', mixed, '--notifiable', 'yes', '--panel-notified', today, '--ofsted', 'not-required', '--by', by], env);
    expect(decided.code).toBe(0);
    expect(decided.stdout).toMatch(new RegExp(`^Recorded for ${ref}: LA decided the incident is notifiable`));
    expect((await kscp(['timeline', ref.toLowerCase()], env)).stdout).toMatch(new RegExp(`^Case ${ref}: stage RAPID_REVIEW`));
  });

  it("follow the partnership's format from KSCP_REFERENCE_FILE (another partnership, or a test prefix)", async () => {
    const file = path.join(tmp, 'reference.json');
    writeFileSync(file, JSON.stringify({ pattern: '^TEST-[0-9]{3}$', example: 'TEST-001' }));
    const withFormat = { ...env, KSCP_REFERENCE_FILE: file };
    const opened = await kscp(['notify', '--file', form('test-417')], withFormat);
    expect(opened.code).toBe(0);
    expect(opened.stdout.trim().split('\n').at(-1)).toBe('incident-TEST-417');
    expect((await kscp(['status', 'test-417', '--json'], withFormat)).code).toBe(0);
    oneLine(await kscp(['status', 'KSCP-2026-014'], withFormat), 2, /^kscp: <ref>: "KSCP-2026-014" is not a case reference: use the partnership's format, e.g. TEST-001$/);
    const refused = await kscp(['notify', '--file', form('KSCP-2026-777')], withFormat);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/: ref: "KSCP-2026-777" is not a case reference: use the partnership's format, e.g. TEST-001$/m);
    // The help shows the partnership's example.
    expect((await kscp(['status', '--help'], withFormat)).stdout).toContain('the case reference, e.g. TEST-001 (any case)');
    // And the default format refuses the test prefix.
    oneLine(await kscp(['status', 'TEST-417'], env), 2, /^kscp: <ref>: "TEST-417" is not a case reference: use the partnership's format, e.g. KSCP-2026-014$/);
  });

  it.each([
    ['not JSON', '{pattern', /not valid JSON/],
    ['a pattern that is not a regular expression', '{"pattern": "KSCP-[0-9", "example": "KSCP-2026-014"}', /pattern: "KSCP-\[0-9" is not a valid regular expression/],
    ['an example that does not fit', '{"pattern": "^TEST-[0-9]{3}$", "example": "KSCP-2026-014"}', /example: "KSCP-2026-014" does not fit the pattern/],
    ['no pattern', '{"example": "TEST-001"}', /pattern: is required/],
  ])('a reference file with %s is refused in one line naming the file and the setting', async (_what, content, message) => {
    const file = path.join(tmp, `bad-reference-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, content);
    for (const args of [['status', 'KSCP-2026-014'], ['notify', '--file', form(nextRef(2026))]]) {
      const run = await kscp(args, { ...env, KSCP_REFERENCE_FILE: file });
      oneLine(run, 2, new RegExp(`^kscp: reference file ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} \\(KSCP_REFERENCE_FILE\\): `));
      expect(run.stderr).toMatch(message);
    }
    oneLine(await kscp(['status', 'KSCP-2026-014'], { ...env, KSCP_REFERENCE_FILE: path.join(tmp, 'missing.json') }), 2, /reference file .*missing\.json \(KSCP_REFERENCE_FILE\): cannot read it \(ENOENT\)/);
  });
});

describe('configuration and input errors: one line naming the setting or field, no stack trace', () => {
  it('a namespace that does not exist', async () => {
    for (const args of [['list'], ['status', 'KSCP-2026-014'], ['deadlines']]) {
      oneLine(await kscp(args, { ...env, TEMPORAL_NAMESPACE: 'no-such-namespace' }), 2, /^kscp: TEMPORAL_NAMESPACE=no-such-namespace: Temporal at 127\.0\.0\.1:\d+ has no namespace "no-such-namespace": set TEMPORAL_NAMESPACE to the namespace the worker uses/);
    }
  });

  it('an eCase form without its summary: "is required"', async () => {
    const file = form(nextRef(2026));
    const f = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    delete f.summary;
    writeFileSync(file, JSON.stringify(f));
    oneLine(await kscp(['notify', '--file', file], env), 2, /^kscp: .*: summary: is required$/);
  });

  it.each([
    ['KSCP_DIRECTORY_FILE', '{"from": ', ['notify', '--file'], /^kscp: directory file .*: not valid JSON \(.*\) \(KSCP_DIRECTORY_FILE\)$/],
    ['KSCP_CALENDAR_FILE', '{"extraHolidays": [{"date": "2026-02-30", "name": "x"}]}', ['calendar', 'add-working-days', '2026-12-01', '5'], /^kscp: calendar file .*: extraHolidays\.0\.date: "2026-02-30" is not a real date .*\(KSCP_CALENDAR_FILE\)$/],
    ['KSCP_CALENDAR_FILE', 'not json', ['calendar', 'add-working-days', '2026-12-01', '5'], /^kscp: calendar file .*: not valid JSON \(.*\) \(KSCP_CALENDAR_FILE\)$/],
    ['KSCP_ARCHIVE_FILE', 'this is not an SQLite database, just text that is long enough to be read as a header....', ['status', 'KSCP-2026-998'], /^kscp: the case archive .* cannot be read \(file is not a database\): point KSCP_ARCHIVE_FILE at the archive's SQLite file/],
  ])('a malformed %s', async (setting, content, args, message) => {
    const file = path.join(tmp, `bad-${setting}-${Math.random().toString(36).slice(2)}`);
    writeFileSync(file, content);
    const argv = args[0] === 'notify' ? [...args, form(nextRef(2026))] : args;
    oneLine(await kscp(argv, { ...env, [setting]: file }), 2, message);
  });

  it('a setting that is not a number, and a web address that is not one', async () => {
    oneLine(await kscp(['list'], { ...env, KSCP_BOARD_PORT: 'eighty' }), 2, /^kscp: KSCP_BOARD_PORT=eighty: must be a whole number from 1 to 65535$/);
    oneLine(await kscp(['list'], { ...env, KSCP_UI_URL: 'temporal.example.org/ui' }), 2, /^kscp: KSCP_UI_URL=temporal\.example\.org\/ui: not a web address/);
  });
});

describe('what a step prints', () => {
  it('the stage, the due dates it set (never "being computed"), and the next command', async () => {
    const ref = nextRef(2026);
    expect((await kscp(['notify', '--file', form(ref)], env)).code).toBe(0);
    await kscp(['la-decision', ref, '--notifiable', 'yes', '--panel-notified', today, '--ofsted', 'not-required', '--by', by], env);
    const run = await kscp(['info-request', ref, '--agency', 'police', '--requested', today, '--due', addDays(today, 7), '--by', by], env);
    expect(run.code).toBe(0);
    const s = JSON.parse((await kscp(['status', ref, '--json'], env)).stdout) as StatusJson;
    const due = (name: string) => new Date(`${s.deadlines.find((d) => d.name === name)!.due}T12:00:00Z`).toLocaleDateString('en-GB', { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).replace(',', '');
    expect(run.stdout.split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^Recorded for ${ref}: Information requested from police`)),
      'Stage: RAPID_REVIEW (Rapid Review).',
      `  Due: information requested from an agency [info-request:police]: by the end of ${due('info-request:police')}.`,
      `  Due: Rapid Review template to the National Panel: by the end of ${due('rapid-review')}.`,
      `Next: kscp info-received ${ref} --agency police --received YYYY-MM-DD --by "Name"`,
      '',
    ]);
  });
});
