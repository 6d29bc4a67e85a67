/** Row → record mapping for the runs table (dates as ISO strings, JSON columns as objects). */
import type { RunListItem, RunRecord, RunRequest, RunSource, RunTimings } from './types.js';

type Row = Record<string, unknown>;

export const isoOrNull = (v: unknown): string | null =>
  v === null || v === undefined
    ? null
    : v instanceof Date
      ? v.toISOString()
      : new Date(String(v)).toISOString();

export function toListItem(r: Row): RunListItem {
  const summary = (r.summary ?? null) as RunRecord['summary'];
  return {
    id: r.id as string,
    status: r.status as RunListItem['status'],
    source: r.source as RunSource,
    mode: r.mode as string,
    family: (r.family as string | null) ?? null,
    share_class: (r.share_class as string | null) ?? null,
    start: summary?.start ?? isoOrNull(r.window_start),
    end: summary?.end ?? isoOrNull(r.window_end),
    capital: Number(r.capital),
    synthetic: (r.synthetic as boolean | null) ?? null,
    created_at: isoOrNull(r.created_at)!,
    finished_at: isoOrNull(r.finished_at),
    total_return: num(summary?.total_return),
    apy: num(summary?.apy),
    max_drawdown: num(summary?.max_drawdown),
    final_equity: num(summary?.final_equity),
    error: (r.error as string | null) ?? null,
    overrides: ((r.request as RunRequest | null)?.overrides ?? []).map(String),
  };
}

function num(v: unknown): number | null {
  return typeof v === 'number' ? v : null;
}

export function toRecord(r: Row): RunRecord {
  return {
    ...toListItem(r),
    started_at: isoOrNull(r.started_at),
    request: r.request as RunRequest,
    config: r.config ?? null,
    dataset: (r.dataset ?? null) as RunRecord['dataset'],
    code_version: r.code_version as RunRecord['code_version'],
    timings: (r.timings ?? null) as RunTimings | null,
    summary: (r.summary ?? null) as RunRecord['summary'],
    steps: r.steps === null || r.steps === undefined ? null : Number(r.steps),
  };
}
