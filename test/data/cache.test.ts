import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  PARSER_VERSION,
  cacheFilePath,
  cacheStats,
  clearMemo,
  resetCacheStats,
} from '../../src/data/cache.js';
import { loadMarketDataSync } from '../../src/data/load.js';

const H = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);
const REL = 'gas/ethereum_gas_1h.csv';

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

function setup(text: string) {
  const root = mkdtempSync(join(tmpdir(), 'basis-cache-'));
  roots.push(root);
  const dataDir = join(root, 'data');
  mkdirSync(join(dataDir, 'gas'), { recursive: true });
  writeFileSync(join(dataDir, REL), text);
  return { dataDir, cacheDir: join(root, 'cache'), file: join(dataDir, REL) };
}

const gas = (a: number, b: number) =>
  `timestamp,gas_price_gwei,base_fee_gwei\n2024-01-01T00:00:00Z,${a},1\n2024-01-01T01:00:00Z,${b},1\n`;
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** Makes the file look old enough for the stat-based memo and index (see RACY_MS). */
function age(path: string) {
  const old = new Date(Date.now() - 60_000);
  utimesSync(path, old, old);
}

describe('parsed cache', () => {
  beforeEach(() => {
    clearMemo();
    resetCacheStats();
  });

  const load = (s: { dataDir: string; cacheDir: string }) =>
    loadMarketDataSync({
      ...s,
      startMs: T0,
      endMs: T0 + H,
      required: ['gas.price_gwei', 'gas.base_fee_gwei'],
    });

  it('writes `<sha256>-<version>.bin` on the first load and serves the next load from it without parsing', () => {
    const s = setup(gas(10, 11));
    const first = load(s);
    expect(cacheStats.parses).toBe(1); // one file behind both series
    expect(cacheStats.diskWrites).toBe(1);
    const bin = cacheFilePath(s.cacheDir, sha(s.file));
    expect(bin.endsWith(`-${PARSER_VERSION}.bin`)).toBe(true);
    expect(existsSync(bin)).toBe(true);

    clearMemo();
    resetCacheStats();
    const second = load(s);
    expect(cacheStats.parses).toBe(0);
    expect(cacheStats.diskHits).toBe(1);
    expect([...second.series.get('gas.price_gwei')!]).toEqual([10, 11]);
    expect(second.datasetId).toBe(first.datasetId);
    expect(second.meta.get('gas.price_gwei')).toEqual(first.meta.get('gas.price_gwei'));
  });

  it('changing the file content changes the key (new cache file, new datasetId, new values)', () => {
    const s = setup(gas(10, 11));
    const first = load(s);
    const key1 = sha(s.file);
    writeFileSync(s.file, gas(20, 21));
    const key2 = sha(s.file);
    expect(key2).not.toBe(key1);
    resetCacheStats();
    const second = load(s);
    expect(cacheStats.parses).toBe(1);
    expect([...second.series.get('gas.price_gwei')!]).toEqual([20, 21]);
    expect(second.datasetId).not.toBe(first.datasetId);
    expect(existsSync(cacheFilePath(s.cacheDir, key1))).toBe(true);
    expect(existsSync(cacheFilePath(s.cacheDir, key2))).toBe(true);
  });

  it('ignores and rebuilds a short or corrupted cache file', () => {
    const s = setup(gas(10, 11));
    load(s);
    const bin = cacheFilePath(s.cacheDir, sha(s.file));
    for (const damage of [
      () => truncateSync(bin, 40),
      () => writeFileSync(bin, 'garbage'),
      () => truncateSync(bin, 0),
    ]) {
      damage();
      clearMemo();
      resetCacheStats();
      const md = load(s);
      expect(cacheStats.parses).toBe(1);
      expect(cacheStats.diskWrites).toBe(1);
      expect([...md.series.get('gas.price_gwei')!]).toEqual([10, 11]);
    }
    // the rebuilt file is valid again
    clearMemo();
    resetCacheStats();
    load(s);
    expect(cacheStats.diskHits).toBe(1);
  });

  it('memoises in process and remembers content hashes by stat once a file is old enough', () => {
    const s = setup(gas(10, 11));
    age(s.file);
    load(s);
    expect(cacheStats.hashes).toBe(1);
    resetCacheStats();
    load(s);
    expect(cacheStats.memoHits).toBe(1); // one file behind both series, not read again
    expect(cacheStats.hashes).toBe(0);
    // a new process (memo cleared) finds the hash through the stat index: no re-hash, no parse
    clearMemo();
    resetCacheStats();
    load(s);
    expect(cacheStats.hashes).toBe(0);
    expect(cacheStats.diskHits).toBe(1);
    expect(readdirSync(join(s.cacheDir, 'stat')).length).toBe(1);
    // rewriting the file (new mtime/size) is noticed
    writeFileSync(s.file, gas(30, 31.5));
    age(s.file);
    resetCacheStats();
    const md = load(s);
    expect(cacheStats.hashes).toBe(1);
    expect(cacheStats.parses).toBe(1);
    expect([...md.series.get('gas.price_gwei')!]).toEqual([30, 31.5]);
  });

  it('a freshly modified file is never trusted by stat alone', () => {
    const s = setup(gas(10, 11));
    load(s);
    resetCacheStats();
    load(s);
    expect(cacheStats.memoHits).toBe(0);
    expect(cacheStats.hashes).toBe(1);
    expect(cacheStats.diskHits).toBe(1);
  });
});
