/**
 * The baseline model: the logistic fit reaches the optimum and recovers known weights; features and
 * walk-forward predictions at or before t do not change when data after t changes; the seed decides the
 * training subsample and nothing else varies between runs.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/data/sample-paths.js';
import { computeFeatures, fitLogistic, sigmoid, walkForward, WARMUP_BARS } from '../../src/signals/index.js';

const STEP = 300_000;
const T0 = Date.UTC(2024, 0, 1);

function walk(n: number, seed: number) {
  const rng = new Rng(seed);
  const ts = new Float64Array(n);
  const price = new Float64Array(n);
  const high = new Float64Array(n);
  const low = new Float64Array(n);
  let p = 40_000;
  for (let i = 0; i < n; i++) {
    ts[i] = T0 + i * STEP;
    price[i] = p;
    const next = p * Math.exp(0.002 * rng.normal());
    high[i] = Math.max(p, next) * (1 + 0.0005 * Math.abs(rng.normal()));
    low[i] = Math.min(p, next) * (1 - 0.0005 * Math.abs(rng.normal()));
    p = next;
  }
  return { ts, price, high, low };
}

describe('logistic regression', () => {
  it('recovers known weights and stops at a stationary point of the penalised loss', () => {
    const rng = new Rng(7);
    const n = 20_000;
    const d = 3;
    const truth = [0.3, 1.2, -0.8, 0.5]; // intercept, w1..w3 on standard-normal features
    const x = new Float64Array(n * d);
    const y = new Int8Array(n);
    for (let i = 0; i < n; i++) {
      let z = truth[0];
      for (let j = 0; j < d; j++) {
        x[i * d + j] = rng.normal();
        z += truth[j + 1] * x[i * d + j];
      }
      y[i] = rng.next() < sigmoid(z) ? 1 : 0;
    }
    const rows = Int32Array.from({ length: n }, (_, i) => i);
    const m = fitLogistic(x, d, y, rows, 0.01);
    // weights are in standardised units: w_j / s_j in raw units; the intercept absorbs the means
    for (let j = 0; j < d; j++) expect(m.weights[j + 1] / m.scale[j]).toBeCloseTo(truth[j + 1], 1);
    // gradient of the penalised loss at the fit: Σ (p − y) z + λ w' ≈ 0
    const g = new Float64Array(d + 1);
    for (let i = 0; i < n; i++) {
      const zs = [1, ...Array.from({ length: d }, (_, j) => (x[i * d + j] - m.mean[j]) / m.scale[j])];
      const p = sigmoid(zs.reduce((s, v, a) => s + v * m.weights[a], 0));
      zs.forEach((v, a) => (g[a] += (p - y[i]) * v));
    }
    for (let a = 1; a <= d; a++) g[a] += 0.01 * m.weights[a];
    for (const v of g) expect(Math.abs(v) / n).toBeLessThan(1e-6); // the stopping rule: steps < 1e-6
  });
});

describe('features and walk-forward predictions', () => {
  const n = 8 * 288;
  const params = {
    seed: 42,
    trainWindowMs: 3 * 86_400_000,
    retrainEveryMs: 6 * 3_600_000,
    minHistoryMs: 86_400_000,
    l2: 1,
    sampleFraction: 0.8,
  };

  it('nothing at or before t moves when prices, highs and lows after t change', () => {
    const a = walk(n, 1);
    const t = 6 * 288 + 37;
    const b = walk(n, 1);
    const rng = new Rng(99);
    for (let i = t + 1; i < n; i++) b.price[i] *= 1 + 0.01 * rng.normal();
    for (let i = t; i < n; i++) {
      b.high[i] *= 1.01; // the bar that opens at t closes after t
      b.low[i] *= 0.99;
    }
    const fa = computeFeatures(a.ts, a.price, a.high, a.low);
    const fb = computeFeatures(b.ts, b.price, b.high, b.low);
    expect(fb.x.subarray(0, (t + 1) * 10)).toEqual(fa.x.subarray(0, (t + 1) * 10));
    expect(fb.valid.subarray(0, t + 1)).toEqual(fa.valid.subarray(0, t + 1));
    expect(fb.label.subarray(0, t)).toEqual(fa.label.subarray(0, t)); // label t is known at t + 1
    expect(fb.sd.subarray(0, t + 1)).toEqual(fa.sd.subarray(0, t + 1));
    expect(fb.x.subarray((t + 1) * 10)).not.toEqual(fa.x.subarray((t + 1) * 10));

    const wa = walkForward(a.ts, fa, params, 0, n - 1);
    const wb = walkForward(b.ts, fb, params, 0, n - 1);
    expect(wa.retrains).toBeGreaterThan(20);
    expect(wb.direction.subarray(0, t + 1)).toEqual(wa.direction.subarray(0, t + 1));
    expect(wb.confidence.subarray(0, t + 1)).toEqual(wa.confidence.subarray(0, t + 1));
    expect(wb.confidence.subarray(t + 1)).not.toEqual(wa.confidence.subarray(t + 1));
  });

  it('neutral before the first fit, which waits for min_history; the seed alone changes the fit', () => {
    const a = walk(n, 2);
    const f = computeFeatures(a.ts, a.price, a.high, a.low);
    const w1 = walkForward(a.ts, f, params, 0, n - 1);
    const w2 = walkForward(a.ts, f, params, 0, n - 1);
    const w3 = walkForward(a.ts, f, { ...params, seed: 43 }, 0, n - 1);
    expect(w2.confidence).toEqual(w1.confidence);
    expect(w3.confidence).not.toEqual(w1.confidence);
    const first = (w1.firstFitMs - T0) / STEP;
    expect(w1.firstFitMs).toBe(T0 + WARMUP_BARS * STEP + 86_400_000); // warm-up, then 1 d of labelled rows
    expect([...w1.confidence.subarray(0, first)].every((c) => c === 0)).toBe(true);
    expect(w1.confidence[first]).toBeGreaterThan(0.5);
  });
});
