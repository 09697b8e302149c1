import { colourWanted, paint, printable, printableDeep, printableJson, table } from '../../src/cli/format';

describe('terminal output', () => {
  it('uses colour only on a terminal and never with NO_COLOR', () => {
    expect(colourWanted({ isTTY: true }, {})).toBe(true);
    expect(colourWanted({ isTTY: false }, {})).toBe(false);
    expect(colourWanted({}, {})).toBe(false);
    expect(colourWanted({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(paint(true).red('OVERDUE')).toBe('\x1b[31mOVERDUE\x1b[39m');
    expect(paint(false).red('OVERDUE')).toBe('OVERDUE');
  });

  it('keeps columns aligned when a cell is coloured', () => {
    const rows = [['KSCP-2026-001', 'OVERDUE', 'x'], ['KSCP-2026-0002', 'open', 'y']];
    const plain = table(['case', 'status', 'z'], rows);
    const red = table(['case', 'status', 'z'], rows, '', (c) => (c === 'OVERDUE' ? paint(true).red(c) : c));
    expect(red.split('\x1b[31m').join('').split('\x1b[39m').join('')).toBe(plain);
    expect(plain.split('\n')[2]).toBe('KSCP-2026-001   OVERDUE  x');
  });

  it('shows every character a terminal would act on escaped, and everything else as it is', () => {
    expect(printable('A. Officer\u001b[2J\r\nforged\tline\u0008\u007f\u009b31m\u202eevil\u2028\u2066x\u0000')).toBe(
      'A. Officer\\u001b[2J\\r\\nforged\\tline\\u0008\\u007f\\u009b31m\\u202eevil\\u2028\\u2066x\\u0000',
    );
    expect(printable('Zoë O’Brien — café ✓ 日本')).toBe('Zoë O’Brien — café ✓ 日本');
    expect(printable(printable('a\u001bb'))).toBe(printable('a\u001bb'));
    expect(printableDeep({ by: 'x\u001b', list: ['\r'], n: 3, ok: true, none: null })).toEqual({ by: 'x\\u001b', list: ['\\r'], n: 3, ok: true, none: null });
  });

  it('escapes cells before padding, so a table stays aligned and obeys nothing', () => {
    const t = table(['case', 'by'], [['KSCP-2026-001', 'A\u001b[2JB'], ['KSCP-2026-002', 'C']]);
    expect(t).not.toContain('\u001b');
    expect(t.split('\n')).toEqual(['case           by', '-------------  -----------', 'KSCP-2026-001  A\\u001b[2JB', 'KSCP-2026-002  C']);
  });

  it('writes JSON whose every control character is an escape, and which parses back to the same data', () => {
    const data = { by: 'A\u001b[2J\r\n\u009b\u202e', n: 1 };
    const text = printableJson(data);
    // eslint-disable-next-line no-control-regex
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
    expect(JSON.parse(text)).toEqual(data);
  });
});
