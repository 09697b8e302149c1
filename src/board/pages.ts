/**
 * The case board's pages, rendered on the server: the open cases (with filters), one case with its
 * deadlines on a time line, and this week's deadlines (the rows of `kscp deadlines --within 7`).
 * No script. Every value goes through `html` (escaped); each case links to its page in the
 * Temporal Web UI, which stays the place for a case's history and queries.
 */
import { formatLongDate, formatShortDate, londonDate } from '../london';
import { deadlineWords, WORDS } from '../process/stateWords';
import { html, urlPart, type Html } from './html';
import type { Board, BoardRow, CaseSheet, Week } from './data';
import { deadlineWhat } from './data';
import { deadlineTimeline } from './timelineSvg';

export interface PageContext {
  /** The Temporal Web UI's address as the browser sees it (no link when unknown). */
  uiUrl?: string;
  namespace: string;
}

export function temporalLink(ctx: PageContext, workflowId: string): string | undefined {
  return ctx.uiUrl ? `${ctx.uiUrl}/namespaces/${urlPart(ctx.namespace)}/workflows/${urlPart(workflowId)}` : undefined;
}

const caseHref = (ref: string): string => `/cases/${urlPart(ref)}`;

function layout(title: string, current: 'board' | 'week' | 'case' | 'error', body: Html): string {
  const nav = (href: string, label: string, key: string) => html`<a href="${href}"${current === key ? html` aria-current="page"` : ''}>${label}</a>`;
  return html`<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title} · KSCP case board</title>
<link rel="stylesheet" href="/board.css">
</head>
<body>
<header>
<p class="brand">KSCP serious incidents · case board <span class="readonly">read-only</span></p>
<nav>${nav('/', 'Open cases', 'board')} ${nav('/week', 'This week', 'week')}</nav>
</header>
<main>
${body}
</main>
<footer><p>Dates are London dates; a deadline is due by the end of its day (London time, GMT or BST). Record steps with <code>kscp</code>; a case's history and its <code>state</code> and <code>timeline</code> queries are in the Temporal Web UI.</p></footer>
</body>
</html>
`.value;
}

function temporalCell(ctx: PageContext, workflowId: string): Html {
  const href = temporalLink(ctx, workflowId);
  return href ? html`<a class="temporal" href="${href}">${workflowId}</a>` : html`${workflowId}`;
}

function flags(row: Pick<BoardRow, 'overdue' | 'attention'>): Html {
  return html`${row.overdue ? html`<span class="flag flag-overdue">${WORDS.overdue}</span>` : ''}${row.attention ? html` <span class="flag flag-attention">${WORDS.needsAttention}</span>` : ''}`;
}

function filterForm(board: Board): Html {
  const f = board.filter;
  return html`<form class="filters" method="get" action="/">
<label>Stage <select name="stage"><option value="">any</option>${board.stages.map((s) => html`<option value="${s}"${f.stage === s ? html` selected` : ''}>${s}</option>`)}</select></label>
<label>Notifying agency <select name="agency"><option value="">any</option>${board.agencies.map((a) => html`<option value="${a}"${f.agency === a ? html` selected` : ''}>${a}</option>`)}</select></label>
<label><input type="checkbox" name="overdue" value="1"${f.overdue ? html` checked` : ''}> ${WORDS.overdue} only</label>
<button type="submit">Show</button> <a href="/">Clear</a>
</form>`;
}

export function boardPage(board: Board, ctx: PageContext): string {
  const overdue = board.rows.filter((r) => r.overdue).length;
  const attention = board.rows.filter((r) => r.attention).length;
  const filtered = [board.filter.stage && `at stage ${board.filter.stage}`, board.filter.agency && `notified by ${board.filter.agency}`, board.filter.overdue && WORDS.overdue].filter(Boolean).join(', ');
  const rows = board.rows.map(
    (r) => html`<tr class="${r.overdue ? 'is-overdue' : ''}${r.attention ? ' needs-attention' : ''}" data-ref="${r.ref}">
<td><a class="case" href="${caseHref(r.ref)}">${r.ref}</a></td>
<td><span class="stage">${r.stage ?? '?'}</span><br><small>${r.stageTitle}</small></td>
<td>${r.routeTitle || '-'}</td>
<td>${r.agency ?? '-'}</td>
<td>${r.next ? html`${r.next.what}<br><small>${r.next.name}</small>` : '-'}</td>
<td class="date">${r.next ? formatShortDate(r.next.due) : '-'}</td>
<td class="when">${r.next ? r.next.when : '-'}</td>
<td class="flags">${flags(r)}</td>
<td>${temporalCell(ctx, r.workflowId)}</td>
</tr>`,
  );
  const body = html`<h1>Open cases${filtered ? html` <small>(${filtered})</small>` : ''}</h1>
<p class="summary"><strong>${board.rows.length}</strong> open case${board.rows.length === 1 ? '' : 's'}${overdue ? html`, <strong class="overdue">${overdue} ${WORDS.overdue}</strong>` : ''}${attention ? html`, <strong class="attention">${attention} ${WORDS.needsAttention}</strong>` : ''}. Today is ${formatLongDate(board.today)}. <a href="/week">Deadlines this week</a></p>
${filterForm(board)}
${
  board.rows.length === 0
    ? html`<p class="empty">No open cases${filtered ? html` ${filtered}` : ''}.</p>`
    : html`<table class="cases">
<thead><tr><th>Case</th><th>Stage</th><th>Route</th><th>Notified by</th><th>Next deadline</th><th>Due</th><th>Working days left</th><th></th><th>In the Temporal Web UI</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`
}`;
  return layout('Open cases', 'board', body);
}

