import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError } from '../../src/domain/errors.js';
import { MAX_GAP_MS, computeCoverage, coversWindow } from '../../src/data/coverage.js';
import { describeCoverage, loadMarketDataSync } from '../../src/data/load.js';

const H = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);
const iso = (t: number) => `${new Date(t).toISOString().slice(0, 19)}Z`;

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

function dataset(files: Record<string, string>): { dataDir: string; cacheDir: string } {
  const root = mkdtempSync(join(tmpdir(), 'basis-cov-'));
  roots.push(root);
  const dataDir = join(root, 'data');
  mkdirSync(dataDir, { recursive: true });
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dataDir, rel)), { recursive: true });
    writeFileSync(join(dataDir, rel), text);
  }
  return { dataDir, cacheDir: join(root, 'cache') };
}

/** Hourly gas rows over [from, to] except the hours in `skip`. */
function gasFile(from: number, to: number, skip: (t: number) => boolean = () => false): string {
  let s = 'timestamp,chain,gas_price_gwei,base_fee_gwei\n';
  for (let t = from; t <= to; t += H) if (!skip(t)) s += `${iso(t)},ethereum,${10 + (t - from) / H},9\n`;
  return s;
}

function fundingFile(from: number, to: number): string {
  let s = 'funding_timestamp,funding_rate,symbol,source\n';
  for (let t = from; t <= to; t += 8 * H) s += `${iso(t)},0.0001,BTCUSDT,okx\n`;
  return s;
}

function thrown(f: () => unknown): DataError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(DataError);
    return e as DataError;
  }
  throw new Error('expected a DataError');
}

