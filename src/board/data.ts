/**
 * What the case board shows, read through the same code as `kscp`: the list of cases from
 * Temporal's visibility (`kscp list`, src/cli/commands/list.ts), each open deadline from the
 * cases' `state` queries (`kscp deadlines`, src/cli/commands/deadlines.ts), and one case from
 * Temporal or the case archive (`kscp status`, src/cli/loadCase.ts). Nothing here writes.
 *
 * What it shows of a case is no more than `kscp status` shows: the reference, stage, route,
 * notifying agency id, deadlines and their dates, and what needs attention (which names roles and
 * settings, never a child's details). No names, no free text a person typed.
 */
import type { WorkingDayCalendar } from '../calendar';
import { dueWithin, openDeadlines, type OpenDeadline } from '../cli/commands/deadlines';
import { listCases, parseStage } from '../cli/commands/list';
import { calendar, client, directory, settings, today } from '../cli/context';
import { dueWords } from '../cli/dueWords';
import { findCase } from '../cli/loadCase';
import { addDays, type IsoDate } from '../process/dates';
import type { AttentionItem, IncidentView, Stage } from '../process/incident';
import { ROUTE_TITLES, STAGE_TITLES, STAGES, type Route } from '../process/stages';
import { kindOf, timescale, type DeadlineName } from '../process/timescales';
import { londonDate } from '../london';
import { badInput } from '../cli/errors';

export interface BoardFilter {
  stage?: Stage;
  agency?: string;
  overdue?: boolean;
}

export interface BoardRow {
  ref: string;
  workflowId: string;
  stage: string | null;
  stageTitle: string;
  route: string | null;
  routeTitle: string;
  agency: string | null;
  next: { name: string; what: string; due: IsoDate; dueAt: string; when: string } | null;
  overdue: boolean;
  attention: boolean;
}

export interface Board {
  today: IsoDate;
  filter: BoardFilter;
  rows: BoardRow[];
  /** Every stage a case can be at while open, and the agencies of the directory (for the filters). */
  stages: Stage[];
  agencies: string[];
}

/** The filters from the page's address: a stage (any case), an agency id, overdue only. Refused with the allowed values, like `kscp list`. */
export function parseFilter(query: URLSearchParams, agencies: readonly string[]): BoardFilter {
  const filter: BoardFilter = {};
  const stage = query.get('stage');
  if (stage) {
    try {
      filter.stage = parseStage(stage);
    } catch (err) {
      throw badInput((err as Error).message.replace(/^--stage:/, 'stage:'));
    }
  }
  const agency = query.get('agency');
  if (agency) {
    if (!agencies.includes(agency)) throw badInput(`agency: ${JSON.stringify(agency)} is not an agency in the directory (allowed: ${agencies.join(', ')})`);
    filter.agency = agency;
  }
  const overdue = query.get('overdue');
  if (overdue) {
    if (!['1', 'true', 'yes', 'on'].includes(overdue)) throw badInput(`overdue: ${JSON.stringify(overdue)} is not allowed (allowed: 1, or leave it out)`);
    filter.overdue = true;
  }
  return filter;
}

const routeTitle = (route: string | null): string => (route && route in ROUTE_TITLES ? ROUTE_TITLES[route as Route] : route ?? '');
const stageTitle = (stage: string | null): string => (stage && stage in STAGE_TITLES ? STAGE_TITLES[stage as Stage] : stage ?? '');

/** What a deadline is, in words, from its name alone (an information request names its agency). */
export function deadlineWhat(name: string): string {
  try {
    const kind = kindOf(name as DeadlineName);
    const agency = kind === 'info-request' ? name.split(':')[1] : undefined;
    return agency ? `${timescale(kind).due} (${agency})` : timescale(kind).due;
  } catch {
    return name;
  }
}

function statutory(name: string): boolean {
  try {
    return timescale(kindOf(name as DeadlineName)).statutory;
  } catch {
    return true;
  }
}

