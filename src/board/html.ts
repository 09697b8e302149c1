/**
 * HTML built so that nothing from a case can become markup: every value interpolated into the
 * `html` template is escaped (the five HTML specials, and first, as `kscp` does for a terminal, the
 * characters that reorder or hide text: src/cli/format.ts `printable`), unless it is itself `Html`
 * built the same way. There is no other way to put text into a page.
 */
import { printable } from '../cli/format';

export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** Text for an HTML text node or a quoted attribute value: control and bidirectional characters shown escaped, then the five HTML specials. */
export function escapeHtml(text: string): string {
  return printable(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

type Value = Html | string | number | boolean | null | undefined | readonly Value[];

function render(v: Value): string {
  if (v === null || v === undefined || v === false) return '';
  if (v instanceof Html) return v.value;
  if (Array.isArray(v)) return v.map(render).join('');
  return escapeHtml(String(v));
}

/** `html\`<p>${text}</p>\``: the template's own markup as written, every value escaped. */
export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  let out = strings[0]!;
  values.forEach((v, i) => {
    out += render(v) + strings[i + 1]!;
  });
  return new Html(out);
}

/** A path or query value for an href (the value escaped again as an attribute by `html`). */
export function urlPart(text: string): string {
  return encodeURIComponent(text);
}
