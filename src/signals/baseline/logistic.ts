/**
 * L2-regularised logistic regression on standardised features.
 *
 * P(up | x) = σ(b + Σ_j w_j z_j), z_j = clip((x_j − μ_j) / s_j, ±8), μ and s the mean and standard deviation
 * of feature j over the training rows (s = 1 when a feature is constant there). Minimises
 * Σ_rows −[y ln p + (1 − y) ln(1 − p)] + (λ/2) Σ_j w_j² (the intercept b is not penalised) by
 * bound-optimisation steps (Böhning 1992): Δ = B⁻¹ (Σ (p − y) z̃ + λ w'), B = ¼ Σ z̃ z̃ᵀ + λ I' factorised
 * once, until max |Δ| < 1e-6 (at most 50 steps). The loss is strictly convex (λ > 0), so the optimum —
 * and the fitted model — does not depend on the starting weights beyond that tolerance.
 */

export interface LogisticModel {
  /** Intercept first, then one weight per feature (standardised space). */
  weights: Float64Array;
  mean: Float64Array;
  scale: Float64Array;
  iterations: number;
}

const CLIP = 8;

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** P(up) for row i of the row-major matrix `x` (d columns). */
export function predictRow(m: LogisticModel, x: Float64Array, d: number, i: number): number {
  const w = m.weights;
  let z = w[0];
  const o = i * d;
  for (let j = 0; j < d; j++) {
    let v = (x[o + j] - m.mean[j]) / m.scale[j];
    v = v > CLIP ? CLIP : v < -CLIP ? -CLIP : v;
    z += w[j + 1] * v;
  }
  return sigmoid(z);
}

/**
 * Fits on `rows` (indices into `x`, labels 0/1 in `label`). `start` warm-starts the weights (standardised
 * space; e.g. the previous fit), else zeros.
 */
export function fitLogistic(
  x: Float64Array,
  d: number,
  label: Int8Array,
  rows: Int32Array,
  l2: number,
  start?: Float64Array,
): LogisticModel {
  const n = rows.length;
  const mean = new Float64Array(d);
  const scale = new Float64Array(d);
  for (let r = 0; r < n; r++) {
    const o = rows[r] * d;
    for (let j = 0; j < d; j++) mean[j] += x[o + j];
  }
  for (let j = 0; j < d; j++) mean[j] /= Math.max(1, n);
  for (let r = 0; r < n; r++) {
    const o = rows[r] * d;
    for (let j = 0; j < d; j++) {
      const e = x[o + j] - mean[j];
      scale[j] += e * e;
    }
  }
  for (let j = 0; j < d; j++) {
    const s = Math.sqrt(scale[j] / Math.max(1, n - 1));
    scale[j] = s > 1e-12 ? s : 1;
  }
  // standardised design with a leading 1
  const k = d + 1;
  const z = new Float64Array(n * k);
  for (let r = 0; r < n; r++) {
    const o = rows[r] * d;
    const q = r * k;
    z[q] = 1;
    for (let j = 0; j < d; j++) {
      let v = (x[o + j] - mean[j]) / scale[j];
      v = v > CLIP ? CLIP : v < -CLIP ? -CLIP : v;
      z[q + j + 1] = v;
    }
  }
  const w = start && start.length === k ? Float64Array.from(start) : new Float64Array(k);
  // Böhning's bound: p(1 − p) ≤ ¼, so B = ¼ Σ z zᵀ + λ I' dominates the Hessian everywhere; steps
  // w ← w − B⁻¹ ∇ decrease the loss monotonically and converge to the same optimum as Newton, with B
  // factorised once per fit (in this problem p stays near ½, so B is within a few % of the Hessian).
  const tri = new Float64Array((k * (k + 1)) / 2);
  for (let r = 0; r < n; r++) {
    const q = r * k;
    let t = 0;
    for (let a = 0; a < k; a++) {
      const za = z[q + a];
      for (let b = 0; b <= a; b++) tri[t++] += za * z[q + b];
    }
  }
  const h = new Float64Array(k * k);
  for (let a = 0, t = 0; a < k; a++) for (let b = 0; b <= a; b++) h[a * k + b] = 0.25 * tri[t++];
  for (let a = 1; a < k; a++) h[a * k + a] += l2;
  h[0] += 1e-9; // keeps B positive definite when a window holds a single row
  const chol = cholesky(h, k);
  const g = new Float64Array(k);
  let it = 0;
  for (; it < 50; it++) {
    g.fill(0);
    for (let r = 0; r < n; r++) {
      const q = r * k;
      let s = 0;
      for (let a = 0; a < k; a++) s += w[a] * z[q + a];
      const e = sigmoid(s) - label[rows[r]];
      for (let a = 0; a < k; a++) g[a] += e * z[q + a];
    }
    for (let a = 1; a < k; a++) g[a] += l2 * w[a];
    const step = solve(chol, g, k);
    let max = 0;
    for (let a = 0; a < k; a++) {
      w[a] -= step[a];
      if (Math.abs(step[a]) > max) max = Math.abs(step[a]);
    }
    if (!(max > 1e-6)) break;
  }
  return { weights: w, mean, scale, iterations: it + 1 };
}

/** Cholesky factor L (row-major, lower) of a symmetric positive definite A given by its lower triangle. */
function cholesky(a: Float64Array, k: number): Float64Array {
  const l = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * k + j];
      for (let m = 0; m < j; m++) s -= l[i * k + m] * l[j * k + m];
      if (i === j) l[i * k + i] = Math.sqrt(Math.max(s, 1e-300));
      else l[i * k + j] = s / l[j * k + j];
    }
  }
  return l;
}

/** Solves L Lᵀ x = b. */
function solve(l: Float64Array, b: Float64Array, k: number): Float64Array {
  const y = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    let s = b[i];
    for (let m = 0; m < i; m++) s -= l[i * k + m] * y[m];
    y[i] = s / l[i * k + i];
  }
  const out = new Float64Array(k);
  for (let i = k - 1; i >= 0; i--) {
    let s = y[i];
    for (let m = i + 1; m < k; m++) s -= l[m * k + i] * out[m];
    out[i] = s / l[i * k + i];
  }
  return out;
}
