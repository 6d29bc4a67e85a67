/** CSV text for exports (RFC 4180 quoting; numbers as in series.csv: 12 significant digits, '' for NaN). */
import { formatNumber } from '../series-csv.js';

export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return formatNumber(v);
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvRows(header: readonly string[], rows: Iterable<readonly unknown[]>): string {
  let out = header.map(csvCell).join(',') + '\n';
  for (const r of rows) out += r.map(csvCell).join(',') + '\n';
  return out;
}
