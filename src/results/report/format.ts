/**
 * Number formats of the HTML report's static figures; the same rules as `BasisCharts.format` in
 * web/js/charts.js (the UI), so a figure reads the same in both.
 */
const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

export function pct(x: unknown, digits = 2): string {
  return finite(x) ? `${(x * 100).toFixed(digits)} %` : 'n/a';
}

export function amount(x: unknown, unit: string): string {
  if (!finite(x)) return 'n/a';
  const digits = unit === 'USDT' ? 2 : 6;
  return x.toLocaleString('en-US', { maximumFractionDigits: digits }) + (unit ? ` ${unit}` : '');
}

export function ratio(x: unknown, digits = 2): string {
  return finite(x) ? x.toFixed(digits) : 'n/a';
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** JSON safe inside <script>: no `<` can close the element. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Script text safe inside <script>. */
export function scriptText(js: string): string {
  return js.replace(/<\/script/gi, '<\\/script').replace(/<!--/g, '<\\!--');
}
