/**
 * The per-step series CSV, written in one pass from the recorder's preallocated columns: rows are appended
 * to a ~1 MiB text buffer that is flushed to the file as it fills, so no per-row string array or whole-file
 * string is ever held (a 182,869-row, 30-column ML run is ~21 MB of CSV).
 *
 * Format: `timestamp` (ISO 8601 UTC, `YYYY-MM-DDTHH:MM:SSZ`, milliseconds only when non-zero), then one
 * column per series; numbers with 12 significant digits and no trailing zeros, `''` for NaN, `inf`/`-inf`.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

export interface SeriesColumn {
  name: string;
  values: Float64Array;
}

const FLUSH_AT = 1 << 20;
const DAY_MS = 86_400_000;

export function writeSeriesCsv(
  path: string,
  timestampsMs: Float64Array,
  columns: readonly SeriesColumn[],
  length: number,
): void {
  const fd = openSync(path, 'w');
  try {
    let buf = 'timestamp,' + columns.map((c) => c.name).join(',') + '\n';
    const iso = new IsoMinutes();
    const k = columns.length;
    for (let t = 0; t < length; t++) {
      buf += iso.format(timestampsMs[t]);
      for (let j = 0; j < k; j++) buf += ',' + formatNumber(columns[j].values[t]);
      buf += '\n';
      if (buf.length >= FLUSH_AT) {
        writeSync(fd, buf);
        buf = '';
      }
    }
    if (buf.length > 0) writeSync(fd, buf);
  } finally {
    closeSync(fd);
  }
}

/** A CSV cell: 12 significant digits, shortest form (`String(Number(x.toPrecision(12)))`). */
export function formatNumber(x: number): string {
  if (x === 0) return '0';
  if (Number.isNaN(x)) return '';
  if (x === Number.POSITIVE_INFINITY) return 'inf';
  if (x === Number.NEGATIVE_INFINITY) return '-inf';
  // integers below 1e12 already have at most 12 digits: toPrecision(12) would give them back unchanged
  if (Number.isInteger(x) && x < 1e12 && x > -1e12) return String(x);
  return String(Number(x.toPrecision(12)));
}

/** ISO timestamps with the date part computed once per day (the grid's rows share their day). */
class IsoMinutes {
  private day = NaN;
  private prefix = '';

  format(ms: number): string {
    const day = Math.floor(ms / DAY_MS);
    if (day !== this.day) {
      this.day = day;
      this.prefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
    }
    let r = ms - day * DAY_MS;
    const h = Math.floor(r / 3_600_000);
    r -= h * 3_600_000;
    const m = Math.floor(r / 60_000);
    r -= m * 60_000;
    const s = Math.floor(r / 1000);
    const milli = r - s * 1000;
    const hms = this.prefix + two(h) + ':' + two(m) + ':' + two(s);
    return milli === 0 ? hms + 'Z' : hms + '.' + String(milli).padStart(3, '0') + 'Z';
  }
}

function two(n: number): string {
  return n < 10 ? '0' + n : String(n);
}
