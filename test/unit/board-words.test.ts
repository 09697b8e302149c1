/**
 * The pieces the case board and `kscp` share: the words for where a deadline stands, how far off it
 * is in working days, the reference format read from its file, and HTML that cannot carry markup
 * from a case.
 */
import { html, escapeHtml } from '../../src/board/html';
import { deadlineTimeline } from '../../src/board/timelineSvg';
import { WorkingDayCalendar } from '../../src/calendar';
import { dueWords } from '../../src/cli/dueWords';
import type { IncidentView } from '../../src/process/incident';
import { deadlineWords } from '../../src/process/stateWords';
import { checkRef, DEFAULT_REFERENCE_FORMAT, parseReferenceFormat } from '../../src/referenceFormat';

const calendar = new WorkingDayCalendar();

describe('how far off a deadline is, in working days', () => {
  // Friday 18 December 2026; Christmas Day and Boxing Day (substitute Monday 28th) are bank holidays.
  const today = '2026-12-18';
  it.each([
    [{ due: '2026-12-21', overdue: false, statutory: true }, 'in 1 working day'],
    [{ due: '2026-12-29', overdue: false, statutory: true }, 'in 5 working days'],
    [{ due: '2026-12-18', overdue: false, statutory: true }, 'due today'],
    [{ due: '2026-12-19', overdue: false, statutory: true }, 'in 1 day'],
    [{ due: '2026-12-16', overdue: true, statutory: true }, 'OVERDUE by 2 working days'],
    [{ due: '2026-12-17', overdue: true, statutory: true }, 'OVERDUE by 1 working day'],
    [{ due: '2026-12-23', overdue: false, statutory: false }, 'in 3 working days (target)'],
    [{ due: '2026-12-16', overdue: false, statutory: false }, '2 working days past its target'],
    [{ due: '2026-12-16', overdue: false, statutory: true, revisedTarget: '2027-01-08' }, 'deferred: revised target in 12 working days'],
    [{ due: '2026-12-16', overdue: false, statutory: true }, 'deferred: 2 working days past the statutory date'],
  ])('%j: %s', (facts, words) => {
    expect(dueWords(facts, today, calendar)).toBe(words);
  });
});

describe('where a deadline stands, in the same words everywhere', () => {
  const d = (x: Partial<IncidentView['deadlines'][number]>) => ({ clock: { timescale: 'panel-notification' }, status: 'open' as const, overdue: false, ...x });
  it.each([
    [d({}), 'open'],
    [d({ status: 'overdue', overdue: true, workingDaysLate: 3 }), 'OVERDUE by 3 working days'],
    [d({ status: 'overdue', overdue: true, workingDaysLate: 0 }), 'OVERDUE'],
    [d({ status: 'met', onTime: true }), 'met on time'],
    [d({ status: 'met', onTime: false, workingDaysLate: 1 }), 'LATE by 1 working day'],
    [{ ...d({ status: 'met', onTime: false, workingDaysLate: 0, hoursLate: 5 }), clock: { timescale: 'ecase-form' } }, 'LATE by 5 hours'],
    [d({ status: 'cancelled' }), 'cancelled'],
    [d({ revisedTarget: '2027-01-29', workingDaysLate: 4 }), 'open; deferred: revised target 2027-01-29, 4 working days past the statutory date'],
  ])('%j: %s', (deadline, words) => {
    expect(deadlineWords(deadline)).toBe(words);
  });
});

describe('the reference format', () => {
  it('is KSCP-YYYY-NNN(N) by default, typed in any case', () => {
    expect(checkRef(' kscp-2026-014 ', DEFAULT_REFERENCE_FORMAT)).toEqual({ ok: true, ref: 'KSCP-2026-014' });
    expect(checkRef('KSCP-26-1', DEFAULT_REFERENCE_FORMAT)).toEqual({ ok: false, problem: `"KSCP-26-1" is not a case reference: use the partnership's format, e.g. KSCP-2026-014` });
  });

  it("is another partnership's when its file says so", () => {
    const format = parseReferenceFormat('{"pattern": "^LSCP-[0-9]{2}/?-[0-9]{3}$|^LSCP-[0-9]{2}-[0-9]{3}$", "example": "LSCP-26-001"}', 'ref.json');
    expect(checkRef('lscp-26-001', format)).toEqual({ ok: true, ref: 'LSCP-26-001' });
    expect(checkRef('KSCP-2026-014', format)).toMatchObject({ ok: false, problem: expect.stringContaining('e.g. LSCP-26-001') });
    // Whatever the pattern allows, a reference stays safe in a workflow id and a terminal.
    expect(checkRef('LSCP-26/-001', format)).toMatchObject({ ok: false });
  });

  it.each([
    ['{not json', /^reference file f\.json \(KSCP_REFERENCE_FILE\): not valid JSON \(.+\); it holds \{"pattern": "\.\.\.", "example": "\.\.\."\}$/],
    ['{"example": "KSCP-2026-014"}', /^reference file f\.json \(KSCP_REFERENCE_FILE\): pattern: is required: a regular expression a reference must match/],
    ['{"pattern": "(", "example": "KSCP-2026-014"}', /^reference file f\.json \(KSCP_REFERENCE_FILE\): pattern: "\(" is not a valid regular expression \(Unterminated group\)$/],
    ['{"pattern": "^K-[0-9]+$", "example": "KSCP-2026-014"}', /^reference file f\.json \(KSCP_REFERENCE_FILE\): example: "KSCP-2026-014" does not fit the pattern "\^K-\[0-9\]\+\$": give a reference that does$/],
    ['{"pattern": "^k-[0-9]+$", "example": "k-1"}', /example: "k-1" must be written as references are stored: in capitals/],
    ['{"pattern": "^K [0-9]+$", "example": "K 1"}', /example: "K 1" is not a safe reference: every reference must be capital letters and digits/],
    ['{"pattern": "^K-[0-9]+$", "example": "K-1", "prefix": "K"}', /: unknown field\(s\) "prefix" \(allowed: pattern, example\)$/],
  ])('a file %s is refused in one line naming the file, the setting and the field', (text, message) => {
    expect(() => parseReferenceFormat(text, 'f.json')).toThrow(message);
  });
});

describe('HTML from case data', () => {
  it('escapes markup, and shows control and bidirectional characters instead of obeying them', () => {
    const value = `<script>alert("x")</script>&'\u202e`;
    expect(html`<p title="${value}">${value}</p>`.value).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;\\u202e">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;\\u202e</p>',
    );
    expect(escapeHtml('a\nb')).toBe('a\\nb');
    expect(html`<ul>${['<a>', html`<li>ok</li>`]}</ul>`.value).toBe('<ul>&lt;a&gt;<li>ok</li></ul>');
  });

  it('draws a deadline whose name carries markup as text', () => {
    const svg = deadlineTimeline(
      [{ name: '<b>x</b>' as never, clock: { timescale: 'panel-notification', start: '2026-12-01' }, owner: 'la-lead', status: 'open', overdue: false, due: '2026-12-08', dueAt: '2026-12-08T23:59:59Z' }],
      '2026-12-04',
    ).value;
    expect(svg).toContain('&lt;b&gt;x&lt;/b&gt;');
    expect(svg).not.toContain('<b>');
  });
});
