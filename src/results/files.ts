/** Writes a run's summary (JSON), per-step series (CSV) and event log (JSONL) side by side. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import type { SummarisedRun } from './run.js';
import { eventJson } from './store/codec.js';
import { writeSeriesCsv } from './series-csv.js';

export interface WrittenFiles {
  summary: string;
  series: string;
  events: string;
}

/**
 * The results folder of a run: `<mode>-<start>-<end>` for the mode as configured, with
 * `-<8 hex digits>` (a hash of what was changed: overrides, capital, deposits, withdrawals) appended
 * when anything was, so a rerun with other overrides never overwrites another variant's files.
 */
export function runFolderName(
  summary: { mode: string; start: string; end: string },
  variant: readonly string[] = [],
): string {
  const base = `${summary.mode}-${summary.start.slice(0, 10)}-${summary.end.slice(0, 10)}`;
  if (variant.length === 0) return base;
  return `${base}-${createHash('sha256').update(variant.join('\n')).digest('hex').slice(0, 8)}`;
}

/**
 * `jsonPath` given: summary there, `<base>.series.csv` and `<base>.events.jsonl` beside it.
 * Otherwise everything goes to `<outDir>/<mode>-<start>-<end>/{summary.json,series.csv,events.jsonl}`.
 */
export function writeRunFiles(
  run: SummarisedRun,
  opts: { jsonPath?: string; outDir?: string; variant?: readonly string[] },
): WrittenFiles {
  let files: WrittenFiles;
  if (opts.jsonPath) {
    const summary = resolve(opts.jsonPath);
    const base = summary.endsWith('.json') ? summary.slice(0, -5) : summary;
    files = { summary, series: `${base}.series.csv`, events: `${base}.events.jsonl` };
  } else {
    const s = run.summary;
    const dir = resolve(opts.outDir ?? 'results', runFolderName(s, opts.variant));
    files = {
      summary: join(dir, 'summary.json'),
      series: join(dir, 'series.csv'),
      events: join(dir, 'events.jsonl'),
    };
  }
  mkdirSync(dirname(files.summary), { recursive: true });
  mkdirSync(dirname(files.series), { recursive: true });
  writeSeriesCsv(files.series, run.data.timestampsMs, run.recorder.columns(), run.recorder.length);
  writeFileSync(
    files.events,
    run.events.map((e) => eventJson(e)).join('\n') + (run.events.length ? '\n' : ''),
  );
  run.summary.series_file = files.series;
  run.summary.events_file = files.events;
  writeFileSync(files.summary, JSON.stringify(run.summary, replacer, 2) + '\n');
  return files;
}

/** JSON has no Infinity/NaN: write them as strings so nothing is lost silently. */
function replacer(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return value;
}
