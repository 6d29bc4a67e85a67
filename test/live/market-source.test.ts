/**
 * Live market data onto the grid, from the local Binance's public endpoints and streams: prices from the
 * websocket while it is fresh and from REST when it is down, the bar extremes seen between two ticks
 * written into the previous row, funding written at the first tick after its settlement time, gas from
 * JSON-RPC, and no value invented for a series never seen.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LiveGrid } from '../../src/data/live-grid.js';
import { DataError } from '../../src/domain/errors.js';
import { BinanceApi } from '../../src/venues/cex/binance.js';
import { createExchange } from '../../src/venues/cex/exchange.js';
import { CexFeed } from '../../src/venues/feeds/cex-feed.js';
import { GasPriceFeed } from '../../src/venues/feeds/gas-feed.js';
import { feedPlan, LiveMarketSource } from '../../src/venues/feeds/market-source.js';
import { harnessUrls, startHarness, type Harness } from '../harness/index.js';
import { until } from '../helpers/until.js';

let h: Harness;
let api: BinanceApi;
let feed: CexFeed;
const S = 'cex.binance.BTCUSDT';
const IDS = [
  `${S}.spot.price`,
  `${S}.perp.price`,
  `${S}.perp.high`,
  `${S}.perp.low`,
  `${S}.funding`,
  'gas.price_gwei',
];
/** The feed's and the exchanges' clock: moved by the test, so staleness and funding times never race. */
let clock = Date.now();
const now = () => clock;
const STALE_MS = 1_000;
/** Off: a dropped stream stays down (its reconnect backoff never ends) until the feed stops. */
let reconnect = true;
const sleep = (ms: number) =>
  reconnect ? new Promise<void>((r) => setTimeout(r, ms)) : new Promise<void>(() => undefined);

/** Until both BTCUSDT streams have delivered these prices. */
const streamed = (spot: number, perp: number) =>
  until(`the streams to deliver ${spot} / ${perp}`, () => {
    const s = feed.streams();
    const near = (a: number | undefined, b: number) => a !== undefined && Math.abs(a - b) < 1e-6;
    return near(s['spot:BTCUSDT']?.price, spot) && near(s['perp:BTCUSDT']?.price, perp);
  });

beforeAll(async () => {
  h = await startHarness({ fundingIntervalMs: 400, now });
  h.setPrice('BTCUSDT', 60_000, 0.001);
  h.setPrice('ETHUSDT', 3_000, 0.001);
  const ex = await createExchange(
    'binance',
    { ...harnessUrls(h, 'binance'), timeout_ms: 10_000, rate_limit_ms: 0.01 },
    {
      authenticated: false,
      source: { file: 'config/venues/binance.yaml', path: 'environments.simulation' },
    },
  );
  api = new BinanceApi('binance', ex, false);
  await api.init();
  const plan = feedPlan(IDS);
  expect(plan).toMatchObject({ gas: true, unsupported: [] });
  feed = new CexFeed('binance', api, ex, plan.venues.get('binance')!, {
    websocket: true,
    staleMs: STALE_MS,
    now,
    sleep,
  });
  feed.start();
  await streamed(60_000, 60_060); // the harness sends the current ticker on subscription
});
afterAll(async () => {
  await feed.stop();
  await api.close();
  await h.stop();
});

describe('live market source', () => {
  test('a series without a live source is named', () => {
    expect(feedPlan(['aave.USDT.liquidityIndex', `${S}.spot.price`]).unsupported).toEqual([
      'aave.USDT.liquidityIndex',
    ]);
  });

  test('prices, bar extremes, funding at its settlement, gas; REST when the stream drops', async () => {
    const grid = new LiveGrid(IDS, 100, 100, clock);
    const src = new LiveMarketSource(grid, new Map([['binance', feed]]), new GasPriceFeed(h.rpc.url));
    const rest0 = feed.restReads;
    const first = await src.tick(clock);
    expect(feed.restReads).toBe(rest0); // both prices from the streams
    expect(first.values[`${S}.spot.price`]).toBe(60_000);
    expect(first.values[`${S}.perp.price`]).toBeCloseTo(60_060, 6);
    expect(first.values['gas.price_gwei']).toBe(12);
    expect(Number.isNaN(first.values[`${S}.funding`])).toBe(true); // nothing announced before the first tick
    const announced = src.state().announced['binance:BTCUSDT'];
    expect(announced.rate).toBeCloseTo(0.0001, 12);
    expect(announced.nextFundingMs).toBeGreaterThan(clock);

    // Within the bar: up to 61 061, down to 59 059 (perp), closing at 60 560.5; each delivered before the next.
    for (const p of [61_000, 59_000, 60_500]) {
      h.setPrice('BTCUSDT', p, 0.001);
      await streamed(p, p * 1.001);
    }
    clock = announced.nextFundingMs; // the settlement time (well within the streams' freshness)
    const second = await src.tick(clock);
    expect(feed.restReads).toBe(rest0);
    expect(second.values[`${S}.perp.price`]).toBeCloseTo(60_560.5, 6);
    expect(grid.value(0, `${S}.perp.high`)).toBeCloseTo(61_061, 6);
    expect(grid.value(0, `${S}.perp.low`)).toBeCloseTo(59_059, 6);
    expect(second.values[`${S}.funding`]).toBeCloseTo(0.0001, 12); // settled between the two ticks
    clock += 1;
    const third = await src.tick(clock);
    expect(Number.isNaN(third.values[`${S}.funding`])).toBe(true);

    // The stream drops (and stays down): once its last price is older than staleMs, prices come from REST.
    reconnect = false;
    h.exchanges.binance.server.hub.dropAll();
    h.exchanges.binance.book.setPrice('BTCUSDT', 58_000, 58_058); // no stream to carry it
    clock += STALE_MS + 1;
    const rest = feed.restReads;
    const fourth = await src.tick(clock);
    expect(feed.restReads).toBe(rest + 2);
    expect(fourth.values[`${S}.spot.price`]).toBe(58_000);
    expect(fourth.values[`${S}.perp.price`]).toBe(58_058);

    // A failed read keeps the last value and is reported.
    clock += STALE_MS + 1;
    h.exchanges.binance.server.faults.next('server_error', 'server_error', 'server_error', 'server_error');
    const fifth = await src.tick(clock);
    expect(fifth.errors.length).toBeGreaterThan(0);
    expect(fifth.values[`${S}.spot.price`]).toBe(58_000);
    h.exchanges.binance.server.faults.off();
  });

  test('a series never seen fails the tick instead of inventing a value', async () => {
    const grid = new LiveGrid([`${S}.spot.price`], 10, 100, clock);
    const rest = new CexFeed(
      'binance',
      api,
      null,
      { spot: ['BTCUSDT'], perp: [], funding: [] },
      { websocket: false, staleMs: 0, now, sleep },
    );
    const src = new LiveMarketSource(grid, new Map([['binance', rest]]), null);
    h.exchanges.binance.book.setPrice('BTCUSDT', 57_000, 57_057);
    h.exchanges.binance.server.faults.next('server_error');
    await expect(src.tick(++clock)).rejects.toThrow(DataError);
    expect(grid.length).toBe(0);
    expect((await src.tick(++clock)).values[`${S}.spot.price`]).toBe(57_000);
  });
});
