/**
 * The step commands of `kscp`, one per declared step of the process, built from one table
 * (../stepCommands.ts). Input is checked here first (shape, London dates, agency ids) and then by
 * the case itself (the workflow's update validator), so a message that does not fit is refused
 * with the reason and nothing changes. After recording, each command prints what it set: the
 * stage, the due dates now open (computed before the command returns), what it met and whether on
 * time, and the next thing the Business Unit must do.
 */
import type { UpdateDefinition } from '@temporalio/common';
import type { Command } from 'commander';
import type { AnyStep } from '../../process/engine';
import type { IncidentState, IncidentView } from '../../process/incident';
import { stateQuery, updates } from '../../process/messages';
import { STEPS, type StepName } from '../../process/steps';
import { STAGE_TITLES } from '../../process/stages';
import { STEP_SCHEMAS } from '../../process/schemas';
import { kindOf, timescale, type DeadlineName } from '../../process/timescales';
import { verdict } from '../../process/caseBoard';
import { overdueWords, WORDS } from '../../process/stateWords';
import { formatLondonDateTime, formatLongDate, londonDate } from '../../london';
import { commandHint, commandOf, STAGE_STEPS, STEP_COMMANDS, stepsFor, type Flag, type StepCommand } from '../stepCommands';
import { client, directory, openCaseHandle, parseRef, settings, today, withWorker } from '../context';
import { badInput, CliError, EXIT } from '../errors';
import { printable, printableLines } from '../format';

/** commander's camelCase key for a flag: '--planned-publication <date>' -> plannedPublication. */
export function optionKey(flag: string): string {
  return flag.replace(/^--/, '').replace(/ .*$/, '').replace(/-(\w)/g, (_m, c: string) => c.toUpperCase());
}

const flagName = (f: Flag): string => f.flag.replace(/ .*$/, '');

/** Replace a message field name at the start of a refusal with the flag a person typed. */
export function withFlagNames(message: string, flags: readonly Flag[]): string {
  return message.replace(/^(\w+):/, (m, field: string) => {
    const f = flags.find((x) => x.field === field);
    return f ? `${flagName(f)}:` : m;
  });
}

/** The step's input from the flags given, checked as far as the client can: exit 2 with the flag's name when not. */
export async function inputFromFlags(name: StepName, opts: Record<string, string | undefined>): Promise<Record<string, unknown>> {
  const spec = STEP_COMMANDS[name] as StepCommand<StepName>;
  const londonToday = today();
  const input: Record<string, unknown> = {};
  let agencies: string[] | undefined;
  for (const f of spec.flags) {
    const value = opts[optionKey(f.flag)];
    if (value === undefined) continue;
    const flag = flagName(f);
    if (f.kind === 'past-date' && /^\d{4}-\d{2}-\d{2}$/.test(value) && value > londonToday) throw badInput(`${flag}: ${value} is in the future (today is ${londonToday})`);
    if (f.kind === 'choice' && !f.choices!.includes(value)) throw badInput(`${flag}: ${JSON.stringify(value)} is not allowed (allowed: ${f.choices!.join(', ')})`);
    if (f.kind === 'yes-no') {
      const answer = value.toLowerCase();
      if (answer !== 'yes' && answer !== 'no') throw badInput(`${flag}: must be yes or no, not ${JSON.stringify(value)}`);
      input[f.field] = answer === 'yes';
      continue;
    }
    if (f.kind === 'agency') {
      agencies ??= Object.keys((await directory(settings())).agencies);
      if (!agencies.includes(value)) throw badInput(`${flag}: ${JSON.stringify(value)} is not an agency in the directory (allowed: ${agencies.join(', ')})`);
    }
    input[f.field] = value;
  }
  const parsed = STEP_SCHEMAS[name].safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw badInput(withFlagNames(`${String(issue.path[0] ?? '')}: ${issue.message}`, spec.flags));
  }
  return input;
}

