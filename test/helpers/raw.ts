/**
 * Independent raw readers for acceptance truths: they read the dataset files directly, without the
 * project's data layer, so the engine is checked against the data rather than against itself.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const DATA_DIR = process.env.BASIS_DATA_DIR ?? '';

function toMs(ts: string): number {
  if (/^\d+$/.test(ts)) return Number(ts) * (ts.length > 11 ? 1 : 1000);
  return Date.parse(ts.replace(' ', 'T'));
}

/** Rows of a CSV as records, skipping `#` comments. */
export function readCsv(file: string): Record<string, string>[] {
  const lines = readFileSync(join(DATA_DIR, file), 'utf8')
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .filter((l) => l && !l.startsWith('#'));
  const header = lines[0].split(',');
  return lines.slice(1).map((l) => {
    const f = l.split(',');
    return Object.fromEntries(header.map((h, i) => [h, f[i]]));
  });
}

/** value column by timestamp (ms) for a file; last duplicate wins. */
export function byTime(file: string, tsCol: string, valueCol: string): Map<number, number> {
  const m = new Map<number, number>();
  for (const r of readCsv(file)) m.set(toMs(r[tsCol]), Number(r[valueCol]));
  return m;
}

export function utc(s: string): number {
  return Date.parse(s.length === 10 ? `${s}T00:00:00Z` : s);
}

/**
 * Price at t by the documented fill rule, computed from the raw candles: the open of the bar stamped t,
 * else the close of the latest bar stamped before t.
 */
export function priceAt(file: string): (t: number) => number {
  const rows = readCsv(file)
    .map((r) => ({ t: toMs(r.timestamp), open: Number(r.open), close: Number(r.close) }))
    .sort((a, b) => a.t - b.t);
  const opens = new Map(rows.map((r) => [r.t, r.open]));
  return (t: number) => {
    const o = opens.get(t);
    if (o !== undefined) return o;
    let lo = 0;
    let hi = rows.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (rows[mid].t < t) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return best < 0 ? Number.NaN : rows[best].close;
  };
}
