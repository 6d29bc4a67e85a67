/**
 * Market data loaded once per process (or worker thread) and shared by every run of a sweep over the
 * same window: the loader answers `runBacktest`'s load requests from a small cache keyed by what the
 * request loads (dataset, window, series, grid step, data policy). Runs only read the data.
 */
import type { LoadedData } from '../engine/backtest.js';
import type { LoadRequest } from '../data/types.js';

export type DataLoader = (req: LoadRequest, load: () => Promise<LoadedData>) => Promise<LoadedData>;

export function loadKey(req: LoadRequest): string {
  return JSON.stringify([
    req.dataDir,
    req.startMs,
    req.endMs,
    [...new Set(req.required)].sort(),
    [...new Set(req.optional ?? [])].sort(),
    req.stepMs ?? null,
    req.policy ?? null,
  ]);
}

/** A loader keeping the last `max` windows loaded; `stats.loads` counts real loads. */
export function cachedLoader(max = 64): DataLoader & {
  stats: { loads: number; hits: number };
  /** Adds data loaded elsewhere (a SharedData from the main thread) unless the key is cached already. */
  seed: (shared: SharedData) => void;
} {
  const cache = new Map<string, Promise<LoadedData>>();
  const stats = { loads: 0, hits: 0 };
  const seed = (shared: SharedData): void => {
    if (!cache.has(shared.key)) cache.set(shared.key, Promise.resolve(shared.loaded));
  };
  const loader = (req: LoadRequest, load: () => Promise<LoadedData>): Promise<LoadedData> => {
    const key = loadKey(req);
    const hit = cache.get(key);
    if (hit) {
      stats.hits++;
      cache.delete(key); // most recently used last
      cache.set(key, hit);
      return hit;
    }
    stats.loads++;
    const p = load();
    p.catch(() => cache.delete(key));
    cache.set(key, p);
    while (cache.size > max) cache.delete(cache.keys().next().value!);
    return p;
  };
  return Object.assign(loader, { stats, seed });
}

/** A copy of the data whose arrays live in SharedArrayBuffers: worker threads read one copy in memory. */
export function toShared(loaded: LoadedData): LoadedData {
  const share = (a: Float64Array): Float64Array => {
    const s = new Float64Array(new SharedArrayBuffer(a.byteLength));
    s.set(a);
    return s;
  };
  const d = loaded.data;
  return {
    derived: [...loaded.derived],
    data: {
      ...d,
      timestampsMs: share(d.timestampsMs),
      series: new Map([...d.series].map(([k, v]) => [k, share(v)])),
      events: new Map(
        [...d.events].map(([k, e]) => [k, { timestampsMs: share(e.timestampsMs), values: share(e.values) }]),
      ),
    },
  };
}

/** The data a worker is handed for the runs of one window (loaded once, in the main thread). */
export interface SharedData {
  key: string;
  loaded: LoadedData;
}
