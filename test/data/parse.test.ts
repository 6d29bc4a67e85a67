import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError } from '../../src/domain/errors.js';
import { parseCsvColumns } from '../../src/data/csv.js';
import { loadMarketDataSync } from '../../src/data/load.js';
import type { LoadRequest } from '../../src/data/types.js';

const H = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

function dataset(files: Record<string, string>): { dataDir: string; cacheDir: string } {
  const root = mkdtempSync(join(tmpdir(), 'basis-data-'));
  roots.push(root);
  const dataDir = join(root, 'data');
  mkdirSync(dataDir);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dataDir, rel)), { recursive: true });
    writeFileSync(join(dataDir, rel), text);
  }
  return { dataDir, cacheDir: join(root, 'cache') };
}

function load(d: { dataDir: string; cacheDir: string }, req: Partial<LoadRequest>) {
  return loadMarketDataSync({ ...d, startMs: T0, endMs: T0 + 3 * H, required: [], ...req });
}

function errorOf(f: () => unknown): DataError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(DataError);
    return e as DataError;
  }
  throw new Error('expected a DataError');
}

const FUNDING = 'cex/binance/BTCUSDT_funding.csv';
const fundingHeader = 'funding_timestamp,funding_rate,symbol,source\n';

describe('CSV parsing through the loader', () => {
  it('reads ISO timestamps (funding)', () => {
    const d = dataset({
      [FUNDING]: `${fundingHeader}2024-01-01T00:00:00Z,0.0001,BTCUSDT,b\n2024-01-01T08:00:00Z,-0.0002,BTCUSDT,b\n`,
    });
    const md = load(d, { optional: ['cex.binance.BTCUSDT.funding'], endMs: T0 + 8 * H });
    const ev = md.events.get('cex.binance.BTCUSDT.funding')!;
    expect([...ev.timestampsMs]).toEqual([T0, T0 + 8 * H]);
    expect([...ev.values]).toEqual([0.0001, -0.0002]);
  });

  it('reads `# comment` lines anywhere, blank lines, CRLF and space-offset timestamps (oracle)', () => {
    const d = dataset({
      'aave_v3/oracle/WETH_USD_1h.csv':
        '# Source: test\r\n# Asset: WETH\r\ntimestamp,oracle_price_usd,asset,source,quote_currency\r\n' +
        '2024-01-01 00:00:00+00:00,2280.5,WETH,x,USD\r\n\r\n# a comment in the middle\r\n' +
        '2024-01-01 01:00:00+00:00,2282.25,WETH,x,USD\r\n   \r\n',
    });
    const md = load(d, { required: ['oracle.WETH.usd'], endMs: T0 + H });
    expect([...md.series.get('oracle.WETH.usd')!]).toEqual([2280.5, 2282.25]);
  });

  it('reads unix seconds and unix milliseconds (dex bars, open at t)', () => {
    const header = 'timestamp,date_utc,open,high,low,close,volume\n';
    const s = T0 / 1000;
    const d = dataset({
      'dex/uniswap_v3/WETHUSDT_1h.csv': `${header}${s},x,10,11,9,10.5,1\n${T0 + H},x,10.5,12,10,11.5,1\n`,
    });
    const md = load(d, { optional: ['dex.WETHUSDT.price'], endMs: T0 + 2 * H });
    // 00:00 open, 01:00 open, 02:00 the 01:00 bar's close
    expect([...md.series.get('dex.WETHUSDT.price')!]).toEqual([10, 10.5, 11.5]);
  });

  it('strips a UTF-8 BOM before the header', () => {
    const d = dataset({ [FUNDING]: `\uFEFF${fundingHeader}2024-01-01T00:00:00Z,0.0003,BTCUSDT,b\n` });
    const md = load(d, { optional: ['cex.binance.BTCUSDT.funding'] });
    expect(md.events.get('cex.binance.BTCUSDT.funding')!.values[0]).toBe(0.0003);
  });

  it('merges a timestamp repeated with equal values, counts it and sorts unsorted rows', () => {
    const d = dataset({
      [FUNDING]:
        fundingHeader +
        '2024-01-01T16:00:00Z,0.0005,BTCUSDT,b\n' +
        '2024-01-01T08:00:00Z,0.0003,BTCUSDT,b\n' +
        '2024-01-01T00:00:00Z,0.0009,BTCUSDT,b\n' +
        '2024-01-01T08:00:00Z,0.0003,BTCUSDT,b\n',
    });
    const md = load(d, { required: ['cex.binance.BTCUSDT.funding'], endMs: T0 + 16 * H });
    const ev = md.events.get('cex.binance.BTCUSDT.funding')!;
    expect([...ev.timestampsMs]).toEqual([T0, T0 + 8 * H, T0 + 16 * H]);
    expect([...ev.values]).toEqual([0.0009, 0.0003, 0.0005]);
    const meta = md.meta.get('cex.binance.BTCUSDT.funding')!;
    expect(meta.duplicatesDropped).toBe(1);
    expect(meta.rows).toBe(3);
    expect(md.notes).toEqual([
      'cex/binance/BTCUSDT_funding.csv: 1 duplicate timestamps with equal values merged into one row each',
    ]);
  });

  it('a timestamp repeated with different values fails naming file, lines and both values', () => {
    const d = dataset({
      [FUNDING]:
        fundingHeader +
        '2024-01-01T00:00:00Z,0.0009,BTCUSDT,b\n' +
        '2024-01-01T08:00:00Z,0.0001,BTCUSDT,b\n' +
        '2024-01-01T08:00:00Z,0.0002,BTCUSDT,b\n',
    });
    expect(() => load(d, { optional: ['cex.binance.BTCUSDT.funding'], endMs: T0 + 8 * H })).toThrow(
      'cex/binance/BTCUSDT_funding.csv line 4: timestamp 2024-01-01T08:00Z repeats with different ' +
        'funding_rate: 0.0001 (line 3) vs 0.0002 (line 4); 1 such timestamp in the file',
    );
  });

  it('ignores empty fields in columns it does not read', () => {
    const d = dataset({ [FUNDING]: `${fundingHeader}2024-01-01T00:00:00Z,0.0001,,\n` });
    const md = load(d, { optional: ['cex.binance.BTCUSDT.funding'] });
    expect(md.events.get('cex.binance.BTCUSDT.funding')!.values[0]).toBe(0.0001);
  });
});

