import { colourWanted, paint, table } from '../../src/cli/format';

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
});
