import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataPolicySchema } from '../../src/config/schema.js';
import { DataError } from '../../src/domain/errors.js';
import { SECONDS_PER_YEAR } from '../../src/data/align.js';
import { parseCsvColumns } from '../../src/data/csv.js';
import { loadMarketDataSync } from '../../src/data/load.js';
import { listSeriesIds } from '../../src/data/manifest.js';
import { SAMPLE_VERSION, ensureSampleDataset, generateSampleDataset } from '../../src/data/sample.js';

/** The data policy the shipped OKX modes use (config/modes/btc_basis.yaml). */
const OKX_POLICY = DataPolicySchema.parse({
  conflicting_duplicates: 'prefer_non_placeholder',
  placeholder_values: [0.0001],
  unresolved_duplicates: 'drop_venue_span',
  missing_funding: 'skip',
});

const H = 3_600_000;
const D = 86_400_000;
const START = Date.UTC(2024, 0, 1);
const END = Date.UTC(2024, 11, 31, 23);
const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));
const tmp = (p: string) => {
  const dir = mkdtempSync(join(tmpdir(), p));
  roots.push(dir);
  return dir;
};

function treeHash(dir: string): string {
  const h = createHash('sha256');
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else h.update(relative(dir, p)).update('\0').update(readFileSync(p)).update('\0');
    }
  };
  walk(dir);
  return h.digest('hex');
}

describe('sample dataset generation', () => {
  it('is deterministic: the same seed gives byte-identical files, another seed differs', () => {
    const opts = { seed: 7, startMs: START, endMs: START + 20 * D };
    const a = tmp('basis-sa-');
    const b = tmp('basis-sb-');
    const c = tmp('basis-sc-');
    const info = generateSampleDataset(a, opts);
    generateSampleDataset(b, opts);
    generateSampleDataset(c, { ...opts, seed: 8 });
    expect(info.files).toContain('cex/binance/BTCUSDT_spot_5m.csv');
    expect(treeHash(a)).toBe(treeHash(b));
    expect(treeHash(a)).not.toBe(treeHash(c));
  });

  it('rejects a window that is not on whole hours and a bad seed', () => {
    expect(() => generateSampleDataset(tmp('basis-sx-'), { startMs: START + 1 })).toThrow('whole UTC hours');
    expect(() => generateSampleDataset(tmp('basis-sx-'), { seed: Number('abc') })).toThrow(
      'sample seed must be an integer in 0 .. 4294967295, received NaN',
    );
  });
});

