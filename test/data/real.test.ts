/**
 * Acceptance tests on the real dataset; they run only when BASIS_DATA_DIR points at it. Expected values
 * are read from the raw files with plain string handling, independently of the parser.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataPolicySchema } from '../../src/config/schema.js';
import { DataError } from '../../src/domain/errors.js';
import { cacheStats, clearMemo, resetCacheStats } from '../../src/data/cache.js';
import { coversWindow } from '../../src/data/coverage.js';
import { describeCoverage, loadMarketDataSync } from '../../src/data/load.js';

/** The data policy the shipped OKX modes use (config/modes/btc_basis.yaml). */
const OKX_POLICY = DataPolicySchema.parse({
  conflicting_duplicates: 'prefer_non_placeholder',
  placeholder_values: [0.0001],
  unresolved_duplicates: 'drop_venue_span',
  missing_funding: 'skip',
});

const dataDir = process.env.BASIS_DATA_DIR ?? '';
const H = 3_600_000;
const START = Date.UTC(2024, 0, 1);
const END = Date.UTC(2025, 8, 26);

/** Raw rows of a CSV file (comments skipped) as objects keyed by header. */
function rawRows(rel: string): Record<string, string>[] {
  const lines = readFileSync(join(dataDir, rel), 'utf8')
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l && !l.startsWith('#'));
  const header = lines[0].replace(/^\uFEFF/, '').split(',');
  return lines.slice(1).map((l) => {
    const f = l.split(',');
    return Object.fromEntries(header.map((h, i) => [h, f[i]]));
  });
}

