/** The case board's one stylesheet, served as /board.css (the pages carry no inline style: the CSP allows this file only). */
export const BOARD_CSS = `
:root { --red: #b00020; --amber: #8a5a00; --green: #1b6e2a; --ink: #111; --muted: #555; --line: #d0d4d9; --head: #f3f5f7; --blue: #1f4e8c; }
* { box-sizing: border-box; }
body { margin: 0; font-family: Arial, Helvetica, sans-serif; font-size: 15px; line-height: 1.4; color: var(--ink); background: #fff; }
header { display: flex; align-items: baseline; justify-content: space-between; padding: 10px 24px; background: var(--blue); color: #fff; }
header a { color: #fff; margin-left: 18px; text-decoration: none; font-weight: bold; }
header a[aria-current="page"] { text-decoration: underline; }
.brand { margin: 0; font-weight: bold; }
.readonly { font-weight: normal; font-size: 12px; border: 1px solid #fff; border-radius: 3px; padding: 0 4px; margin-left: 6px; }
main { padding: 8px 24px 24px; }
footer { padding: 8px 24px; color: var(--muted); font-size: 13px; border-top: 1px solid var(--line); }
h1 { font-size: 24px; margin: 12px 0 6px; }
h1 small { font-weight: normal; font-size: 16px; color: var(--muted); }
h2 { font-size: 18px; margin: 20px 0 8px; }
.summary { margin: 4px 0 12px; }
.filters { display: flex; flex-wrap: wrap; gap: 16px; align-items: center; padding: 8px 12px; background: var(--head); border: 1px solid var(--line); margin-bottom: 12px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 6px 8px; border-bottom: 1px solid var(--line); }
th { background: var(--head); font-size: 13px; }
td small { color: var(--muted); }
td.date { white-space: nowrap; }
td.when { white-space: nowrap; }
tr.is-overdue td { background: #fff4f4; }
tr.is-overdue td.when, .overdue, .flag-overdue { color: var(--red); font-weight: bold; }
.flag { display: inline-block; font-size: 12px; font-weight: bold; border-radius: 3px; padding: 1px 5px; white-space: nowrap; }
.flag-overdue { color: #fff; background: var(--red); }
.flag-attention, .attention { color: #fff; background: var(--amber); }
strong.attention, strong.overdue { background: none; }
strong.attention { color: var(--amber); }
.stage { font-family: monospace; }
a.temporal { font-family: monospace; font-size: 13px; }
.attention-box { border: 2px solid var(--amber); background: #fff8e6; padding: 4px 14px; margin: 12px 0; }
.attention-box h2 { color: var(--amber); text-transform: uppercase; margin-top: 8px; }
.error { color: var(--red); font-weight: bold; }
.empty { color: var(--muted); }
svg.timeline { display: block; max-width: 100%; height: auto; margin: 4px 0 0; }
svg.timeline text { font-size: 12px; fill: var(--ink); }
svg.timeline .label { text-anchor: end; font-family: monospace; }
svg.timeline .tick line { stroke: var(--line); stroke-width: 1; }
svg.timeline .tick text { fill: var(--muted); font-size: 11px; }
svg.timeline .bar { stroke: #8fa8c8; stroke-width: 8; stroke-linecap: round; }
svg.timeline .bar-met { stroke: #9cc9a4; }
svg.timeline .bar-late { stroke: #e3a3ad; }
svg.timeline .bar-cancelled { stroke: #d8d8d8; stroke-dasharray: 3 4; }
svg.timeline .due-mark { fill: var(--ink); }
svg.timeline .revised { stroke: var(--amber); stroke-width: 3; stroke-dasharray: 6 4; }
svg.timeline .revised-mark { fill: #fff; stroke: var(--amber); stroke-width: 2; }
svg.timeline .overdue-run { stroke: var(--red); stroke-width: 8; }
svg.timeline .met-on-time { fill: var(--green); stroke: #fff; stroke-width: 2; }
svg.timeline .met-late { fill: var(--red); stroke: #fff; stroke-width: 2; }
svg.timeline .today line { stroke: var(--blue); stroke-width: 2; stroke-dasharray: 4 3; }
svg.timeline .today text { fill: var(--blue); font-weight: bold; }
.legend { list-style: none; padding: 0; margin: 4px 0 16px; display: flex; flex-wrap: wrap; gap: 18px; font-size: 13px; color: var(--muted); }
.key { display: inline-block; width: 22px; height: 8px; vertical-align: middle; border-radius: 4px; }
.key-bar { background: #8fa8c8; }
.key-due { width: 0; height: 0; border-left: 5px solid transparent; border-right: 5px solid transparent; border-top: 7px solid var(--ink); border-radius: 0; }
.key-revised { height: 0; border-top: 3px dashed var(--amber); border-radius: 0; }
.key-met { width: 12px; height: 12px; border-radius: 6px; background: var(--green); }
.key-late { width: 12px; height: 12px; border-radius: 6px; background: var(--red); }
.key-overdue { background: var(--red); }
.key-cancelled { background: #d8d8d8; }
code { background: var(--head); padding: 0 3px; }
`;
