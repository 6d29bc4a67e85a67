/**
 * Features of the baseline model, from candles on a grid (price p_i = open of bar i, high / low of bar i
 * known at the close of bar i). Every feature of bar i uses only p_0..p_i and the high / low of bars up to
 * i − 1, i.e. data known at the bar's open t_i: no look-ahead.
 *
 * With r_i = ln(p_i / p_{i−1}) and σ_i = √(EWMA of r² with a half-life of 48 bars) (σ^L: 288 bars):
 *   ret_k          = ln(p_i / p_{i−k}) / (σ_i √k)          for k = 1, 3, 12, 48, 288 bars
 *   vol_ratio      = ln(σ_i / σ^L_i)
 *   range          = ln(high_{i−1} / low_{i−1}) / σ_i       (last bar's range in units of σ)
 *   close_location = (p_i − low_{i−1}) / (high_{i−1} − low_{i−1}) − ½
 *   hour_sin, hour_cos = the UTC hour of t_i on the unit circle
 * The label of bar i is 1 when p_{i+1} > p_i, 0 when below, none (−1) when equal or unknown: it is known
 * only at t_{i+1}. `sd_i` = σ_i, the standard deviation of one bar's move, is the predicted sd.
 */

export const FEATURE_NAMES = [
  'ret_1',
  'ret_3',
  'ret_12',
  'ret_48',
  'ret_288',
  'vol_ratio',
  'range',
  'close_location',
  'hour_sin',
  'hour_cos',
] as const;
export const FEATURES = FEATURE_NAMES.length;
const LAGS = [1, 3, 12, 48, 288];
/** Bars of history the features need. */
export const WARMUP_BARS = 288;
const HALF_LIFE_SHORT = 48;
const HALF_LIFE_LONG = 288;

export interface FeatureMatrix {
  n: number;
  /** Row-major n × FEATURES. */
  x: Float64Array;
  /** 1 up, 0 down, −1 no label (flat or unknown). */
  label: Int8Array;
  /** 1 when row i's features are defined. */
  valid: Uint8Array;
  /** σ_i, decimal (NaN before the first return). */
  sd: Float64Array;
}

export function computeFeatures(
  timestampsMs: Float64Array,
  price: Float64Array,
  high: Float64Array,
  low: Float64Array,
): FeatureMatrix {
  const n = price.length;
  const d = FEATURES;
  const x = new Float64Array(n * d);
  const label = new Int8Array(n).fill(-1);
  const valid = new Uint8Array(n);
  const sd = new Float64Array(n).fill(NaN);
  const ls = Math.pow(0.5, 1 / HALF_LIFE_SHORT);
  const ll = Math.pow(0.5, 1 / HALF_LIFE_LONG);
  let vs = NaN;
  let vl = NaN;
  for (let i = 1; i < n; i++) {
    const p = price[i];
    const q = price[i - 1];
    if (p > 0 && q > 0) {
      const r = Math.log(p / q);
      const r2 = r * r;
      vs = vs === vs ? ls * vs + (1 - ls) * r2 : r2;
      vl = vl === vl ? ll * vl + (1 - ll) * r2 : r2;
    }
    sd[i] = Math.sqrt(vs);
    if (i + 1 < n && price[i + 1] > 0 && p > 0 && price[i + 1] !== p) label[i] = price[i + 1] > p ? 1 : 0;
    if (i < WARMUP_BARS) continue;
    const s = sd[i];
    const h = high[i - 1];
    const l = low[i - 1];
    if (!(s > 0) || !(p > 0) || !(h > 0) || !(l > 0) || !(vl > 0)) continue;
    const o = i * d;
    let ok = true;
    for (let k = 0; k < LAGS.length; k++) {
      const back = price[i - LAGS[k]];
      if (!(back > 0)) {
        ok = false;
        break;
      }
      x[o + k] = Math.log(p / back) / (s * Math.sqrt(LAGS[k]));
    }
    if (!ok) continue;
    x[o + 5] = 0.5 * Math.log(vs / vl);
    x[o + 6] = Math.log(h / l) / s;
    x[o + 7] = h > l ? (p - l) / (h - l) - 0.5 : 0;
    const hour = ((timestampsMs[i] % 86_400_000) / 3_600_000) * ((2 * Math.PI) / 24);
    x[o + 8] = Math.sin(hour);
    x[o + 9] = Math.cos(hour);
    valid[i] = 1;
  }
  return { n, x, label, valid, sd };
}
