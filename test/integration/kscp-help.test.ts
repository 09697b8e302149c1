/** Every `kscp` command answers --help, and usage errors are refused with exit 2. */
import { ATTENTION_KINDS } from '../../src/cli/attentionKinds';
import { STEPS } from '../../src/process/steps';
import { kscp } from '../helpers/processes';

const COMMANDS = [
  [],
  ['notify'],
  ...Object.values(STEPS).map((st) => [st.command]),
  ['status'],
  ['list'],
  ['deadlines'],
  ['timeline'],
  ['report'],
  ['doctor'],
  ['calendar'],
  ['calendar', 'add-working-days'],
  ['calendar', 'subtract-working-days'],
  ['calendar', 'add-months'],
  ['calendar', 'is-working-day'],
  ['calendar', 'bank-holidays'],
  ['keys'],
  ['keys', 'rotate'],
];

it.each(COMMANDS)('kscp %s --help describes the command and exits 0', async (...command) => {
  const run = await kscp([...command, '--help'], {});
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(new RegExp(`^Usage: kscp ${command.join(' ')}`.trim()));
  expect(run.stdout.split('\n').length).toBeGreaterThan(4);
});

it('lists every stage command in the top-level help', async () => {
  const run = await kscp(['--help'], {});
  for (const c of Object.values(STEPS)) expect(run.stdout).toMatch(new RegExp(`^  ${c.command} \\[options\\] <ref>`, 'm'));
});

it('documents exit 7 (needs attention) and every kind kscp doctor reports', async () => {
  const top = await kscp(['--help'], {});
  expect(top.stdout).toMatch(/^ {2}doctor \[options\] +Every open case that needs attention/m);
  expect(top.stdout).toMatch(/\n7 a case needs attention/);
  const doctor = await kscp(['doctor', '--help'], {});
  for (const kind of ATTENTION_KINDS) expect(doctor.stdout.replace(/\s+/g, ' ')).toContain(kind);
  expect(doctor.stdout).toContain('Exit 0 when nothing needs attention, 7 when something does.');
});

it.each([
  [['frobnicate'], /unknown command 'frobnicate'/],
  [['list', '--colour'], /unknown option '--colour'/],
  [['status'], /missing required argument 'ref'/],
  [['timeline'], /missing required argument 'ref'/],
  [['timeline', 'case-1'], /<ref>: "case-1" is not a case reference/],
  [['list', '--stage', 'DONE'], /--stage: "DONE" is not a stage \(allowed: LA_DECISION, /],
  [['deadlines', '--within', '-1'], /--within: must be a whole number of calendar days from 0 to 3660/],
  [['deadlines', '--json', '--ics'], /--json and --ics: choose one output/],
  [['la-decision', 'KSCP-2026-001', '--notifiable', 'yes', '--ofsted', 'not-required', '--panel-notified', '2026-01-05'], /required option '--by <name>' not specified/],
  [['status', 'KSCP-2026-001', 'extra'], /too many arguments/],
  [['doctor', '--all'], /unknown option '--all'/],
  [['doctor', 'KSCP-2026-001'], /too many arguments/],
  [['status', 'case-1'], /<ref>: "case-1" is not a case reference/],
  [['calendar', 'add-working-days', '2026-02-29', '5'], /DATE: "2026-02-29" is not a real date/],
  [['calendar', 'add-working-days', '2026-02-27', '-1'], /N: must be a whole number from 0 to 5000/],
  [['report', '--to', '2026-12-31'], /required option '--from <date>' not specified/],
  [['report', '--from', '2026-02-30', '--to', '2026-12-31'], /--from: "2026-02-30" is not a real date written YYYY-MM-DD/],
  [['report', '--from', '2026-01-01', '--to', '31/12/2026'], /--to: "31\/12\/2026" is not a real date written YYYY-MM-DD/],
  [['report', '--from', '2026-03-01', '--to', '2026-01-01'], /--to: 2026-01-01 is before --from 2026-03-01/],
  [['report', '--from', '2026-01-01', '--to', '2026-12-31', '--csv', '--json'], /--csv and --json: choose one/],
])('kscp %j is refused with exit 2', async (args, message) => {
  const run = await kscp(args, {});
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(message);
});

it('calendar commands print the resulting date as the last line', async () => {
  const add = await kscp(['calendar', 'add-working-days', '2025-12-22', '5'], {});
  expect(add.stdout.trim().split('\n').at(-1)).toBe('2025-12-31');
  expect(add.stdout).toContain('Thursday 25 December 2025: bank holiday: Christmas Day');
  const sub = await kscp(['calendar', 'subtract-working-days', '2026-01-06', '7'], {});
  expect(sub.stdout.trim().split('\n').at(-1)).toBe('2025-12-23');
  const months = await kscp(['calendar', 'add-months', '2026-08-31', '6'], {});
  expect(months.stdout.trim().split('\n').at(-1)).toBe('2027-02-28');
  const why = await kscp(['calendar', 'is-working-day', '2023-05-08'], {});
  expect(why.stdout).toMatch(/^2023-05-08 \(Monday 8 May 2023\) is not a working day: bank holiday: .*coronation/);
});
