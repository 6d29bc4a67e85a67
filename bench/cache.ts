/**
 * `npm run bench`, data-cache part: an aligned load of the basis family's series over the full window from
 * the disk cache, as a restarted process does it (in-process memo cleared, files already parsed once) —
 * median of several loads. Target: under 50 ms. (test/data/real.test.ts checks that such a load parses
 * nothing and returns the same values; how long it takes is measured here, not asserted in the suite.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cacheStats, clearMemo, resetCacheStats } from '../src/data/cache.js';
import { loadMarketDataSync } from '../src/data/load.js';

const LOADS = 7;
const TARGET_MS = 50;
const IDS = [
  'cex.binance.BTCUSDT.spot.price',
  'cex.binance.BTCUSDT.perp.price',
  'cex.binance.BTCUSDT.perp.high',
  'cex.binance.BTCUSDT.perp.low',
  'cex.binance.BTCUSDT.funding',
  'aave.USDT.liquidityIndex',
  'aave.USDT.variableBorrowIndex',
  'aave.USDT.liquidityRate',
  'aave.USDT.borrowRate',
  'gas.price_gwei',
];

export function benchCache(dataDir: string, sample: boolean): void {
  if (sample) {
    process.stdout.write('\ndisk-cache load: needs the real dataset (BASIS_DATA_DIR), skipped\n');
    return;
  }
  const cacheDir = mkdtempSync(join(tmpdir(), 'basis-bench-cache-'));
  try {
    const req = {
      dataDir,
      cacheDir,
      startMs: Date.UTC(2024, 0, 1),
      endMs: Date.UTC(2025, 8, 26),
      required: IDS,
    };
    clearMemo(); // files parsed earlier in this process would skip writing this cache
    loadMarketDataSync(req); // parses and writes the disk cache (not timed)
    const ms: number[] = [];
    for (let i = 0; i < LOADS; i++) {
      clearMemo();
      resetCacheStats();
      const t0 = performance.now();
      loadMarketDataSync(req);
      ms.push(performance.now() - t0);
      if (cacheStats.parses > 0) throw new Error(`disk-cache load parsed ${cacheStats.parses} file(s)`);
    }
    const median = [...ms].sort((a, b) => a - b)[Math.floor(LOADS / 2)];
    process.stdout.write(
      `\ndisk-cache load (${IDS.length} series, full window, ${LOADS} loads): median ${median.toFixed(1)} ms, ` +
        `${median < TARGET_MS ? 'ok' : 'MISSED'} (< ${TARGET_MS} ms)\n`,
    );
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}
