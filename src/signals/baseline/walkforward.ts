/**
 * Walk-forward training of the baseline: the model is refitted at every multiple of `retrainEveryMs` (UTC)
 * from the first time `minHistoryMs` of labelled history exists. A fit at time T uses the rows j with
 * t_j ≥ T − trainWindowMs whose label is known at T (t_{j+1} ≤ T), a seeded random `sampleFraction` of
 * them (the seed mixes the run's seed with T, so the model at T does not depend on the window asked for),
 * and predicts every bar from T until the next fit. Before the first fit the prediction is neutral.
 *
 * Prediction of bar i: p = P(up); signal long when p > ½, short when p < ½, neutral at exactly ½;
 * confidence = max(p, 1 − p); sd = σ_i (features.ts).
 */
import { Rng } from '../../data/sample-paths.js';
import { FEATURES, type FeatureMatrix } from './features.js';
import { fitLogistic, predictRow, type LogisticModel } from './logistic.js';

export interface WalkForwardParams {
  seed: number;
  trainWindowMs: number;
  retrainEveryMs: number;
  minHistoryMs: number;
  l2: number;
  sampleFraction: number;
}

export interface WalkForwardResult {
  direction: Int8Array;
  confidence: Float64Array;
  sd: Float64Array;
  retrains: number;
  /** Time of the first fit, or NaN. */
  firstFitMs: number;
  meanRowsPerFit: number;
  meanIterations: number;
}

/**
 * Predictions for rows `from .. to` (inclusive) of `fm`, whose bars open at `timestampsMs`; fits may use
 * every earlier row of `fm` (history loaded before the window).
 */
export function walkForward(
  timestampsMs: Float64Array,
  fm: FeatureMatrix,
  params: WalkForwardParams,
  from: number,
  to: number,
  /** Called about 100 times while the model is fitted walk-forward (bars done, bars in all). */
  onProgress?: (done: number, total: number) => void,
): WalkForwardResult {
  const out = to - from + 1;
  const every100 = Math.max(1, Math.floor((to + 1) / 100));
  const direction = new Int8Array(out);
  const confidence = new Float64Array(out);
  const sd = new Float64Array(out);
  let firstValid = -1;
  for (let i = 0; i < fm.n; i++)
    if (fm.valid[i]) {
      firstValid = i;
      break;
    }
  let model: LogisticModel | null = null;
  let retrains = 0;
  let rowsSum = 0;
  let itSum = 0;
  let firstFitMs = NaN;
  const every = params.retrainEveryMs;
  const earliest = firstValid < 0 ? Infinity : timestampsMs[firstValid] + params.minHistoryMs;
  let nextFit = Math.ceil(earliest / every) * every;
  const rows = new Int32Array(fm.n);
  for (let i = 0; i <= to; i++) {
    if (onProgress && i % every100 === 0) onProgress(i, to + 1);
    const t = timestampsMs[i];
    if (t >= nextFit) {
      const slot = Math.floor(t / every);
      nextFit = (slot + 1) * every;
      // fits whose model is replaced before the window opens are skipped
      if (nextFit > timestampsMs[from]) {
        // fit at T = t (the first bar at or after the schedule time) on rows labelled by T
        const lo = t - params.trainWindowMs;
        const rng = new Rng(mix(params.seed, slot));
        let m = 0;
        for (let j = i - 1; j >= 0 && timestampsMs[j] >= lo; j--) {
          if (!fm.valid[j] || fm.label[j] < 0) continue;
          if (rng.next() < params.sampleFraction) rows[m++] = j;
        }
        if (m >= 2 * FEATURES) {
          model = fitLogistic(fm.x, FEATURES, fm.label, rows.subarray(0, m), params.l2, model?.weights);
          retrains++;
          rowsSum += m;
          itSum += model.iterations;
          if (!(firstFitMs === firstFitMs)) firstFitMs = t;
        }
      }
    }
    if (i < from) continue;
    const k = i - from;
    const s = fm.sd[i];
    sd[k] = s > 0 ? s : 1e-6;
    if (model === null || !fm.valid[i]) continue;
    const p = predictRow(model, fm.x, FEATURES, i);
    direction[k] = p > 0.5 ? 1 : p < 0.5 ? -1 : 0;
    confidence[k] = Math.max(p, 1 - p);
  }
  return {
    direction,
    confidence,
    sd,
    retrains,
    firstFitMs,
    meanRowsPerFit: retrains > 0 ? rowsSum / retrains : 0,
    meanIterations: retrains > 0 ? itSum / retrains : 0,
  };
}

/** A 32-bit seed from the run's seed and the fit's index (splitmix-style mixing). */
function mix(seed: number, k: number): number {
  let h = (seed ^ Math.imul(k, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}