describe('coverage', () => {
  it('computeCoverage lists gaps longer than 1.5 × the native interval', () => {
    const ts = Float64Array.from([0, H, 2 * H, 5 * H, 6 * H, 7.5 * H]);
    expect(computeCoverage(ts, H)).toEqual({
      firstMs: 0,
      lastMs: 7.5 * H,
      gaps: [{ fromMs: 2 * H, toMs: 5 * H }],
    });
    expect(computeCoverage(new Float64Array(0), H).firstMs).toBeNaN();
  });

  it('a window outside the coverage of a required series throws naming series, file, coverage and window', () => {
    const d = dataset({
      'cex/okx/BTCUSDT_funding.csv': fundingFile(Date.UTC(2024, 4, 1), Date.UTC(2024, 5, 1)),
    });
    const req = { ...d, startMs: T0, endMs: Date.UTC(2024, 2, 1), required: ['cex.okx.BTCUSDT.funding'] };
    const e = thrown(() => loadMarketDataSync(req));
    expect(e.message).toBe(
      'series cex.okx.BTCUSDT.funding (cex/okx/BTCUSDT_funding.csv) covers 2024-05-01T00:00Z .. 2024-06-01T00:00Z; ' +
        'requested 2024-01-01T00:00Z .. 2024-03-01T00:00Z',
    );
    expect(e.series).toBe('cex.okx.BTCUSDT.funding');
    expect(e.file).toBe('cex/okx/BTCUSDT_funding.csv');
    // optional: no throw, meta included for the caller's own rule, and coversWindow agrees with the loader
    const md = loadMarketDataSync({ ...req, required: [], optional: ['cex.okx.BTCUSDT.funding'] });
    const meta = md.meta.get('cex.okx.BTCUSDT.funding')!;
    expect(meta.coverage.firstMs).toBe(Date.UTC(2024, 4, 1));
    expect(coversWindow(meta, req.startMs, req.endMs)).toEqual({ ok: false, reason: e.message });
    expect(coversWindow(meta, Date.UTC(2024, 4, 2), Date.UTC(2024, 4, 20))).toEqual({ ok: true });
  });

  it('funding events may start up to one interval after the start and end one interval before the end', () => {
    const d = dataset({ 'cex/binance/BTCUSDT_funding.csv': fundingFile(T0 + 8 * H, T0 + 10 * 24 * H) });
    const [meta] = describeCoverage(d.dataDir, ['cex.binance.BTCUSDT.funding'], { cacheDir: d.cacheDir });
    expect(coversWindow(meta, T0, T0 + 10 * 24 * H + 8 * H).ok).toBe(true);
    expect(coversWindow(meta, T0 - H, T0 + 5 * 24 * H).ok).toBe(false);
    expect(coversWindow(meta, T0, T0 + 10 * 24 * H + 9 * H).ok).toBe(false);
  });

  it('candle/level series must start at or before the start and end at or after the end', () => {
    const d = dataset({ 'gas/ethereum_gas_1h.csv': gasFile(T0, T0 + 48 * H) });
    const [meta] = describeCoverage(d.dataDir, ['gas.price_gwei'], { cacheDir: d.cacheDir });
    expect(coversWindow(meta, T0, T0 + 48 * H)).toEqual({ ok: true });
    expect(coversWindow(meta, T0, T0 + 49 * H).ok).toBe(false);
    expect(coversWindow(meta, T0 - H, T0 + 48 * H).ok).toBe(false);
  });

  it('a gap longer than 48 h inside the window throws; outside the window it does not', () => {
    // hours 10 .. 69 missing: rows at 09:00 and 70:00, a 61 h gap
    const d = dataset({
      'gas/ethereum_gas_1h.csv': gasFile(T0, T0 + 200 * H, (t) => t >= T0 + 10 * H && t < T0 + 70 * H),
    });
    const req = { ...d, startMs: T0, endMs: T0 + 100 * H, required: ['gas.price_gwei'] };
    const e = thrown(() => loadMarketDataSync(req));
    expect(e.message).toBe(
      'series gas.price_gwei (gas/ethereum_gas_1h.csv) has a 61 h gap 2024-01-01T09:00Z .. 2024-01-03T22:00Z ' +
        'inside the requested window 2024-01-01T00:00Z .. 2024-01-05T04:00Z (at most 48 h allowed)',
    );
    const md = loadMarketDataSync({ ...req, startMs: T0 + 70 * H });
    expect(md.series.get('gas.price_gwei')![0]).toBe(80);
    // the gap is still listed, and the window that ends where the gap starts is fine
    expect(md.meta.get('gas.price_gwei')!.coverage.gaps).toEqual([{ fromMs: T0 + 9 * H, toMs: T0 + 70 * H }]);
    expect(coversWindow(md.meta.get('gas.price_gwei')!, T0, T0 + 9 * H)).toEqual({ ok: true });
  });

  it('a gap of exactly 48 h is allowed, 49 h is not', () => {
    const d = dataset({
      'gas/ethereum_gas_1h.csv': gasFile(T0, T0 + 100 * H, (t) => t > T0 + 10 * H && t < T0 + 58 * H),
    });
    const [meta] = describeCoverage(d.dataDir, ['gas.base_fee_gwei'], { cacheDir: d.cacheDir });
    expect(meta.coverage.gaps[0].toMs - meta.coverage.gaps[0].fromMs).toBe(MAX_GAP_MS);
    expect(coversWindow(meta, T0, T0 + 100 * H)).toEqual({ ok: true });
    const d2 = dataset({
      'gas/ethereum_gas_1h.csv': gasFile(T0, T0 + 100 * H, (t) => t > T0 + 10 * H && t < T0 + 59 * H),
    });
    const [meta2] = describeCoverage(d2.dataDir, ['gas.base_fee_gwei'], { cacheDir: d2.cacheDir });
    expect(coversWindow(meta2, T0, T0 + 100 * H).ok).toBe(false);
  });

  it('describeCoverage throws for a missing file, naming series, file and dataset', () => {
    const d = dataset({});
    const e = thrown(() =>
      describeCoverage(d.dataDir, ['cex.okx.ETHUSDT.perp.price'], { cacheDir: d.cacheDir }),
    );
    expect(e.message).toBe(
      `series cex.okx.ETHUSDT.perp.price: file cex/okx/ETHUSDT_perp_1h.csv not found in dataset ${d.dataDir}`,
    );
    expect(e.series).toBe('cex.okx.ETHUSDT.perp.price');
  });

  it('a file with a header and no rows never covers', () => {
    const d = dataset({ 'gas/ethereum_gas_1h.csv': 'timestamp,gas_price_gwei,base_fee_gwei\n' });
    const [meta] = describeCoverage(d.dataDir, ['gas.price_gwei'], { cacheDir: d.cacheDir });
    expect(meta.rows).toBe(0);
    expect(coversWindow(meta, T0, T0 + H)).toEqual({
      ok: false,
      reason:
        'series gas.price_gwei (gas/ethereum_gas_1h.csv) has no rows; requested 2024-01-01T00:00Z .. 2024-01-01T01:00Z',
    });
  });
});
