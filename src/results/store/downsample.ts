/**
 * Downsampling for long windows: the steps are cut into equal buckets of `ceil(n / points)` steps and
 * each column is reduced by its aggregation (see `Aggregation`); a point is stamped with the last step
 * of its bucket. NaN is skipped; a bucket of only NaN gives NaN.
 */
import type { Aggregation } from './types.js';

export function bucketSize(length: number, points: number | undefined): number {
  if (points === undefined || points <= 0 || length <= points) return 1;
  return Math.ceil(length / points);
}

export function downsampleTimes(timestamps: Float64Array, bucket: number): Float64Array {
  if (bucket <= 1) return timestamps;
  const n = timestamps.length;
  const m = Math.ceil(n / bucket);
  const out = new Float64Array(m);
  for (let k = 0; k < m; k++) out[k] = timestamps[Math.min(n, (k + 1) * bucket) - 1];
  return out;
}

export function downsample(values: Float64Array, bucket: number, agg: Aggregation): Float64Array {
  if (bucket <= 1) return values;
  const n = values.length;
  const m = Math.ceil(n / bucket);
  const out = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    const from = k * bucket;
    const to = Math.min(n, from + bucket);
    out[k] = reduce(values, from, to, agg);
  }
  return out;
}

function reduce(v: Float64Array, from: number, to: number, agg: Aggregation): number {
  if (agg === 'last') {
    for (let i = to - 1; i >= from; i--) if (!Number.isNaN(v[i])) return v[i];
    return Number.NaN;
  }
  let acc = Number.NaN;
  for (let i = from; i < to; i++) {
    const x = v[i];
    if (Number.isNaN(x)) continue;
    if (Number.isNaN(acc)) {
      acc = x;
      continue;
    }
    if (agg === 'sum') acc += x;
    else if (agg === 'min') acc = x < acc ? x : acc;
    else if (agg === 'max') acc = x > acc ? x : acc;
    else if (Math.abs(x) > Math.abs(acc)) acc = x;
  }
  return acc;
}

/** Running sum, NaN counted as 0. */
export function cumulative(values: Float64Array): Float64Array {
  const out = new Float64Array(values.length);
  let s = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (!Number.isNaN(x)) s += x;
    out[i] = s;
  }
  return out;
}