describe('the default sample through the loader', () => {
  const root = tmp('basis-sample-');
  const dir = ensureSampleDataset(join(root, 'sample-data'));
  const cacheDir = join(root, 'cache');
  const all = listSeriesIds();
  const okxFunding = all.filter((id) => id.startsWith('cex.okx.') && id.endsWith('.funding'));
  const required = all.filter((id) => !okxFunding.includes(id));
  const md = loadMarketDataSync({
    policy: OKX_POLICY,
    dataDir: dir,
    cacheDir,
    startMs: START,
    endMs: END,
    required,
    optional: okxFunding,
  });

  it('writes the marker and a README saying it is synthetic, in the real layout', () => {
    const marker = JSON.parse(readFileSync(join(dir, 'dataset.json'), 'utf8'));
    expect(marker).toEqual({
      synthetic: true,
      generator: 'basis-sample',
      version: SAMPLE_VERSION,
      seed: 42,
      start: '2024-01-01T00:00:00.000Z',
      end: '2024-12-31T23:00:00.000Z',
    });
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toMatch(/SYNTHETIC/);
    const oracle = readFileSync(join(dir, 'aave_v3/oracle/WETH_USD_1h.csv'), 'utf8').split('\n');
    expect(oracle[0]).toMatch(/^# /);
    expect(oracle[6]).toMatch(/^2024-01-01 00:00:00\+00:00,/);
    expect(readFileSync(join(dir, 'dex/uniswap_v3/WETHUSDT_1h.csv'), 'utf8').split('\n')[1]).toMatch(
      /^1704067200,/,
    );
    expect(readFileSync(join(dir, 'cex/binance/BTCUSDT_spot_5m.csv'), 'utf8').split('\n').length).toBe(
      366 * 24 * 12 + 2,
    );
  });

  it('every standard series covers the full year; the loader flags it synthetic', () => {
    expect(md.synthetic).toBe(true);
    expect(md.length).toBe(366 * 24);
    for (const id of required) {
      const s = md.series.get(id)!;
      const missing = id.endsWith('.funding') ? 0 : s.filter((x) => Number.isNaN(x)).length;
      expect(missing, id).toBe(0);
    }
    expect(md.series.get('cex.binance.BTCUSDT.spot.price')![0]).toBe(42_000);
    expect(md.series.get('cex.binance.ETHUSDT.spot.price')![0]).toBe(2_300);
  });

  it('OKX funding starts 2024-05-01 and holds duplicates, so coverage rules bite', () => {
    const meta = md.meta.get('cex.okx.BTCUSDT.funding')!;
    expect(meta.coverage.firstMs).toBe(Date.UTC(2024, 4, 1));
    expect(meta.duplicatesDropped).toBeGreaterThan(0);
    expect(() =>
      loadMarketDataSync({
        policy: OKX_POLICY,
        dataDir: dir,
        cacheDir,
        startMs: START,
        endMs: Date.UTC(2024, 2, 1),
        required: okxFunding,
      }),
    ).toThrow(DataError);
    const ok = loadMarketDataSync({
      policy: OKX_POLICY,
      dataDir: dir,
      cacheDir,
      startMs: Date.UTC(2024, 4, 1),
      endMs: END,
      required: okxFunding,
    });
    expect(ok.events.get('cex.okx.BTCUSDT.funding')!.values.length).toBe(245 * 3);
  });

  it('funding is mostly positive around 1e-4 with some negative periods', () => {
    const v = md.events.get('cex.binance.BTCUSDT.funding')!.values;
    expect(v.length).toBe(366 * 3);
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const negative = v.filter((x) => x < 0).length / v.length;
    expect(mean).toBeGreaterThan(0.5e-4);
    expect(mean).toBeLessThan(1.5e-4);
    expect(negative).toBeGreaterThan(0.05);
    expect(negative).toBeLessThan(0.3);
  });

  it('Aave snapshots are met: accruing snapshot k for a day at its rate gives snapshot k + 1 exactly', () => {
    for (const asset of ['USDT', 'WETH', 'weETH', 'wstETH']) {
      const cols = [
        'liquidityIndex',
        'currentLiquidityRate',
        'variableBorrowIndex',
        'currentVariableBorrowRate',
      ];
      const text = readFileSync(join(dir, `aave_v3/reserves/${asset}_daily.csv`), 'utf8');
      const p = parseCsvColumns(text, { file: asset, timestampColumn: 'timestamp', columns: cols });
      const [liq, lr, debt, br] = p.values;
      expect(p.rows).toBe(367);
      for (let k = 0; k + 1 < p.rows; k++) {
        expect(p.timestampsMs[k + 1] - p.timestampsMs[k]).toBe(D);
        expect(liq[k] * (1 + (lr[k] * 86_400) / SECONDS_PER_YEAR)).toBe(liq[k + 1]);
        expect(debt[k] * Math.exp(86_400 * Math.log1p(br[k] / SECONDS_PER_YEAR))).toBe(debt[k + 1]);
        // on the grid: the snapshot exactly, and 23 h of accrual just below it
        const i = (p.timestampsMs[k + 1] - START) / H;
        if (i < md.length) {
          const grid = md.series.get(`aave.${asset}.liquidityIndex`)!;
          expect(grid[i]).toBe(liq[k + 1]);
          expect(grid[i - 1]).toBeLessThanOrEqual(liq[k + 1]);
          expect(grid[i - 1]).toBeGreaterThan(liq[k]);
        }
      }
    }
  });

  it('ensureSampleDataset keeps a current sample, regenerates an old version, refuses a foreign directory', () => {
    const marker = join(dir, 'dataset.json');
    const before = statSync(join(dir, 'cex/binance/BTCUSDT_spot_5m.csv')).mtimeMs;
    expect(ensureSampleDataset(dir)).toBe(dir);
    expect(statSync(join(dir, 'cex/binance/BTCUSDT_spot_5m.csv')).mtimeMs).toBe(before);

    const old = JSON.parse(readFileSync(marker, 'utf8'));
    writeFileSync(marker, JSON.stringify({ ...old, version: SAMPLE_VERSION - 1 }));
    writeFileSync(join(dir, 'stale.txt'), 'old');
    expect(ensureSampleDataset(dir)).toBe(dir);
    expect(JSON.parse(readFileSync(marker, 'utf8')).version).toBe(SAMPLE_VERSION);
    expect(readdirSync(dir)).not.toContain('stale.txt');

    const foreign = join(root, 'mine');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'notes.txt'), 'keep me');
    expect(() => ensureSampleDataset(foreign)).toThrow('is not a basis sample dataset');
    expect(readFileSync(join(foreign, 'notes.txt'), 'utf8')).toBe('keep me');
  });
});
