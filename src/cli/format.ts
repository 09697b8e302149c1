/**
 * Plain-text tables for a terminal, colour only where a person is looking, and nothing from the
 * data that a terminal would obey.
 */

/**
 * Characters a terminal acts on instead of showing: C0 controls (ESC starts escape sequences that
 * can clear the screen or retitle the window, CR and backspace overwrite what was printed, a line
 * break starts a forged line), DEL, C1 controls (U+009B is CSI on some terminals), the Unicode
 * line separators and the bidirectional overrides that reorder text on screen.
 */
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;
/** Those JSON.stringify leaves raw (it escapes C0 controls itself). */
const RAW_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Text from a case (names, reasons, references, anything recorded) made safe to print: every
 * character above shown escaped, as `\u001b` (`\n`, `\r`, `\t` for the common three), so what a
 * terminal shows is exactly what was recorded and nothing it would act on. Every `kscp` command
 * that prints case data as text passes it through here (`printableDeep` for a whole record, and
 * `table` for every cell); JSON output is escaped by JSON itself.
 */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A copy of `value` (a case's record, a list) with every string in it made `printable`. */
export function printableDeep<T>(value: T): T {
  if (typeof value === 'string') return printable(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => printableDeep(v)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [printable(k), printableDeep(v)])) as T;
  }
  return value;
}

/**
 * JSON for `--json`: the same data, but with the characters JSON itself leaves raw (DEL, C1
 * controls, line separators, bidirectional overrides) written as \u escapes too, so that JSON
 * printed to a terminal carries nothing it would act on. Any JSON parser reads the same values.
 */
export function printableJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(RAW_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Lines for a terminal: each made printable (a line break inside one is shown, not obeyed). */
export function printableLines(lines: string[]): string {
  return lines.map(printable).join('\n') + '\n';
}

/**
 * Colour is for a person at a terminal: on when `stream` is a TTY, off when it is a pipe or a file,
 * and off whenever NO_COLOR is set to anything (https://no-color.org).
 */
export function colourWanted(stream: { isTTY?: boolean } = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && !env.NO_COLOR;
}

export interface Paint {
  red(text: string): string;
  bold(text: string): string;
}

export function paint(enabled: boolean = colourWanted()): Paint {
  const wrap = (open: string, close: string) => (text: string) => (enabled && text ? `\x1b[${open}m${text}\x1b[${close}m` : text);
  return { red: wrap('31', '39'), bold: wrap('1', '22') };
}

/**
 * A table padded to the width of each column, every cell made `printable` first. `style` may colour
 * a cell: it is applied after padding, so its escape codes do not upset the alignment.
 */
export function table(rawHeader: string[], rawRows: string[][], indent = '', style?: (cell: string, row: number, column: number) => string): string {
  const header = rawHeader.map(printable);
  const rows = rawRows.map((r) => r.map(printable));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[], row: number): string =>
    indent +
    cells
      .map((c, i) => {
        const padded = i === cells.length - 1 ? c : c.padEnd(widths[i]!);
        if (!style || row < 0) return padded;
        const styled = style(c, row, i);
        return styled === c ? padded : styled + padded.slice(c.length);
      })
      .join('  ');
  return [line(header, -1), line(widths.map((w) => '-'.repeat(w)), -1), ...rows.map((r, i) => line(r, i))].join('\n').replace(/ +$/gm, '');
}
