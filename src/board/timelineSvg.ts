/**
 * A case's deadlines drawn on a time line, as inline SVG (no script, no library): one row per
 * deadline, a bar from its day 0 to its statutory date, the revised target after a deferral
 * (dashed), the date it was met (a dot: on time or LATE), an open deadline past its date in red up
 * to today, and a line for today. Every mark has a <title> (shown on hover and read by screen
 * readers), and the page repeats the same facts in a table.
 */
import { addDays, daysBetween, type IsoDate } from '../process/dates';
import type { IncidentView } from '../process/incident';
import { deadlineWords } from '../process/stateWords';
import { formatShortDate, londonDate } from '../london';
import { html, type Html } from './html';

type Deadline = IncidentView['deadlines'][number];

const LABEL_WIDTH = 210;
const PLOT_WIDTH = 720;
const ROW = 30;
const TOP = 34;
const RIGHT_PAD = 70;

/** Day 0 as a London date (the eCase form's clock starts at an instant). */
function startDate(d: Deadline): IsoDate {
  return /^\d{4}-\d{2}-\d{2}$/.test(d.clock.start) ? d.clock.start : londonDate(new Date(d.clock.start));
}

function metDate(d: Deadline): IsoDate | undefined {
  return d.metOn ?? (d.metAt ? londonDate(new Date(d.metAt)) : undefined);
}

/** Month boundaries between `from` and `to`, for the axis (every month, or every few when the span is long). */
function monthTicks(from: IsoDate, to: IsoDate): IsoDate[] {
  const ticks: IsoDate[] = [];
  let y = Number(from.slice(0, 4));
  let m = Number(from.slice(5, 7));
  for (;;) {
    m += 1;
    if (m > 12) {
      m = 1;
      y += 1;
    }
    const tick = `${y}-${String(m).padStart(2, '0')}-01`;
    if (tick > to) break;
    ticks.push(tick);
  }
  const step = Math.max(1, Math.ceil(ticks.length / 12));
  return ticks.filter((_t, i) => i % step === 0);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export function deadlineTimeline(deadlines: Deadline[], today: IsoDate): Html {
  const shown = deadlines.filter((d) => d.due !== undefined);
  if (shown.length === 0) return html`<p>No deadline has a date yet.</p>`;
  const dates = shown.flatMap((d) => [startDate(d), d.due!, d.revisedTarget, metDate(d)].filter((x): x is IsoDate => x !== undefined));
  dates.push(today);
  const sorted = dates.sort();
  const first = addDays(sorted[0]!, -3);
  const last = addDays(sorted.at(-1)!, 3);
  const span = Math.max(daysBetween(first, last), 1);
  const x = (date: IsoDate): number => Math.round(LABEL_WIDTH + (daysBetween(first, date) / span) * PLOT_WIDTH);
  const height = TOP + shown.length * ROW + 40;
  const width = LABEL_WIDTH + PLOT_WIDTH + RIGHT_PAD;

  const axis = monthTicks(first, last).map(
    (t) => html`<g class="tick"><line x1="${x(t)}" y1="${TOP - 6}" x2="${x(t)}" y2="${TOP + shown.length * ROW}"></line><text x="${x(t) + 3}" y="${TOP - 12}">${MONTHS[Number(t.slice(5, 7)) - 1]} ${t.slice(0, 4)}</text></g>`,
  );

  const rows = shown.map((d, i) => {
    const y = TOP + i * ROW + ROW / 2;
    const start = startDate(d);
    const due = d.due!;
    const words = deadlineWords(d, formatShortDate);
    const met = metDate(d);
    const cancelled = d.status === 'cancelled';
    const kind = cancelled ? 'cancelled' : d.status === 'met' ? (d.onTime === false ? 'late' : 'met') : d.status === 'overdue' ? 'overdue' : 'open';
    const marks: Html[] = [
      html`<line class="bar bar-${kind}" x1="${x(start)}" y1="${y}" x2="${Math.max(x(due), x(start) + 2)}" y2="${y}"><title>${d.name}: from ${formatShortDate(start)} (day 0) to ${formatShortDate(due)}</title></line>`,
      html`<path class="due-mark" d="M ${x(due)} ${y - 9} l 5 -6 h -10 z"><title>${d.name}: statutory date ${formatShortDate(due)}</title></path>`,
    ];
    if (d.revisedTarget && d.revisedTarget > due) {
      marks.push(
        html`<line class="revised" x1="${x(due)}" y1="${y}" x2="${x(d.revisedTarget)}" y2="${y}"></line>`,
        html`<path class="revised-mark" d="M ${x(d.revisedTarget)} ${y - 7} l 7 7 l -7 7 l -7 -7 z"><title>${d.name}: deferred, revised target ${formatShortDate(d.revisedTarget)}</title></path>`,
      );
    }
    if (d.status === 'overdue' && today > due) {
      marks.push(html`<line class="overdue-run" x1="${x(due)}" y1="${y}" x2="${x(today)}" y2="${y}"><title>${d.name}: ${words}</title></line>`);
    }
    if (d.status === 'met' && met) {
      marks.push(html`<circle class="met-${d.onTime === false ? 'late' : 'on-time'}" cx="${x(met)}" cy="${y}" r="6"><title>${d.name}: met ${formatShortDate(met)}, ${words}</title></circle>`);
    }
    return html`<g class="row row-${kind}" data-deadline="${d.name}"><text class="label" x="${LABEL_WIDTH - 10}" y="${y + 4}">${d.name}</text>${marks}</g>`;
  });

  const todayX = x(today);
  return html`<svg class="timeline" role="img" aria-labelledby="timeline-title" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg">
<title id="timeline-title">The case's deadlines from day 0 to their dates, with what was met and today (${formatShortDate(today)})</title>
${axis}
${rows}
<g class="today"><line x1="${todayX}" y1="${TOP - 6}" x2="${todayX}" y2="${TOP + shown.length * ROW + 4}"></line><text x="${todayX}" y="${TOP + shown.length * ROW + 18}" text-anchor="middle">today ${formatShortDate(today)}</text></g>
</svg>
<ul class="legend">
  <li><span class="key key-bar"></span> from day 0 to the statutory date (<span class="key key-due"></span>)</li>
  <li><span class="key key-revised"></span> deferred: revised target</li>
  <li><span class="key key-met"></span> met on time</li>
  <li><span class="key key-late"></span> met LATE</li>
  <li><span class="key key-overdue"></span> OVERDUE: open past its date, to today</li>
  <li><span class="key key-cancelled"></span> cancelled</li>
</ul>`;
}