describe.skipIf(!dataDir)('real dataset (BASIS_DATA_DIR)', () => {
  // the describe body runs even when skipped: create nothing without a dataset
  const cacheDir = dataDir ? mkdtempSync(join(tmpdir(), 'basis-real-cache-')) : '';
  afterAll(() => {
    if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
  });
  const ids = [
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
  const req = { dataDir, cacheDir, startMs: START, endMs: END, required: ids };
  const md = dataDir ? loadMarketDataSync(req) : null!;
  const at = (id: string, t: number) => md.series.get(id)![(t - START) / H];

  it('loads the full window on one hourly grid', () => {
    expect(md.length).toBe((END - START) / H + 1);
    expect(md.timestampsMs[md.length - 1]).toBe(END);
    expect(md.synthetic).toBe(false);
    expect(md.datasetId).toMatch(/^[0-9a-f]{16}$/);
  });

  it('spot price at t is the open of the 5-minute bar stamped t', () => {
    expect(at('cex.binance.BTCUSDT.spot.price', START)).toBe(42283.58);
    const rows = rawRows('cex/binance/BTCUSDT_spot_5m.csv');
    const byTs = new Map(rows.map((r) => [r.timestamp, r]));
    for (const t of [Date.UTC(2024, 6, 4, 13), Date.UTC(2025, 2, 1), END]) {
      const iso = `${new Date(t).toISOString().slice(0, 19)}Z`;
      expect(at('cex.binance.BTCUSDT.spot.price', t)).toBe(Number(byTs.get(iso)!.open));
    }
  });

  it('perp price, high and low come from the hourly bar at t', () => {
    expect(at('cex.binance.BTCUSDT.perp.price', START)).toBe(42314.0);
    expect(at('cex.binance.BTCUSDT.perp.high', START)).toBe(42603.2);
    expect(at('cex.binance.BTCUSDT.perp.low', START)).toBe(42289.6);
  });

  it('Aave indexes meet the daily snapshots of the file', () => {
    const rows = rawRows('aave_v3/reserves/USDT_daily.csv');
    const jun1 = rows.find((r) => r.targetDate === '2024-06-01T00:00:00Z')!;
    const t = Date.UTC(2024, 5, 1);
    expect(at('aave.USDT.liquidityIndex', t)).toBe(Number(jun1.liquidityIndex));
    expect(at('aave.USDT.variableBorrowIndex', t)).toBe(Number(jun1.variableBorrowIndex));
    expect(at('aave.USDT.liquidityRate', t + 5 * H)).toBe(Number(jun1.currentLiquidityRate));
    // supply return over a month = ratio of snapshots
    const jul1 = rows.find((r) => r.targetDate === '2024-07-01T00:00:00Z')!;
    const ret = at('aave.USDT.liquidityIndex', Date.UTC(2024, 6, 1)) / at('aave.USDT.liquidityIndex', t) - 1;
    expect(ret).toBe(Number(jul1.liquidityIndex) / Number(jun1.liquidityIndex) - 1);
  });

  it('funding events in the window match the raw file', () => {
    const raw = rawRows('cex/binance/BTCUSDT_funding.csv').filter((r) => {
      const t = Date.parse(r.funding_timestamp);
      return t >= START && t <= END;
    });
    const ev = md.events.get('cex.binance.BTCUSDT.funding')!;
    expect(ev.values.length).toBe(raw.length);
    expect([...ev.values]).toEqual(raw.map((r) => Number(r.funding_rate)));
    const grid = md.series.get('cex.binance.BTCUSDT.funding')!;
    expect(grid[0]).toBe(0.00037409);
    expect(grid[1]).toBeNaN();
    expect(grid[8]).toBe(0.00027213);
  });

  it('gas is the hourly value at t', () => {
    const row = rawRows('gas/ethereum_gas_1h.csv').find((r) => r.timestamp === '2024-07-27T06:00:00Z')!;
    expect(at('gas.price_gwei', Date.UTC(2024, 6, 27, 6))).toBe(Number(row.gas_price_gwei));
  });

  it('OKX BTC funding does not cover 2024-01 .. 2024-03', () => {
    const window = { startMs: START, endMs: Date.UTC(2024, 2, 1) };
    let err: unknown;
    try {
      loadMarketDataSync({
        dataDir,
        cacheDir,
        ...window,
        required: ['cex.okx.BTCUSDT.funding'],
        policy: OKX_POLICY,
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).message).toBe(
      'series cex.okx.BTCUSDT.funding (cex/okx/BTCUSDT_funding.csv) covers 2024-05-01T00:00Z .. 2025-09-07T16:00Z; ' +
        'requested 2024-01-01T00:00Z .. 2024-03-01T00:00Z',
    );
    const [meta] = describeCoverage(dataDir, ['cex.okx.BTCUSDT.funding'], { cacheDir, policy: OKX_POLICY });
    expect(coversWindow(meta, window.startMs, window.endMs)).toEqual({
      ok: false,
      reason: (err as DataError).message,
    });
    // August 2024 is a 752 h hole; the later 32 h holes are below the 48 h limit
    const aug = coversWindow(meta, Date.UTC(2024, 4, 1), Date.UTC(2025, 8, 7, 16));
    expect(aug.ok ? '' : aug.reason).toContain(
      'has a 752 h gap 2024-07-31T16:00Z .. 2024-09-01T00:00Z inside',
    );
    // 13 holes of 32 h in the file; 3 fall inside the span the policy drops (2025-04-26 .. 2025-06-09)
    expect(meta.coverage.gaps.filter((g) => g.toMs - g.fromMs === 32 * H).length).toBe(10);
    expect(coversWindow(meta, Date.UTC(2024, 8, 1), Date.UTC(2025, 3, 25))).toEqual({ ok: true });
    const late = coversWindow(meta, Date.UTC(2024, 8, 1), Date.UTC(2025, 8, 7, 16));
    expect(late.ok ? '' : late.reason).toContain('has a 1080 h gap 2025-04-26T00:00Z .. 2025-06-10T00:00Z');
  });

  it('OKX duplicate timestamps are de-duplicated and counted; the policy drops the undecidable span', () => {
    const [meta] = describeCoverage(dataDir, ['cex.okx.BTCUSDT.funding'], { cacheDir, policy: OKX_POLICY });
    const raw = rawRows('cex/okx/BTCUSDT_funding.csv');
    const byTs = new Map<string, number[]>();
    for (const r of raw)
      byTs.set(r.funding_timestamp, [...(byTs.get(r.funding_timestamp) ?? []), +r.funding_rate]);
    const undecidable = [...byTs]
      .filter(([, v]) => v.length > 1 && !v.includes(0.0001))
      .map(([t]) => t)
      .sort();
    const [from, to] = [undecidable[0], undecidable[undecidable.length - 1]];
    const kept = [...byTs.keys()].filter((t) => t < from || t > to).length;
    expect(meta.duplicatesDropped).toBe(raw.length - byTs.size);
    expect(meta.rows).toBe(kept);
  });

  it('the OKX ETH perp gap fails a window that spans it', () => {
    const [meta] = describeCoverage(dataDir, ['cex.okx.ETHUSDT.perp.price'], { cacheDir });
    const check = coversWindow(meta, Date.UTC(2024, 7, 1), Date.UTC(2025, 7, 31));
    expect(check.ok).toBe(false);
    expect(check.ok ? '' : check.reason).toMatch(
      /^series cex\.okx\.ETHUSDT\.perp\.price \(cex\/okx\/ETHUSDT_perp_1h\.csv\) has a \d+ h gap /,
    );
  });

  // How fast this is (target < 50 ms) is measured by `npm run bench` (bench/cache.ts), not asserted here.
  it('an aligned load after a restart comes from the disk cache: no file parsed again, same values', () => {
    clearMemo();
    resetCacheStats();
    const again = loadMarketDataSync(req);
    expect(cacheStats.parses).toBe(0);
    expect(cacheStats.diskHits).toBeGreaterThan(0);
    expect(again.timestampsMs).toEqual(md.timestampsMs);
    for (const id of ids) expect(again.series.get(id), id).toEqual(md.series.get(id));
  });
});
