/**
 * Timestamp parsing and formatting for the dataset, by char-code scanning (no Date.parse, no regex).
 *
 * Accepted forms (all UTC):
 * - ISO `2024-01-01T00:00:00Z`, with optional fraction (`.123`) and zone `Z`, `+00:00`, `+0000`, `+00`;
 * - space-separated `2024-01-01 01:00:00+00:00` (the Aave oracle / peg files);
 * - date only `2024-01-01` (midnight UTC); a timestamp without a zone is taken as UTC;
 * - unix SECONDS `1704067200` (fractions allowed), or unix MILLISECONDS when the value is > 1e12.
 */

export const SECOND_MS = 1_000;
export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** Unix values above this are milliseconds, below seconds (1e12 s is year 33658; 1e12 ms is 2001-09-09). */
export const UNIX_MS_THRESHOLD = 1e12;

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** Reads `n` decimal digits at `i`; -1 when any is not a digit. */
function digits(s: string, i: number, n: number): number {
  let v = 0;
  for (let k = 0; k < n; k++) {
    const c = s.charCodeAt(i + k) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/**
 * Parses the timestamp in `s[from, to)` into epoch milliseconds; NaN when it is not one of the accepted
 * forms. Surrounding spaces are ignored.
 */
export function parseTimestampMs(s: string, from = 0, to = s.length): number {
  while (from < to && s.charCodeAt(from) === 32) from++;
  while (to > from && s.charCodeAt(to - 1) === 32) to--;
  if (from >= to) return NaN;
  // Unix seconds / milliseconds: digits with an optional fraction
  let numeric = true;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if ((c < 48 || c > 57) && c !== 46) {
      numeric = false;
      break;
    }
  }
  if (numeric) {
    if (to - from < 5) return NaN; // "2024" alone is a year, not a unix time
    const v = Number(s.slice(from, to));
    if (!Number.isFinite(v)) return NaN;
    return v > UNIX_MS_THRESHOLD ? v : Math.round(v * 1000);
  }
  return parseIsoMs(s, from, to);
}

function parseIsoMs(s: string, i: number, to: number): number {
  if (to - i < 10 || s.charCodeAt(i + 4) !== 45 || s.charCodeAt(i + 7) !== 45) return NaN;
  const y = digits(s, i, 4);
  const mo = digits(s, i + 5, 2);
  const d = digits(s, i + 8, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return NaN;
  let ms = daysFromCivil(y, mo, d) * DAY_MS;
  i += 10;
  if (i === to) return ms;
  const sep = s.charCodeAt(i);
  if (sep !== 84 && sep !== 32 && sep !== 116) return NaN; // 'T', ' ', 't'
  i++;
  if (to - i < 5 || s.charCodeAt(i + 2) !== 58) return NaN;
  const h = digits(s, i, 2);
  const mi = digits(s, i + 3, 2);
  if (h < 0 || h > 23 || mi < 0 || mi > 59) return NaN;
  ms += h * HOUR_MS + mi * MINUTE_MS;
  i += 5;
  if (i < to && s.charCodeAt(i) === 58) {
    const sec = digits(s, i + 1, 2);
    if (sec < 0 || sec > 59) return NaN;
    ms += sec * SECOND_MS;
    i += 3;
    if (i < to && s.charCodeAt(i) === 46) {
      // fraction of a second: keep milliseconds, ignore finer digits
      i++;
      let scale = 100;
      const start = i;
      while (i < to) {
        const c = s.charCodeAt(i) - 48;
        if (c < 0 || c > 9) break;
        ms += c * scale;
        scale /= 10;
        i++;
      }
      if (i === start) return NaN;
      ms = Math.floor(ms);
    }
  }
  if (i === to) return ms;
  const z = s.charCodeAt(i);
  if ((z === 90 || z === 122) && i + 1 === to) return ms; // 'Z'
  if (z !== 43 && z !== 45) return NaN; // '+' / '-'
  const sign = z === 43 ? 1 : -1;
  const oh = digits(s, i + 1, 2);
  if (oh < 0 || oh > 23) return NaN;
  let om = 0;
  const rest = to - (i + 3);
  if (rest === 3 && s.charCodeAt(i + 3) === 58) om = digits(s, i + 4, 2);
  else if (rest === 2) om = digits(s, i + 3, 2);
  else if (rest !== 0) return NaN;
  if (om < 0 || om > 59) return NaN;
  return ms - sign * (oh * HOUR_MS + om * MINUTE_MS);
}

/** `2024-05-01T00:00Z`: the short UTC form used in messages; `n/a` for NaN. */
export function formatMinuteUtc(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a';
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 16)}Z`;
}

const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => (i < 10 ? `0${i}` : String(i)));
let cachedDay = NaN;
let cachedDate = '';

/** `YYYY-MM-DD` of the day containing `ms`, cached for the last day seen (writers go in time order). */
function dateOf(ms: number): string {
  const day = Math.floor(ms / DAY_MS);
  if (day !== cachedDay) {
    cachedDay = day;
    cachedDate = new Date(day * DAY_MS).toISOString().slice(0, 10);
  }
  return cachedDate;
}

/** `HH:MM:SS` of `ms` (whole seconds). */
function timeOf(ms: number): string {
  const sec = Math.floor((ms - Math.floor(ms / DAY_MS) * DAY_MS) / 1000);
  return `${TWO_DIGITS[Math.floor(sec / 3600)]}:${TWO_DIGITS[Math.floor(sec / 60) % 60]}:${TWO_DIGITS[sec % 60]}`;
}

/** `2024-01-01T00:00:00Z`: the ISO form of the CEX and gas files. */
export function formatIsoSecondUtc(ms: number): string {
  return `${dateOf(ms)}T${timeOf(ms)}Z`;
}

/** `2024-01-01 01:00:00+00:00`: the form of the Aave oracle and peg files. */
export function formatSpaceOffsetUtc(ms: number): string {
  return `${dateOf(ms)} ${timeOf(ms)}+00:00`;
}

/** `2024-01-01`. */
export function formatDateUtc(ms: number): string {
  return dateOf(ms);
}
