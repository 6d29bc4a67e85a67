/**
 * One conformance suite for the three exchange clients (binance.ts, bybit.ts, okx.ts), each against its
 * local exchange: settings, account reads, spot and perp orders with our client ids, lookups, funding
 * payments, signature checks and error classification. Figures are checked against the servers' books.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { VenueError } from '../../src/domain/errors.js';
import { createExchange } from '../../src/venues/cex/exchange.js';
import { BinanceApi } from '../../src/venues/cex/binance.js';
import { BybitApi } from '../../src/venues/cex/bybit.js';
import { OkxApi } from '../../src/venues/cex/okx.js';
import type { CexApi } from '../../src/venues/cex/types.js';
import {
  harnessUrls,
  HARNESS_VENUES,
  startHarness,
  type Harness,
  type HarnessVenue,
} from '../harness/index.js';

let h: Harness;
let now = Date.now();

beforeAll(async () => {
  h = await startHarness({ now: () => now, fundingIntervalMs: 60_000 });
  h.setPrice('BTCUSDT', 60_000, 0.001);
  h.setPrice('ETHUSDT', 3_000, 0.001);
});
afterAll(async () => h.stop());

async function client(venue: HarnessVenue, secret?: string): Promise<CexApi> {
  const e = h.exchanges[venue];
  const block = {
    ...harnessUrls(h, venue),
    api_key: e.creds.apiKey,
    secret_key: secret ?? e.creds.secret,
    ...(e.creds.passphrase ? { passphrase: e.creds.passphrase } : {}),
    timeout_ms: 10_000, // generous: no fault here is a timeout, and a loaded machine never makes one
    rate_limit_ms: 0.01,
  };
  const ex = await createExchange(venue, block, {
    authenticated: true,
    source: { file: `config/venues/${venue}.yaml`, path: 'environments.testnet' },
  });
  const api =
    venue === 'binance'
      ? new BinanceApi(venue, ex, true)
      : venue === 'bybit'
        ? new BybitApi(venue, ex)
        : new OkxApi(venue, ex);
  await api.init();
  return api;
}

describe.each(HARNESS_VENUES)('%s client', (venue) => {
  let api: CexApi;
  beforeAll(async () => {
    const b = h.exchanges[venue].book;
    b.fund('futures', 'USDT', 100_000);
    if (venue === 'binance') b.fund('spot', 'USDT', 50_000);
    api = await client(venue);
  });
  afterAll(async () => api.close());

  test('lot rules come from the exchange in base units', () => {
    const perp = api.lot('perp', 'BTCUSDT');
    const step = venue === 'okx' ? 0.01 * 0.01 : 0.001;
    expect(perp.step).toBeCloseTo(step, 12);
    expect(api.lot('spot', 'BTCUSDT').step).toBeGreaterThan(0);
  });

  test('configure sets one-way mode, cross margin and the leverage explicitly', async () => {
    const b = h.exchanges[venue].book;
    expect(b.positionMode).toBe('hedge');
    await api.configure(['BTCUSDT'], 3);
    expect(b.positionMode).toBe('oneway');
    expect(b.leverage.get('BTCUSDT')).toBe(3);
    expect(b.marginMode.get('BTCUSDT')).toBe('cross');
    await api.configure(['BTCUSDT'], 3); // idempotent: "not modified" answers are accepted
  });

  test('orders carry our client id, fill at the book price and read back by id', async () => {
    const b = h.exchanges[venue].book;
    const spot = await api.submit({
      clientId: `s${venue}1`,
      market: 'spot',
      symbol: 'BTCUSDT',
      side: 'buy',
      amount: 0.5,
      type: 'market',
      reduceOnly: false,
    });
    expect(spot).toMatchObject({ clientId: `s${venue}1`, state: 'filled', filled: 0.5, average: 60_000 });
    expect(spot.fee).toBeCloseTo(0.5 * h.exchanges[venue].book.opts.fees.spot.taker, 12);
    expect(spot.feeAsset).toBe('BTC');
    const perp = await api.submit({
      clientId: `p${venue}1`,
      market: 'perp',
      symbol: 'BTCUSDT',
      side: 'sell',
      amount: 0.4,
      type: 'market',
      reduceOnly: false,
    });
    expect(perp.filled).toBeCloseTo(0.4, 12);
    expect(perp.average).toBeCloseTo(60_060, 6);
    expect(perp.fee).toBeCloseTo(0.4 * 60_060 * b.opts.fees.perp.taker, 6);
    expect(await api.lookup(`p${venue}1`, 'perp', 'BTCUSDT')).toMatchObject({ state: 'filled', filled: 0.4 });
    expect(await api.lookup('nosuchorder', 'perp', 'BTCUSDT')).toBeNull();
    const acct = await api.account(['BTC'], ['BTCUSDT']);
    expect(acct.perps.BTCUSDT.size).toBeCloseTo(-0.4, 12);
    expect(acct.perps.BTCUSDT.entry).toBeCloseTo(60_060, 6);
    expect(acct.balances.BTC).toBeCloseTo(0.5 * (1 - b.opts.fees.spot.taker), 12);
    const usdt =
      venue === 'binance'
        ? b.balance('spot', 'USDT') + b.balance('futures', 'USDT')
        : b.balance('spot', 'USDT');
    expect(acct.balances.USDT).toBeCloseTo(usdt, 6);
  });

  test('a reduce-only close that would flip the position is refused, not retried', async () => {
    const err = await api
      .submit({
        clientId: `c${venue}1`,
        market: 'perp',
        symbol: 'BTCUSDT',
        side: 'buy',
        amount: 0.9,
        type: 'market',
        reduceOnly: true,
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VenueError);
    expect((err as VenueError).retryable).toBe(false);
    expect(h.exchanges[venue].book.position('BTCUSDT').size).not.toBe(0);
  });

  test('funding paid at the funding time is read back with the exchange amount', async () => {
    const b = h.exchanges[venue].book;
    const before = b.incomes.length;
    const since = now;
    now = b.nextFundingMs.get('BTCUSDT')! + 1; // just past the next funding time
    b.advance();
    expect(b.incomes.length).toBe(before + 1);
    const paid = await api.fundingPayments(['BTCUSDT'], since);
    expect(paid).toHaveLength(1);
    expect(paid[0].amount).toBeCloseTo(b.incomes.at(-1)!.amount, 9);
    expect(paid[0].amount).toBeGreaterThan(0); // a short receives positive funding
    const info = await api.funding('BTCUSDT');
    expect(info.rate).toBeCloseTo(0.0001, 12);
    expect(info.nextFundingMs).toBeGreaterThan(now);
  });

  test('a wrong secret is an authentication error (signature checked), not retryable', async () => {
    const bad = await client(venue, 'not-the-secret');
    const err = await bad.account([], ['BTCUSDT']).catch((e: unknown) => e);
    await bad.close();
    expect(err).toBeInstanceOf(VenueError);
    expect((err as VenueError).retryable).toBe(false);
    expect((err as VenueError).message).not.toContain('not-the-secret');
  });

  test('429 is transient; a 5xx on an order is an unknown outcome', async () => {
    const s = h.exchanges[venue].server;
    s.faults.next('rate_limit');
    const e1 = (await api.account([], ['BTCUSDT']).catch((e: unknown) => e)) as VenueError;
    expect([e1.retryable, e1.code]).toEqual([true, 'transient']);
    s.faults.next('unknown');
    const e2 = (await api
      .submit({
        clientId: `u${venue}1`,
        market: 'perp',
        symbol: 'BTCUSDT',
        side: 'sell',
        amount: 0.01,
        type: 'market',
        reduceOnly: false,
      })
      .catch((e: unknown) => e)) as VenueError;
    expect(e2.code).toBe('ambiguous');
    // The order went through: the lookup finds it.
    expect(await api.lookup(`u${venue}1`, 'perp', 'BTCUSDT')).toMatchObject({ state: 'filled' });
  });
});
