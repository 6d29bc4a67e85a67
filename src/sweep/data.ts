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
export function cachedLoader(max = 64): DataLoader & { stats: { loads: number; hits: number } } {
  const cache = new Map<string, Promise<LoadedData>>();
  const stats = { loads: 0, hits: 0 };
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
  return Object.assign(loader, { stats });
}
