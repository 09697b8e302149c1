/** `kscp report --csv` read back: one object per row, keyed by the header's column names (values as text). */
export function parseReportCsv(csv: string): Array<Record<string, string>> {
  const lines = csv.trim().split('\n');
  const cells = (line: string): string[] => {
    const out: string[] = [];
    let cell = '';
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const ch = line[i]!;
      if (quoted) {
        if (ch === '"' && line[i + 1] === '"') {
          cell += '"';
          i++;
        } else if (ch === '"') quoted = false;
        else cell += ch;
      } else if (ch === '"') quoted = true;
      else if (ch === ',') {
        out.push(cell);
        cell = '';
      }
      else cell += ch;
    }
    out.push(cell);
    return out;
  };
  const header = cells(lines[0]!);
  return lines.slice(1).map((line) => {
    const row = cells(line);
    if (row.length !== header.length) throw new Error(`CSV row has ${row.length} cells, the header ${header.length}: ${line}`);
    return Object.fromEntries(header.map((h, i) => [h, row[i]!]));
  });
}
