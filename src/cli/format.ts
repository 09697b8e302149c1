/** Plain-text tables for a terminal, and colour only where a person is looking. */

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
 * A table padded to the width of each column. `style` may colour a cell: it is applied after
 * padding, so escape codes do not upset the alignment.
 */
export function table(header: string[], rows: string[][], indent = '', style?: (cell: string, row: number, column: number) => string): string {
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

/**
 * Text from a case record, made safe for a terminal: control characters (escape sequences,
 * carriage returns, backspaces, bidirectional controls) are shown as \uXXXX instead of acting on
 * the terminal. Line breaks inside a value are shown as \n so one value stays on one line.
 */
export function safe(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => (c === '\n' ? '\\n' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}
