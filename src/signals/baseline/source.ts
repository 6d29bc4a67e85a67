/**
 * The `baseline` source: a logistic-regression direction model (features.ts, logistic.ts) trained
 * walk-forward (walkforward.ts) on the spot candles of the traded asset (`cex.binance.{SYMBOL}.spot.*`,
 * complete 5-minute data in the reference dataset) at the run's bar interval. To have a model from the
 * first bar of the window, it loads `train_window` + one retrain period + the features' 288-bar warm-up of
 * history before the window where the dataset has it. Nothing is downloaded; the same seed, parameters and
 * data give the same predictions, so they are cached on disk (cache.ts) and a repeated run does not train.
 */
import type { BaselineParams } from '../../config/signalsSchema.js';
import { resolve } from 'node:path';
import { defaultCacheDir, describeCoverage, loadMarketData } from '../../data/index.js';
import { predictionCacheKey, readCachedPredictions, writeCachedPredictions } from './cache.js';
import { formatDuration, parseDurationMs } from '../../domain/duration.js';
import type { PredictionSet, SignalReport, SignalRequest, SignalSource } from '../types.js';
import { WARMUP_BARS, computeFeatures } from './features.js';
import { walkForward, type WalkForwardParams } from './walkforward.js';

export function baselineParams(p: BaselineParams): WalkForwardParams {
  return {
    seed: p.seed,
    trainWindowMs: parseDurationMs(p.train_window)!,
    retrainEveryMs: parseDurationMs(p.retrain_every)!,
    minHistoryMs: parseDurationMs(p.min_history)!,
    l2: p.l2,
    sampleFraction: p.sample_fraction,
  };
}

export class BaselineSignalSource implements SignalSource {
  readonly name: string;
  private readonly params: WalkForwardParams;

  constructor(
    private readonly config: BaselineParams,
    private readonly spotVenue = 'binance',
  ) {
    this.params = baselineParams(config);
    const c = config;
    this.name = `baseline logistic regression (seed ${c.seed}, train ${c.train_window}, retrain every ${c.retrain_every})`;
  }

  async load(req: SignalRequest): Promise<{ predictions: PredictionSet; report: SignalReport }> {
    const t0 = performance.now();
    const { stepMs } = req;
    const base = `cex.${this.spotVenue}.${req.symbol}.spot`;
    const ids = [`${base}.price`, `${base}.high`, `${base}.low`];
    const [meta] = describeCoverage(req.dataDir, [ids[0]], { cacheDir: req.cacheDir });
    const firstMs = Math.ceil(meta.coverage.firstMs / stepMs) * stepMs;
    const history = this.params.trainWindowMs + this.params.retrainEveryMs + WARMUP_BARS * stepMs;
    const wanted = Math.floor((req.startMs - history) / stepMs) * stepMs;
    const fromMs = Math.min(req.startMs, Math.max(firstMs, wanted));
    const data = await loadMarketData({
      dataDir: req.dataDir,
      startMs: fromMs,
      endMs: req.endMs,
      stepMs,
      required: ids,
      cacheDir: req.cacheDir,
    });
    const t1 = performance.now();
    const cacheDir = resolve(req.cacheDir ?? defaultCacheDir());
    const key = predictionCacheKey({
      params: this.config,
      candles: base,
      stepMs,
      fromMs,
      startMs: req.startMs,
      endMs: req.endMs,
      dataset: data.datasetId,
    });
    const cached = readCachedPredictions(cacheDir, key);
    if (cached) {
      return {
        predictions: cached.predictions,
        report: { ...cached.report, cache: 'hit', load_ms: Math.round((performance.now() - t0) * 10) / 10 },
      };
    }
    const ts = data.timestampsMs;
    const fm = computeFeatures(
      ts,
      data.series.get(ids[0])!,
      data.series.get(ids[1])!,
      data.series.get(ids[2])!,
    );
    const from = Math.round((req.startMs - fromMs) / stepMs);
    const to = data.length - 1;
    const wf = walkForward(ts, fm, this.params, from, to, req.onProgress);
    const timestampsMs = ts.slice(from, to + 1);
    let correct = 0;
    let judged = 0;
    let active = 0;
    for (let k = 0; k < wf.direction.length; k++) {
      const d = wf.direction[k];
      if (d === 0) continue;
      active++;
      const y = fm.label[from + k];
      if (y < 0) continue;
      judged++;
      if ((y === 1) === d > 0) correct++;
    }
    const trainMs = performance.now() - t1;
    const result = {
      predictions: {
        source: `${this.name} on ${base} ${formatDuration(stepMs)} candles`,
        timestampsMs,
        direction: wf.direction,
        confidence: wf.confidence,
        sd: wf.sd,
      },
      report: {
        source: 'baseline',
        model: 'logistic regression (L2, standardised features)',
        candles: `${base} ${formatDuration(stepMs)}`,
        params: { ...this.config },
        history_from: new Date(fromMs).toISOString(),
        retrains: wf.retrains,
        first_fit: Number.isNaN(wf.firstFitMs) ? null : new Date(wf.firstFitMs).toISOString(),
        mean_rows_per_fit: Math.round(wf.meanRowsPerFit),
        mean_fit_steps: Math.round(wf.meanIterations * 100) / 100,
        bars: wf.direction.length,
        bars_with_signal: active,
        /** Evaluated after the fact against the next bar's move (never used by any decision). */
        direction_accuracy: judged > 0 ? correct / judged : null,
        load_ms: Math.round((t1 - t0) * 10) / 10,
        train_ms: Math.round(trainMs * 10) / 10,
      } as SignalReport,
    };
    writeCachedPredictions(cacheDir, key, result.predictions, result.report);
    return { predictions: result.predictions, report: { ...result.report, cache: 'miss' } };
  }
}
