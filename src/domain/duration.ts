/** Durations written like `5m`, `1h`, `30d` (minutes, hours, days) in configs and on the command line. */

export const DURATION_RE = /^([1-9]\d*)([mhd])$/;

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds of a duration like `5m`, `12h` or `30d`; null when the text is not one. */
export function parseDurationMs(text: string): number | null {
  const m = DURATION_RE.exec(text.trim());
  if (!m) return null;
  const ms = Number(m[1]) * UNIT_MS[m[2]];
  return Number.isSafeInteger(ms) ? ms : null;
}

/** The shortest text for a duration: 300000 → `5m`, 3600000 → `1h`, 86400000 → `1d`. */
export function formatDuration(ms: number): string {
  if (ms % UNIT_MS.d === 0) return `${ms / UNIT_MS.d}d`;
  if (ms % UNIT_MS.h === 0) return `${ms / UNIT_MS.h}h`;
  return `${ms / UNIT_MS.m}m`;
}