describe('corrupted files fail with file, line, column and value', () => {
  const rows = (bad: string) =>
    `# comment\n${fundingHeader}2024-01-01T00:00:00Z,0.0001,BTCUSDT,b\n\n${bad}\n2024-01-01T16:00:00Z,0.0001,BTCUSDT,b\n`;
  const cases: [string, string, string][] = [
    [
      'non-numeric value',
      '2024-01-01T08:00:00Z,abc,BTCUSDT,b',
      'line 5: column funding_rate: "abc" is not a number',
    ],
    [
      'empty used value',
      '2024-01-01T08:00:00Z,,BTCUSDT,b',
      'line 5: column funding_rate: "" is not a number',
    ],
    [
      'bad timestamp',
      '2024-01-01T8:00,0.1,BTCUSDT,b',
      'line 5: column funding_timestamp: "2024-01-01T8:00" is not a valid timestamp',
    ],
    [
      'too few fields',
      '2024-01-01T08:00:00Z,0.1,BTCUSDT',
      'line 5: expected 4 fields (funding_timestamp,funding_rate,symbol,source), found 3',
    ],
    ['too many fields', '2024-01-01T08:00:00Z,0.1,BTCUSDT,b,c', 'line 5: expected 4 fields'],
    ['a quote', '2024-01-01T08:00:00Z,"0.1",BTCUSDT,b', 'line 5: quoted fields are not supported'],
  ];
  it.each(cases)('%s', (_name, bad, expected) => {
    const d = dataset({ [FUNDING]: rows(bad) });
    const e = errorOf(() => load(d, { optional: ['cex.binance.BTCUSDT.funding'] }));
    expect(e.message).toContain(`${FUNDING} ${expected}`);
    expect(e.message).not.toContain('\n');
    expect(e.file).toBe(FUNDING);
    expect(e.row).toBe(5);
    expect(e.series).toBe('cex.binance.BTCUSDT.funding');
  });

  it('names a missing header column', () => {
    const d = dataset({ [FUNDING]: 'time,funding_rate\n2024-01-01T00:00:00Z,0.1\n' });
    expect(() => load(d, { optional: ['cex.binance.BTCUSDT.funding'] })).toThrow(
      `${FUNDING} line 1: header has no timestamp column "funding_timestamp" (columns: time,funding_rate)`,
    );
  });

  it('parseCsvColumns counts physical lines including comments and blanks', () => {
    const text = '#a\n\nts,v\n#b\n2024-01-01T00:00:00Z,1\n2024-01-01T01:00:00Z,x\n';
    expect(() => parseCsvColumns(text, { file: 'f.csv', timestampColumn: 'ts', columns: ['v'] })).toThrow(
      'f.csv line 6: column v: "x" is not a number',
    );
  });
});

describe('missing inputs', () => {
  it('a missing file of a required series names the series, the file and the dataset', () => {
    const d = dataset({});
    expect(() => load(d, { required: ['cex.okx.BTCUSDT.spot.price'] })).toThrow(
      `series cex.okx.BTCUSDT.spot.price: file cex/okx/BTCUSDT_spot_1h.csv not found in dataset ${d.dataDir}`,
    );
  });

  it('a missing file of an optional series is skipped', () => {
    const d = dataset({});
    const md = load(d, { optional: ['cex.okx.BTCUSDT.funding'] });
    expect(md.series.has('cex.okx.BTCUSDT.funding')).toBe(false);
    expect(md.meta.has('cex.okx.BTCUSDT.funding')).toBe(false);
  });

  it('a missing data directory', () => {
    const d = dataset({});
    const dataDir = join(d.dataDir, 'nope');
    expect(() => load({ ...d, dataDir }, {})).toThrow(`data directory ${dataDir} does not exist`);
  });

  it('an unknown series id', () => {
    const d = dataset({});
    const e = errorOf(() => load(d, { required: ['cex.kraken.BTCUSDT.spot.price'] }));
    expect(e.message).toMatch(/^unknown series id "cex\.kraken\.BTCUSDT\.spot\.price"/);
    expect(e.series).toBe('cex.kraken.BTCUSDT.spot.price');
  });

  it('a window that is not on whole hours', () => {
    const d = dataset({});
    expect(() => load(d, { startMs: T0 + 1_800_000 })).toThrow(
      'window start 2024-01-01T00:30:00.000Z (1704069000000 ms) is not a whole UTC hour',
    );
    expect(() => load(d, { startMs: T0 + 2 * H, endMs: T0 })).toThrow(
      'window end 2024-01-01T00:00Z is before its start',
    );
  });
});
