/**
 * The pieces of the wall-clock machinery with exact expectations: backoff, circuit breaker, client order
 * ids, fallback weights, the journal's durability rules, the live grid, lot rounding, error
 * classification and reconciliation.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadMode } from '../../src/config/index.js';
import { LiveGrid } from '../../src/data/live-grid.js';
import { DataError, VenueError } from '../../src/domain/errors.js';
import type { Instruction } from '../../src/domain/types.js';
import { CircuitBreaker } from '../../src/execution/breaker.js';
import { fallbackWeights } from '../../src/execution/fallback.js';
import { clientOrderId, followUpId } from '../../src/execution/idempotency.js';
import { backoffMs, withRetry } from '../../src/domain/retry.js';
import { FileJournal } from '../../src/engine/live/journal.js';
import { reconcile } from '../../src/engine/live/reconcile.js';
import { recover } from '../../src/engine/live/recovery.js';
import { toVenueError } from '../../src/venues/cex/errors.js';
import { formatAmount, roundToLot, stepDecimals } from '../../src/venues/cex/payload.js';

describe('retry with exponential backoff and full jitter', () => {
  test('backoff is uniform below min(max, base·2^(n−1))', () => {
    const p = { attempts: 5, baseMs: 100, maxMs: 1_000 };
    expect(backoffMs(p, 1, () => 0.999)).toBe(99);
    expect(backoffMs(p, 3, () => 0.5)).toBe(200);
    expect(backoffMs(p, 6, () => 0.999)).toBe(999);
    expect(backoffMs(p, 2, () => 0)).toBe(0);
  });

  test('retries retryable venue errors only, up to the attempts, with the jittered delays', async () => {
    const delays: number[] = [];
    let calls = 0;
    const transient = new VenueError('x', 'rate limited', true, 'transient');
    await expect(
      withRetry(
        async () => {
          calls++;
          throw transient;
        },
        { attempts: 4, baseMs: 10, maxMs: 1_000 },
        { random: () => 0.5, sleep: async (ms) => void delays.push(ms) },
      ),
    ).rejects.toBe(transient);
    expect(calls).toBe(4);
    expect(delays).toEqual([5, 10, 20]);
    calls = 0;
    const refused = new VenueError('x', 'insufficient balance', false, 'rejected');
    await expect(
      withRetry(async () => (calls++, Promise.reject(refused)), { attempts: 4, baseMs: 1, maxMs: 1 }),
    ).rejects.toBe(refused);
    expect(calls).toBe(1);
    expect(
      await withRetry(async (n) => (n < 3 ? Promise.reject(transient) : n), {
        attempts: 5,
        baseMs: 0,
        maxMs: 0,
      }),
    ).toBe(3);
  });
});

describe('circuit breaker', () => {
  test('opens after the threshold, refuses during the cooldown, half-opens, closes or reopens', () => {
    let now = 0;
    const moves: string[] = [];
    const b = new CircuitBreaker(
      'okx',
      { threshold: 3, cooldownMs: 1_000 },
      () => now,
      (_v, from, to) => moves.push(`${from}>${to}`),
    );
    b.failure('a');
    b.failure('b');
    expect(b.allows()).toBe(true);
    b.failure('c');
    expect([b.state, b.allows()]).toEqual(['open', false]);
    now = 999;
    expect(b.allows()).toBe(false);
    now = 1_000;
    expect(b.state).toBe('half_open');
    b.failure('trial failed');
    expect(b.state).toBe('open');
    now = 2_000;
    expect(b.allows()).toBe(true);
    b.success();
    expect(b.state).toBe('closed');
    expect(moves).toEqual([
      'closed>open',
      'open>half_open',
      'half_open>open',
      'open>half_open',
      'half_open>closed',
    ]);
  });
});

describe('client order ids', () => {
  const i: Instruction = {
    op: 'perp_open',
    venue: 'okx',
    symbol: 'BTCUSDT',
    side: 'short',
    size: 0.123456789,
  };
  test('deterministic per (run, tick, seq, instruction); alphanumeric, 30 characters', () => {
    const a = clientOrderId({ runId: 'r', tick: 7, seq: 0 }, i);
    expect(a).toBe(clientOrderId({ runId: 'r', tick: 7, seq: 0 }, { ...i }));
    expect(a).toMatch(/^b[0-9a-z]{29}$/);
    const others = [
      clientOrderId({ runId: 'r', tick: 8, seq: 0 }, i),
      clientOrderId({ runId: 'r', tick: 7, seq: 1 }, i),
      clientOrderId({ runId: 'q', tick: 7, seq: 0 }, i),
      clientOrderId({ runId: 'r', tick: 7, seq: 0 }, { ...i, size: 0.12345678900000001 + 1e-12 }),
    ];
    expect(new Set([a, ...others]).size).toBe(5);
    expect(followUpId(a, 3)).toHaveLength(32);
    expect(() => followUpId(a, 10)).toThrow();
  });
});

describe('fallback venue selection', () => {
  const mode = loadMode('btc_basis');
  const base = { binance: 0.4, bybit: 0.3, okx: 0.3 };
  test('a down venue keeps the hedge it holds; the rest of its weight goes pro rata to the others', () => {
    const v = fallbackWeights(mode, base, { okx: 'breaker open' }, { binance: 0.4, bybit: 0.3, okx: 0.15 });
    expect(v.weights.okx).toBeCloseTo(0.15 / 0.85, 12);
    expect(v.weights.binance).toBeCloseTo(((1 - 0.15 / 0.85) * 0.4) / 0.7, 12);
    expect(v.weights.bybit).toBeCloseTo(((1 - 0.15 / 0.85) * 0.3) / 0.7, 12);
    expect(v.note).toMatch(/okx down/);
    const flat = fallbackWeights(mode, base, { okx: 'unreadable' });
    expect(flat.weights).toEqual({ okx: 0, binance: 0.4 / 0.7, bybit: 0.3 / 0.7 });
    expect(fallbackWeights(mode, base, {}).note).toBeNull();
    expect(fallbackWeights({ ...mode, hedge_coverage_rule: 'fail' }, base, { okx: 'x' }).weights).toEqual(
      base,
    );
    expect(fallbackWeights(mode, base, { okx: 'x', bybit: 'x', binance: 'x' }).note).toMatch(
      /every hedge venue is down/,
    );
  });
});

describe('journal', () => {
  test('seq continues across opens; NaN, Infinity and typed arrays survive; a torn last line is cut', () => {
    const dir = mkdtempSync(join(tmpdir(), 'basis-journal-'));
    const path = join(dir, 'j.jsonl');
    try {
      const j = FileJournal.open(path);
      j.append({
        type: 'a',
        x: Number.NaN,
        y: Number.POSITIVE_INFINITY,
        z: Float64Array.from([1, Number.NaN]),
      });
      j.append({ type: 'b' }, { sync: false });
      j.close();
      appendFileSync(path, '{"seq":3,"at":"2026-01-01T00:00:00.000Z","type":"torn"'); // cut by a crash
      const again = FileJournal.open(path);
      expect(again.truncatedBytes).toBeGreaterThan(0);
      const r = again.records();
      expect(r.map((x) => x.seq)).toEqual([1, 2]);
      expect(Number.isNaN(r[0].x as number)).toBe(true);
      expect(r[0].y).toBe(Number.POSITIVE_INFINITY);
      expect(r[0].z).toBeInstanceOf(Float64Array);
      expect(again.append({ type: 'c' }).seq).toBe(3);
      again.close();
      expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(3);
      writeFileSync(path, '{"seq":1,"at":"x","type":"a"}\n{"seq":3,"at":"x","type":"b"}\n');
      expect(() => FileJournal.open(path)).toThrow(DataError);
      writeFileSync(path, '{"seq":1,"at":"x","type":"a"}\nnot json\n{"seq":2,"at":"x","type":"b"}\n');
      expect(() => FileJournal.open(path)).toThrow(/line 2 is not valid JSON/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('recovery: an intent without outcome is pending; an unknown outcome keeps it pending', () => {
    const intent = (id: string) => ({ type: 'intent', intent: { id, venue: 'okx', tick: 1, seq: 0 } });
    const outcome = (id: string, status: string) => ({
      type: 'outcome',
      outcome: { id, venue: 'okx', status },
    });
    const recs = [intent('a'), intent('b'), intent('c'), outcome('a', 'filled'), outcome('b', 'unknown')].map(
      (r, k) => ({ seq: k + 1, at: '', ...r }),
    );
    expect(recover(recs, 10).pending.map((p) => p.id)).toEqual(['b', 'c']);
    recs.push({ seq: 6, at: '', ...outcome('b', 'absent') });
    expect(recover(recs, 10).pending.map((p) => p.id)).toEqual(['c']);
  });
});

describe('live grid', () => {
  test('grows one row per tick in time order, keeps NaN for unsampled series, refuses when full', () => {
    const g = new LiveGrid(['a', 'b'], 3, 1_000, 0);
    expect(g.append({ timeMs: 10, values: { a: 1 } })).toBe(0);
    expect(Number.isNaN(g.value(0, 'b'))).toBe(true);
    expect(() => g.append({ timeMs: 10, values: {} })).toThrow(/forward in time/);
    g.append({ timeMs: 20, values: { a: 2, b: 5 } });
    g.set(0, 'b', 4);
    g.append({ timeMs: 30, values: { a: 3, b: 6 } });
    expect(g.full).toBe(true);
    expect(() => g.append({ timeMs: 40, values: {} })).toThrow(/full/);
    expect(g.tail(2)).toEqual([
      { timeMs: 20, values: { a: 2, b: 5 } },
      { timeMs: 30, values: { a: 3, b: 6 } },
    ]);
    expect(g.series.get('b')![0]).toBe(4);
  });
});

describe('lots, decimals, errors, reconciliation', () => {
  test('amounts round down to the lot step and print exactly', () => {
    expect(stepDecimals(0.001)).toBe(3);
    expect(stepDecimals(1e-8)).toBe(8);
    expect(stepDecimals(1)).toBe(0);
    expect(roundToLot(0.49927868, { step: 0.001, min: 0.001 })).toBe(0.499);
    expect(roundToLot(0.3 - 1e-15, { step: 0.1, min: 0.1 })).toBe(0.3);
    expect(roundToLot(0.0004, { step: 0.001, min: 0.001 })).toBe(0);
    expect(formatAmount(0.1 + 0.2, 0.0001)).toBe('0.3000');
  });

  test('ccxt errors are classified: transient, refused, or of unknown outcome on orders', async () => {
    const ccxt = await import('ccxt');
    const map = (e: Error, mutating: boolean) => {
      const v = toVenueError('okx', 'place order', e, { mutating, unknownCodes: ['50004'] });
      return [v.retryable, v.code];
    };
    expect(map(new ccxt.RateLimitExceeded('okx {"code":"50011"}'), true)).toEqual([true, 'transient']);
    expect(map(new ccxt.RequestTimeout('okx GET https://x timed out'), true)).toEqual([true, 'ambiguous']);
    expect(map(new ccxt.RequestTimeout('x'), false)).toEqual([true, 'transient']);
    expect(
      map(
        new ccxt.InsufficientFunds(
          'okx {"code":"1","data":[{"sCode":"51008","sMsg":"Insufficient margin"}]}',
        ),
        true,
      ),
    ).toEqual([false, 'rejected']);
    expect(map(new ccxt.ExchangeError('okx {"code":"50004","msg":"timeout"}'), true)).toEqual([
      true,
      'ambiguous',
    ]);
    expect(map(new ccxt.ExchangeError('okx {"code":"59999"}'), true)).toEqual([false, 'ambiguous']);
    const v = toVenueError(
      'okx',
      'place order',
      new ccxt.InsufficientFunds(
        'okx POST https://h/x?sign=abc {"code":"1","data":[{"sCode":"51008","sMsg":"Insufficient margin"}]}',
      ),
      { mutating: true },
    );
    expect(v.message).toBe('okx: place order failed: InsufficientFunds 51008 Insufficient margin');
  });

  test('reconciliation reports the real venues whose positions differ from the journal', () => {
    const diffs = reconcile(
      { 'okx:Perp:BTCUSDT': -0.3, 'okx:BaseToken:USDT': 100, 'wallet:BaseToken:USDT': 5 },
      { 'okx:Perp:BTCUSDT': -0.4, 'okx:BaseToken:USDT': 100, 'wallet:BaseToken:USDT': 7 },
      new Map([['okx', {}]]),
    );
    expect(diffs).toHaveLength(1);
    expect(diffs[0]).toMatchObject({ key: 'okx:Perp:BTCUSDT', journal: -0.3, venue: -0.4 });
    expect(diffs[0].diff).toBeCloseTo(-0.1, 12);
  });
});
