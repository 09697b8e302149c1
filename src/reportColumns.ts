/**
 * The columns of `kscp report --csv`, in order. In a module of its own (no imports) so that
 * `kscp report --help` lists them without loading the report; the README and docs/archive.md
 * describe each (a test checks they name them all).
 */
export const REPORT_CSV_COLUMNS = [
  'section',
  'name',
  'text',
  'statutory',
  'cases',
  'total',
  'on_time',
  'late',
  'late_still_open',
  'open_not_yet_due',
  'not_applicable',
  'not_judged',
  'percent_on_time',
  'median_working_days_late',
  'median_hours_late',
  'deferred',
  'deferred_revised_target_met',
  'deferred_revised_target_missed',
  'deferred_revised_target_open',
  'deferred_not_applicable',
  'deferred_late_against_statutory_date',
] as const;

export type ReportCsvColumn = (typeof REPORT_CSV_COLUMNS)[number];

/** Words joined with ", " and wrapped at `width` characters, for --help. */
export function wrapList(words: readonly string[], width = 100): string {
  const lines: string[] = [];
  let line = '';
  for (const w of words.map((x, i) => (i < words.length - 1 ? `${x},` : x))) {
    if (line && line.length + 1 + w.length > width) {
      lines.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  return [...lines, line].join('\n');
}