/** Send a step to a case and return the case as it stood before and stands after it; refusals become clear errors. */
export async function sendStep(ref: string, name: StepName, input: unknown): Promise<{ before: IncidentView; after: IncidentView }> {
  const c = await client(settings());
  const handle = await openCaseHandle(c, ref);
  const flags = (STEP_COMMANDS[name] as StepCommand<StepName>).flags;
  try {
    const update = updates[name] as UpdateDefinition<IncidentView, [unknown]>;
    return await withWorker(c, `recording ${commandOf(name)} for ${ref}`, async () => {
      const before = await handle.query(stateQuery);
      const after = await handle.executeUpdate(update, { args: [input] });
      return { before, after };
    });
  } catch (err) {
    const { WorkflowUpdateFailedError } = await import('@temporalio/client');
    const { ApplicationFailure } = await import('@temporalio/common');
    if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
      throw new CliError(`refused: ${withFlagNames(err.cause.message, flags)}`, err.cause.type === 'WrongStage' ? EXIT.refused : EXIT.badInput);
    }
    throw err;
  }
}

const when = (d: IncidentView['deadlines'][number]): string => (d.due ? formatLongDate(d.due) : 'being computed (kscp status shows it shortly)');
const named = (d: { name: DeadlineName }): string => `${timescale(kindOf(d.name)).due}${d.name.includes(':') ? ` [${d.name}]` : ''}`;

/** What a person wants to read after recording: what was recorded, the stage, what was met and how, what is due, what to do next. */
export function afterRecording(ref: string, before: IncidentView | undefined, view: IncidentView): string[] {
  const was = new Map((before?.deadlines ?? []).map((d) => [d.name, d]));
  const lines = [`Recorded for ${ref}: ${printable(view.events.at(-1)?.what ?? '')}`, `Stage: ${view.stage} (${STAGE_TITLES[view.stage]}).`];
  const metNow = view.deadlines.filter((d) => d.status === 'met' && was.get(d.name)?.status !== 'met');
  for (const d of metNow) {
    // The eCase form is due at an instant (24 clock hours): its date and London time; any other, its date.
    const due = d.dueAt && d.clock.timescale === 'ecase-form' ? `${formatLongDate(londonDate(new Date(d.dueAt)))} at ${formatLondonDateTime(new Date(d.dueAt)).replace(/^.*, /, '')}` : d.due ? formatLongDate(d.due) : undefined;
    lines.push(`  Met: ${named(d)}: ${verdict(d) || 'recorded'}${due ? ` (due by ${due})` : ''}.`);
  }
  const open = view.deadlines.filter((d) => d.status === 'open' || d.status === 'overdue').sort(byChasedDate);
  for (const d of open) {
    const revised = d.revisedTarget ? `; ${WORDS.deferred}: revised target ${formatLongDate(d.revisedTarget)}` : '';
    lines.push(`  Due: ${named(d)}: by the end of ${when(d)}${revised}${d.status === 'overdue' ? ` (${overdueWords(d.workingDaysLate)})` : ''}.`);
  }
  const cancelledNow = view.deadlines.filter((d) => d.status === 'cancelled' && before && was.get(d.name)?.status !== 'cancelled');
  for (const d of cancelledNow) lines.push(`  No longer due (${WORDS.cancelled}): ${timescale(kindOf(d.name)).due} (${printable(d.cancelledBecause ?? 'cancelled')}).`);
  if (view.stage === 'CLOSED') {
    lines.push(`The case is closed (${printable(view.closedBecause ?? 'closed')}); its record is kept.`);
    return lines;
  }
  const next = nextStep(view);
  if (next) lines.push(`Next: ${commandHint(next.step, ref, next.agency)}`);
  return lines;
}

