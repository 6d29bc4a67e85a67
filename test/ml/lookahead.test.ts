/**
 * No look-ahead, end to end: a run on a dataset whose every value after time t is changed (and, for the
 * file source, whose predictions after t are changed) makes exactly the same decisions, fills, trades,
 * funding payments and equity at every step up to t as the run on the original — with the baseline model
 * training on the same candles. A value "after t" is anything stamped after t, plus the high, low and
 * close of a candle still open at t.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/data/sample-paths.js';
import { generateSampleDataset } from '../../src/data/index.js';
import { runBacktest, type SummarisedRun } from '../../src/results/run.js';
import { BaselineSignalSource, writePredictionsCsv } from '../../src/signals/index.js';
import { BaselineParamsSchema } from '../../src/config/signalsSchema.js';

const T0 = Date.UTC(2024, 0, 1);
const DAY = 86_400_000;
const STEP = 300_000;
const START = T0 + DAY;
const END = T0 + 11 * DAY;
const T = T0 + 8 * DAY + 7 * STEP; // the cut
const BASELINE = { train_window: '2d', retrain_every: '6h', min_history: '1d', seed: 3 };
const OVERRIDES = [
  'strategy.signal_threshold=0.505',
  ...Object.entries(BASELINE).map(([k, v]) => `signals.baseline.${k}=${v}`),
];
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

/** The sample dataset plus a 5-minute perp file (spot × 1.0004) with a hole, like the real one. */
function dataset(): string {
  const dir = mkdtempSync(join(tmpdir(), 'basis-ml-la-'));
  generateSampleDataset(dir, { seed: 11, startMs: T0, endMs: T0 + 12 * DAY });
  const spot = readFileSync(join(dir, 'cex/binance/BTCUSDT_spot_5m.csv'), 'utf8').trim().split('\n');
  const out = [spot[0]];
  for (const line of spot.slice(1)) {
    const f = line.split(',');
    const t = Date.parse(f[0]);
    if (t >= T0 + 3 * DAY && t < T0 + 5 * DAY) continue; // the hole
    out.push([f[0], ...f.slice(1, 5).map((x) => String(Number(x) * 1.0004)), f[5]].join(','));
  }
  writeFileSync(join(dir, 'cex/binance/BTCUSDT_perp_5m.csv'), out.join('\n') + '\n');
  return dir;
}

function intervalOf(file: string): number {
  if (file.endsWith('_5m.csv')) return STEP;
  if (file.endsWith('_1h.csv')) return 3_600_000;
  return 0; // events and levels: known at their timestamp
}

/** A copy of `src` in which every value known only after `t` is changed. */
function perturbed(src: string, t: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'basis-ml-lb-'));
  cpSync(src, dir, { recursive: true });
  const rng = new Rng(5);
  const files = (d: string): string[] =>
    readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? files(join(d, f)) : [join(d, f)]));
  for (const file of files(dir).filter((f) => /\/(cex\/binance|gas)\/.*\.csv$/.test(f))) {
    const lines = readFileSync(file, 'utf8').split('\n');
    const hi = lines.findIndex((l) => l && !l.startsWith('#'));
    const header = lines[hi].split(',');
    const tc = header.findIndex((h) => h === 'timestamp' || h === 'funding_timestamp');
    const interval = intervalOf(file);
    for (let i = hi + 1; i < lines.length; i++) {
      if (!lines[i] || lines[i].startsWith('#')) continue;
      const f = lines[i].split(',');
      const s = Date.parse(f[tc]);
      lines[i] = f
        .map((x, c) => {
          const known = interval > 0 && header[c] !== 'open' ? s + interval : s; // high / low / close close the bar
          if (c === tc || known <= t || x === '' || Number.isNaN(Number(x))) return x;
          return String(Number(x) * (1 + 0.03 * (rng.next() - 0.5)));
        })
        .join(',');
    }
    writeFileSync(file, lines.join('\n'));
  }
  return dir;
}

const REPORTS = new Set(['signals', 'data_rule', 'coverage_rule']);

function upTo(run: SummarisedRun, t: number) {
  const cut = iso(t);
  const events = run.events.filter((e) => !REPORTS.has(e.type) && e.t.replace('.000Z', 'Z') <= cut);
  const steps = (t - run.data.startMs) / run.data.stepMs + 1;
  const r = run.recorder;
  return {
    events,
    equity: [...r.equity.subarray(0, steps)],
    pnl: [...r.pnl.subarray(0, steps)],
    positions: r.positions.map((p) => [...p.subarray(0, steps)]),
    attribution: r.attribution.map((p) => [...p.subarray(0, steps)]),
  };
}

describe('no look-ahead: changing every value after t changes nothing at or before t', () => {
  const a = dataset();
  const b = perturbed(a, T);

  it('baseline model (trained walk-forward on the candles), USDT share class', async () => {
    const run = (dir: string) =>
      runBacktest({
        mode: 'ml_usdt_directional_usdt_margin',
        capital: 100_000,
        startMs: START,
        endMs: END,
        dataDir: dir,
        cacheDir: join(dir, '.cache'),
        overrides: OVERRIDES,
      });
    const [ra, rb] = [await run(a), await run(b)];
    const ua = upTo(ra, T);
    expect(ua.events.filter((e) => e.type === 'trade').length).toBeGreaterThan(20);
    expect(ua.events.some((e) => e.type === 'bracket_fill')).toBe(true);
    expect(upTo(rb, T)).toEqual(ua);
    // the change after t is real: the runs part right after it
    expect(rb.recorder.equity[rb.recorder.length - 1]).not.toBe(ra.recorder.equity[ra.recorder.length - 1]);
  });

  it('predictions file whose rows after t are changed too, BTC share class', async () => {
    const src = new BaselineSignalSource(BaselineParamsSchema.parse(BASELINE));
    const { predictions } = await src.load({
      symbol: 'BTCUSDT',
      startMs: START,
      endMs: END,
      stepMs: STEP,
      dataDir: a,
      cacheDir: join(a, '.cache'),
    });
    const pa = join(a, 'preds.csv');
    writePredictionsCsv(pa, predictions);
    const rng = new Rng(8);
    const changed = {
      ...predictions,
      direction: predictions.direction.slice(),
      confidence: predictions.confidence.slice(),
    };
    for (let i = 0; i < changed.timestampsMs.length; i++) {
      if (changed.timestampsMs[i] <= T) continue;
      changed.direction[i] = -changed.direction[i];
      changed.confidence[i] = 0.5 + 0.5 * rng.next();
    }
    const pb = join(b, 'preds.csv');
    writePredictionsCsv(pb, changed);
    const run = (dir: string, file: string) =>
      runBacktest({
        mode: 'ml_btc_directional_usdt_margin',
        capital: 2,
        startMs: START,
        endMs: END,
        dataDir: dir,
        cacheDir: join(dir, '.cache'),
        overrides: [...OVERRIDES, 'signals.source=file', `signals.path=${file}`],
      });
    const [ra, rb] = [await run(a, pa), await run(b, pb)];
    const ua = upTo(ra, T);
    expect(ua.events.filter((e) => e.type === 'trade').length).toBeGreaterThan(20);
    expect(upTo(rb, T)).toEqual(ua);
    expect(rb.recorder.equity[rb.recorder.length - 1]).not.toBe(ra.recorder.equity[ra.recorder.length - 1]);
  });
});