export function weekPage(week: Week, ctx: PageContext): string {
  const overdue = week.rows.filter((d) => d.overdue).length;
  const rows = week.rows.map(
    (d) => html`<tr class="${d.overdue ? 'is-overdue' : ''}${d.attention ? ' needs-attention' : ''}" data-ref="${d.ref}" data-deadline="${d.deadline}">
<td class="date">${formatLongDate(d.due)}</td>
<td class="when">${d.overdue ? html`<span class="flag flag-overdue">${d.when}</span>` : d.when}${d.attention ? html` <span class="flag flag-attention">${WORDS.needsAttention}</span>` : ''}</td>
<td><a class="case" href="${caseHref(d.ref)}">${d.ref}</a></td>
<td>${d.deadline}</td>
<td>${d.what}</td>
<td>${d.owner}</td>
<td>${d.stage}</td>
<td>${temporalCell(ctx, `incident-${d.ref}`)}</td>
</tr>`,
  );
  const body = html`<h1>This week</h1>
<p class="summary">Open deadlines due within ${week.within} days (by the end of ${formatLongDate(week.last)}) or overdue: <strong>${week.rows.length}</strong>${overdue ? html`, <strong class="overdue">${overdue} ${WORDS.overdue}</strong>` : ''}. Today is ${formatLongDate(week.today)}. The same as <code>kscp deadlines --within ${week.within}</code>.</p>
${
  week.rows.length === 0
    ? html`<p class="empty">No open deadlines due within ${week.within} days or overdue.</p>`
    : html`<table class="deadlines">
<thead><tr><th>Due</th><th>When</th><th>Case</th><th>Deadline</th><th>What is due</th><th>Who</th><th>Stage</th><th>In the Temporal Web UI</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`
}`;
  return layout('This week', 'week', body);
}

export function casePage(sheet: CaseSheet, ctx: PageContext): string {
  const link = sheet.source === 'temporal' ? temporalLink(ctx, sheet.workflowId) : undefined;
  const where =
    sheet.source === 'archive'
      ? html`from the case archive: workflow ${sheet.workflowId} is no longer in Temporal`
      : html`workflow ${link ? html`<a class="temporal" href="${link}">${sheet.workflowId}</a>` : sheet.workflowId}, ${sheet.workflowStatus.toLowerCase()}`;
  const attention = sheet.attention.length
    ? html`<section class="attention-box"><h2>${WORDS.needsAttention}</h2><ul>${sheet.attention.map(
        (a) => html`<li><strong>${a.problem}</strong>${a.deadline ? html` <small>(${a.deadline})</small>` : ''}<br>What to do: ${a.fix}</li>`,
      )}</ul><p><code>kscp status ${sheet.ref}</code> shows the same.</p></section>`
    : '';
  const rows = sheet.deadlines.map((d) => {
    const met = d.metOn ?? (d.metAt ? londonDate(new Date(d.metAt)) : undefined);
    return html`<tr class="state-${d.status}" data-deadline="${d.name}">
<td>${d.name}</td>
<td>${deadlineWhat(d.name)}</td>
<td class="date">${d.due ? formatShortDate(d.due) : '(being computed)'}</td>
<td class="state">${d.status === 'overdue' ? html`<span class="flag flag-overdue">${deadlineWords(d, formatShortDate)}</span>` : deadlineWords(d, formatShortDate)}${d.status === 'cancelled' && d.cancelledBecause ? html` <small>(${d.cancelledBecause})</small>` : ''}</td>
<td class="date">${met ? formatShortDate(met) : ''}</td>
<td class="date">${d.revisedTarget ? formatShortDate(d.revisedTarget) : ''}</td>
</tr>`;
  });
  const body = html`<h1>Case ${sheet.ref}</h1>
<p class="summary">Stage <strong>${sheet.stage}</strong> (${sheet.stageTitle})${sheet.routeTitle ? html`; route: ${sheet.routeTitle}` : ''}; notified by ${sheet.agency}; ${where}.${sheet.closedBecause ? html` Closed: ${sheet.closedBecause}.` : ''}</p>
${attention}
<h2>Deadlines on a time line</h2>
${deadlineTimeline(sheet.deadlines, sheet.today)}
<table class="deadlines">
<thead><tr><th>Deadline</th><th>What is due</th><th>Statutory date</th><th>Status</th><th>Met on</th><th>Revised target</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
<p>${link ? html`Its history, events and the <code>state</code> and <code>timeline</code> queries: <a class="temporal" href="${link}">${sheet.workflowId} in the Temporal Web UI</a>. ` : ''}Who recorded what and when: <code>kscp timeline ${sheet.ref}</code>.</p>`;
  return layout(`Case ${sheet.ref}`, 'case', body);
}

export function errorPage(status: number, message: string): string {
  const title = status === 404 ? 'Not found' : status === 400 ? 'Not a valid request' : status === 503 ? 'Not available now' : 'Something went wrong';
  return layout(title, 'error', html`<h1>${title}</h1><p class="error">${message}</p><p><a href="/">Back to the open cases</a></p>`);
}