/** The agencies the filter offers: the directory's, or (if it cannot be read) those the cases name. */
async function agencyIds(): Promise<string[] | undefined> {
  try {
    return Object.keys((await directory(settings())).agencies);
  } catch {
    return undefined;
  }
}

/** The open cases (`kscp list`'s query, with the filters), each with its next deadline and how far off it is in working days. */
export async function readBoard(query: URLSearchParams): Promise<Board> {
  const s = settings();
  const cal = await calendar(s);
  const londonToday = today();
  const known = await agencyIds();
  const c = await client(s);
  // Validate the filter against the directory's agencies when it can be read; else any agency id is asked of Temporal.
  const filter = parseFilter(query, known ?? [query.get('agency') ?? ''].filter(Boolean));
  const cases = await listCases(c, filter);
  const rows = cases.map((k): BoardRow => {
    const next = k.nextDeadline;
    const due = next ? londonDate(new Date(next.dueAt)) : undefined;
    return {
      ref: k.ref,
      workflowId: k.workflowId,
      stage: k.stage,
      stageTitle: stageTitle(k.stage),
      route: k.route,
      routeTitle: routeTitle(k.route),
      agency: k.notifyingAgency,
      next:
        next && due
          ? { name: next.name ?? '', what: deadlineWhat(next.name ?? ''), due, dueAt: next.dueAt, when: dueWords({ due, overdue: k.overdue, statutory: statutory(next.name ?? '') }, londonToday, cal) }
          : null,
      overdue: k.overdue,
      attention: k.attention,
    };
  });
  const agencies = known ?? [...new Set(rows.map((r) => r.agency).filter((a): a is string => Boolean(a)))].sort();
  return { today: londonToday, filter, rows, stages: STAGES.filter((x) => x !== 'CLOSED'), agencies };
}

export interface Week {
  today: IsoDate;
  within: number;
  last: IsoDate;
  /** The rows `kscp deadlines --within 7` prints, in its order, each with the same words for when. */
  rows: Array<OpenDeadline & { when: string; attention: boolean }>;
}

/** `kscp deadlines --within 7`: the same code, the same rows. */
export async function readWeek(within = 7): Promise<Week> {
  const londonToday = today();
  const s = settings();
  const cal: WorkingDayCalendar = await calendar(s);
  const found = dueWithin((await openDeadlines(londonToday)).deadlines, within, londonToday);
  // The case board's attention flag, as the open cases list shows it.
  const attention = new Set((await listCases(await client(s), {})).filter((k) => k.attention).map((k) => k.ref));
  const rows = found.map((d) => ({ ...d, when: dueWords(d, londonToday, cal), attention: attention.has(d.ref) }));
  return { today: londonToday, within, last: addDays(londonToday, within), rows };
}

export interface CaseSheet {
  today: IsoDate;
  ref: string;
  workflowId: string;
  workflowStatus: string;
  source: 'temporal' | 'archive';
  stage: string;
  stageTitle: string;
  routeTitle: string;
  agency: string;
  deadlines: IncidentView['deadlines'];
  attention: AttentionItem[];
  closedBecause?: string;
}

/** One case as `kscp status` reads it (Temporal, or the archive once Temporal no longer has it), keeping only what the board shows. */
export async function readCase(ref: string): Promise<CaseSheet> {
  const found = await findCase(ref);
  const v = found.view;
  return {
    today: today(),
    ref: v.ref,
    workflowId: found.workflowId,
    workflowStatus: found.workflowStatus,
    source: found.source,
    stage: v.stage,
    stageTitle: stageTitle(v.stage),
    routeTitle: routeTitle(v.route ?? null),
    agency: v.notifyingAgency,
    deadlines: v.deadlines,
    attention: v.attention ?? [],
    ...(v.closedBecause !== undefined && { closedBecause: v.closedBecause }),
  };
}