/** Soonest first, by the date being chased (a deferred deadline's revised target, not its passed statutory date). */
function byChasedDate(a: IncidentView['deadlines'][number], b: IncidentView['deadlines'][number]): number {
  const chased = (d: IncidentView['deadlines'][number]): string => (d.revisedTarget && d.due && d.revisedTarget > d.due ? d.revisedTarget : (d.due ?? '~'));
  return chased(a).localeCompare(chased(b)) || (a.dueAt ?? '').localeCompare(b.dueAt ?? '') || a.name.localeCompare(b.name);
}

/** The case as the steps' own checks read it (a view marks open deadlines past their date "overdue"). */
function stateOf(view: IncidentView): IncidentState {
  return { ...view, revision: 0, deadlines: view.deadlines.map((d) => ({ ...d, status: d.status === 'overdue' ? 'open' : d.status })) };
}

/** The step the case would accept now (its stage fits and nothing is missing), or why not. */
function accepts(state: IncidentState, name: StepName, agency?: string): boolean {
  const st = STEPS[name] as AnyStep;
  if (!(st.from as readonly string[]).includes(state.stage)) return false;
  const latestDate = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  return st.ready?.(state, agency ? { agency } : {}, { now: new Date(), rules: 3, latestDate }) === undefined;
}

/**
 * The next thing the Business Unit must record: the step that meets the soonest open deadline, if
 * the case would take it at its stage; otherwise the step that carries the stage forward
 * (STAGE_STEPS). Never a step the case would refuse.
 */
export function nextStep(view: IncidentView): { step: StepName; agency?: string } | undefined {
  const state = stateOf(view);
  for (const d of view.deadlines.filter((x) => x.status === 'open' || x.status === 'overdue').sort(byChasedDate)) {
    const agency = kindOf(d.name) === 'info-request' ? d.name.split(':')[1] : undefined;
    const step = stepsFor(kindOf(d.name)).meets.find((n) => accepts(state, n, agency));
    if (step) return { step, agency };
  }
  const step = STAGE_STEPS[view.stage].find((n) => accepts(state, n));
  return step ? { step } : undefined;
}

export function addStageCommands(program: Command, ask: (ref: string, name: StepName, given: Record<string, string | undefined>) => Promise<Record<string, string | undefined>>): void {
  for (const name of Object.keys(STEP_COMMANDS) as StepName[]) {
    const spec = STEP_COMMANDS[name] as StepCommand<StepName>;
    const cmd = program
      .command(commandOf(name))
      .description(spec.summary ?? `Record ${STEPS[name].description.charAt(0).toLowerCase()}${STEPS[name].description.slice(1)}.`)
      .argument('<ref>', 'the case reference, e.g. KSCP-2026-014 (any case)');
    for (const f of spec.flags) {
      // An interactive command asks for what is missing, so none of its flags is required by commander.
      if (f.optional || spec.interactive) cmd.option(f.flag, f.description);
      else cmd.requiredOption(f.flag, f.description);
    }
    const interactiveHelp = spec.interactive ? `\nWithout ${flagName(spec.flags[0]!)}, kscp asks for what is missing (typed or piped, one answer per line), shows it, and records it only after "yes" ("no" records nothing, exit 6).` : '';
    cmd.addHelpText('after', `\nExample:\n  ${spec.example}\nRefused, with the reason and nothing changed, if the case is not at a stage where this fits (${STEPS[name].from.join(', ')}).${interactiveHelp}`);
    cmd.action(async (ref: string, given: Record<string, string | undefined>) => {
      const caseRef = parseRef(ref);
      settings();
      const first = spec.flags[0]!;
      let opts = given;
      if (spec.interactive && given[optionKey(first.flag)] === undefined) opts = await ask(caseRef, name, given);
      else if (spec.interactive) {
        const missing = spec.flags.find((f) => !f.optional && opts[optionKey(f.flag)] === undefined);
        if (missing) throw badInput(`required option '${missing.flag}' not specified`);
      }
      const input = await inputFromFlags(name, opts);
      const { before, after } = await sendStep(caseRef, name, input);
      process.stdout.write(printableLines(afterRecording(caseRef, before, after)));
    });
  }
}
