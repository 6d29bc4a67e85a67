/**
 * Benchmark support for the ml_directional modes: the baseline model is trained once per (asset, interval,
 * parameters), timed and reported on its own line, and its predictions are handed to the timed runs, so
 * those measure the backtest (5-minute bars) without the training.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMode } from '../src/strategies/modes.js';
import type { MlMode } from '../src/strategies/ml/params.js';
import { BaselineParamsSchema } from '../src/config/signalsSchema.js';
import { describeCoverage } from '../src/data/index.js';
import { parseDurationMs } from '../src/domain/duration.js';
import { ML_SPOT_VENUE } from '../src/strategies/ml/plan.js';
import { BaselineSignalSource, type PredictionSet } from '../src/signals/index.js';

const trained = new Map<string, PredictionSet>();

/** `{ signals }` for an ml_directional mode (training it first if needed), `{}` for any other mode. */
export async function mlBenchOptions(mode: string, dataDir: string): Promise<{ signals?: PredictionSet }> {
  const m = loadMode(mode);
  if (m.family !== 'ml_directional') return {};
  const params = BaselineParamsSchema.parse(m.signals?.baseline ?? {});
  const interval = (m as MlMode).strategy.bar_interval ?? '5m';
  const symbol = `${m.asset}USDT`;
  const key = JSON.stringify({ symbol, interval, params });
  const hit = trained.get(key);
  if (hit) return { signals: hit };
  const stepMs = parseDurationMs(interval)!;
  const [meta] = describeCoverage(dataDir, [`cex.${ML_SPOT_VENUE}.${symbol}.spot.price`]);
  const startMs = Math.ceil(meta.coverage.firstMs / stepMs) * stepMs;
  const endMs = Math.floor(meta.coverage.lastMs / stepMs) * stepMs;
  const cacheDir = mkdtempSync(join(tmpdir(), 'basis-bench-ml-')); // a fresh cache: really train
  try {
    const t0 = performance.now();
    const { predictions, report } = await new BaselineSignalSource(params, ML_SPOT_VENUE).load({
      symbol,
      startMs,
      endMs,
      stepMs,
      dataDir,
      cacheDir,
    });
    const ms = performance.now() - t0;
    process.stdout.write(
      `model training (baseline, ${symbol} ${interval}, ${new Date(startMs).toISOString().slice(0, 10)}..${new Date(endMs).toISOString().slice(0, 10)}, ` +
        `${predictions.timestampsMs.length} bars): ${ms.toFixed(0)} ms (${report.retrains} fits, ${report.train_ms} ms fitting) — ` +
        `excluded from the ${interval} rows below\n`,
    );
    trained.set(key, predictions);
    return { signals: predictions };
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}
