/**
 * One client order id per instruction, and exactly one exchange order per instruction, on each local
 * exchange (Binance, Bybit, OKX) through the execution manager and the policy around the real client
 * (ExecutionManager → ResilientCex → LiveCex → ccxt → harness), over the range of `execution.max_retries`
 * and breaker settings the mode schema allows:
 * - late processing: the exchange takes every order submission but answers none and processes it only
 *   after the client gave up (every lookup the client made missed it) — the instruction ends with its
 *   outcome unknown, every submission carried the same id, the exchange books exactly one order (the
 *   resends are refused as a repeated id) and the venue's next look-up uses that order's fill;
 * - every answer lost: the order is processed but neither its answer nor any lookup's reaches the client;
 * - every order dropped unprocessed: the same id is sent on every attempt and the venue stays closed to
 *   new orders until a look-up establishes that the id does not exist.
 * Answers are withheld by the harness (the connection is dropped, or held until the client's own timeout
 * where it says so), never by racing a short client timeout against a slow server. Backoff waits run on
 * a test clock, so the schema's default delays are used as they are.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadVenue, resolveMode, type CexVenueConfig } from '../../src/config/index.js';
import { LiveGrid } from '../../src/data/live-grid.js';
import type { Instruction } from '../../src/domain/types.js';
import { RunLedger } from '../../src/portfolio/ledger.js';
import type { IntentLog, IntentRecord } from '../../src/execution/intents.js';
import { ExecutionManager } from '../../src/execution/manager.js';
import { ResilientCex, resiliencePolicy } from '../../src/execution/resilient.js';
import { seededRandom } from '../../src/domain/retry.js';
import { Pricer } from '../../src/portfolio/pricing.js';
import { BinanceApi } from '../../src/venues/cex/binance.js';
import { BybitApi } from '../../src/venues/cex/bybit.js';
import { createExchange } from '../../src/venues/cex/exchange.js';
import { OkxApi } from '../../src/venues/cex/okx.js';
import type { CcxtApiBase } from '../../src/venues/cex/api-base.js';
import type { CexApi } from '../../src/venues/cex/types.js';
import { LiveCex } from '../../src/venues/cex/client.js';
import { MarketCursor } from '../../src/data/cursor.js';
import type { Venue } from '../../src/venues/types.js';
import {
  HARNESS_VENUES,
  harnessUrls,
  startHarness,
  type Harness,
  type HarnessVenue,
} from '../harness/index.js';

/** The schema's range (src/config/schema.ts): max_retries 0..10 (default 3), breaker_threshold ≥ 1
 * (default 5, no upper bound: 1e9 stands for "never opens"), breaker_cooldown_ms ≥ 0 (default 60 000). */
const MAX_RETRIES = [0, 3, 10];
const THRESHOLDS = [1, 5, 1_000_000_000];
const COOLDOWNS = [0, 60_000];
const SETTINGS = MAX_RETRIES.flatMap((r) =>
  THRESHOLDS.flatMap((t) => COOLDOWNS.map((c) => ({ maxRetries: r, threshold: t, cooldownMs: c }))),
);

/** The venues' request window (recv_window_ms, its default) on the test clock. */
const WINDOW_MS = 5_000;

type Api = CexApi & CcxtApiBase;
let h: Harness;
const apis = new Map<HarnessVenue, Api>();
let cases = 0;

beforeAll(async () => {
  h = await startHarness();
  h.setPrice('BTCUSDT', 60_000, 0.001);
  h.setPrice('ETHUSDT', 3_000, 0.001);
  for (const v of HARNESS_VENUES) {
    const e = h.exchanges[v];
    e.book.fund('futures', 'USDT', 10_000_000);
    e.server.lostAnswer = 'reset';
    const ex = await createExchange(
      v,
      {
        ...harnessUrls(h, v),
        api_key: e.creds.apiKey,
        secret_key: e.creds.secret,
        ...(e.creds.passphrase ? { passphrase: e.creds.passphrase } : {}),
        timeout_ms: 30_000,
        rate_limit_ms: 0.01,
        recv_window_ms: 60_000,
      },
      { authenticated: true, source: { file: `config/venues/${v}.yaml`, path: 'environments.testnet' } },
    );
    const api: Api =
      v === 'binance'
        ? new BinanceApi(v, ex, false)
        : v === 'bybit'
          ? new BybitApi(v, ex)
          : new OkxApi(v, ex);
    await api.init();
    apis.set(v, api);
  }
});
afterAll(async () => {
  for (const a of apis.values()) await a.close();
  await h.stop();
});

interface Setting {
  maxRetries: number;
  threshold: number;
  cooldownMs: number;
}

/** A run's execution stack on one harness exchange, built as a wall-clock run builds it. */
async function stack(v: HarnessVenue, s: Setting) {
  const mode = resolveMode('btc_basis', {
    overrides: [
      `execution.max_retries=${s.maxRetries}`,
      `execution.breaker_threshold=${s.threshold}`,
      `execution.breaker_cooldown_ms=${s.cooldownMs}`,
    ],
  }).mode;
  const clock = { now: Date.UTC(2026, 0, 1) };
  const sleeps: number[] = [];
  /** What happens on the exchange while the client waits (e.g. it processes late orders). */
  const meanwhile: { run?: () => Promise<unknown> } = {};
  const sleep = async (ms: number) => {
    sleeps.push(ms);
    clock.now += ms;
    await meanwhile.run?.();
  };
  const ids = ['price', 'high', 'low']
    .map((k) => `cex.${v}.BTCUSDT.perp.${k}`)
    .concat(`cex.${v}.BTCUSDT.funding`);
  const grid = new LiveGrid(ids, 10, 1_000, clock.now);
  const perp = h.exchanges[v].book.price('BTCUSDT', 'perp');
  grid.append({
    timeMs: clock.now,
    values: { [ids[0]]: perp, [ids[1]]: perp, [ids[2]]: perp, [ids[3]]: Number.NaN },
  });
  const cursor = new MarketCursor(grid);
  const ledger = new RunLedger(new Pricer(cursor, 'USDT'));
  const client = new LiveCex(v, loadVenue(v) as CexVenueConfig, cursor, apis.get(v)!, {
    orderType: mode.execution.order_type,
    symbols: { spot: [], perp: ['BTCUSDT'] },
    bookTransfers: true,
    fundingPollMs: 60_000,
    now: () => clock.now,
  });
  const intents: IntentRecord[] = [];
  const log: IntentLog = { intent: (r) => void intents.push(r), order: () => {}, outcome: () => {} };
  const intentClock = { runId: `order-id-${v}-${++cases}`, tick: 1, seq: 0 };
  const venue = new ResilientCex(client, log, intentClock, ledger, {
    ...resiliencePolicy(mode.execution),
    requestWindowMs: WINDOW_MS,
    maxFollowUps: 3,
    random: seededRandom(cases),
    sleep,
    now: () => clock.now,
  });
  const manager = new ExecutionManager(
    mode,
    new Map<string, Venue>([[v, venue]]),
    ledger,
    { gasEth: () => 0 },
    () => 0,
    () => {},
    { sleep, random: seededRandom(cases) },
  );
  await venue.configure(3);
  await venue.refresh();
  // when (on the test clock) each order was sent
  const sentMs: number[] = [];
  const submit = client.submit.bind(client);
  client.submit = (req) => {
    sentMs.push(clock.now);
    return submit(req);
  };
  return { mode, venue, manager, ledger, intents, sleeps, clock, sentMs, meanwhile };
}

const short: (v: HarnessVenue) => Instruction = (v) => ({
  op: 'perp_open',
  venue: v,
  symbol: 'BTCUSDT',
  side: 'short',
  size: 0.01,
});

interface Outcome {
  /** Order submissions the exchange received for the instruction. */
  posts: number;
  /** Distinct client order ids among them. */
  ids: number;
  /** Orders the exchange booked for them. */
  orders: number;
  attempts: number;
}

/** Sends one instruction into the fault; lifts it; returns what the exchange saw. */
async function lateCase(
  v: HarnessVenue,
  s: Setting,
  fault: 'late' | 'timeout' | 'timeout_unprocessed',
  o: { scope?: 'all' | 'orders'; clientTimeoutMs?: number; release?: 'now' | 'later' } = {},
): Promise<Outcome & { st: Awaited<ReturnType<typeof stack>> }> {
  const e = h.exchanges[v];
  const st = await stack(v, s);
  const sentFrom = e.server.orderIds.length;
  const ordersFrom = e.book.orders.length;
  const ex = apis.get(v)!.ex;
  const timeout = ex.timeout;
  if (o.clientTimeoutMs !== undefined) ex.timeout = o.clientTimeoutMs;
  e.server.faults.always(fault, o.scope ?? 'orders');
  const report = await st.manager
    .execute({ action: 'entry_full', reason: 'test', items: [short(v)] })
    .finally(() => {
      e.server.faults.off();
      ex.timeout = timeout;
    });
  if (o.release !== 'later') await e.server.releaseLate();

  expect(report).toMatchObject({ executed: 0, failed: 1 });
  const failed = st.ledger.events.find((x) => x.type === 'execution_failed')!;
  expect(failed.error).toMatch(/^[a-z]+: outcome of order b[0-9a-z]{29} unknown: /);
  // the manager never retried the venue (its retry events name the instruction)
  expect(st.ledger.events.filter((x) => x.type === 'retry' && 'instruction' in x)).toEqual([]);
  const sent = e.server.orderIds.slice(sentFrom);
  expect(sent.every((id) => id === st.intents[0].id)).toBe(true);
  return {
    posts: sent.length,
    ids: new Set(sent).size,
    orders: e.book.orders.length - ordersFrom,
    attempts: st.mode.execution.max_retries + 1,
    st,
  };
}

/** The unresolved intent is looked up and its order's fill used; the venue takes orders again. */
async function resolved(v: HarnessVenue, st: Awaited<ReturnType<typeof stack>>): Promise<void> {
  const pending = st.venue.unresolved!;
  expect(pending.id).toBe(st.intents[0].id);
  const order = h.exchanges[v].book.findOrder({ clientId: pending.id })!;
  const outcome = await st.venue.resolve(pending, st.ledger);
  expect(outcome.status).toBe('filled');
  expect(outcome.fill!.amount).toBeCloseTo(0.01, 12);
  expect(outcome.fill!.amount).toBeCloseTo(
    order.filled * h.exchanges[v].book.market('BTCUSDT').contractSize,
    12,
  );
  expect(st.venue.unresolved).toBeNull();
}

describe.each(HARNESS_VENUES)('%s: one order per instruction', (v) => {
  test.each(SETTINGS)(
    'late processing, max_retries $maxRetries, breaker threshold $threshold, cooldown $cooldownMs ms',
    async (s) => {
      const r = await lateCase(v, s, 'late');
      expect(r.ids).toBe(1);
      expect(r.orders).toBe(1);
      expect(r.posts).toBeGreaterThanOrEqual(1);
      expect(r.posts).toBeLessThanOrEqual(r.attempts);
      // a breaker that never opens (or re-admits at once) lets every attempt through
      if (s.threshold >= r.attempts || s.cooldownMs === 0) expect(r.posts).toBe(r.attempts);
      // processed late, in arrival order: the first booked, every resend refused as a repeated id
      expect(h.exchanges[v].book.submissions.get(r.st.intents[0].id)).toBe(r.posts);
      expect(h.exchanges[v].book.findOrder({ clientId: r.st.intents[0].id })).toBeDefined();
      expect(r.st.intents).toHaveLength(1);
      await resolved(v, r.st);
    },
  );

  test.each(SETTINGS.filter((s) => s.cooldownMs === 0 || s.threshold === 5))(
    'every answer lost, max_retries $maxRetries, breaker threshold $threshold, cooldown $cooldownMs ms',
    async (s) => {
      const r = await lateCase(v, s, 'timeout', { scope: 'all' });
      // processed at once, never answered, and no lookup answered: never sent again
      expect(r).toMatchObject({ posts: 1, ids: 1, orders: 1 });
      await resolved(v, r.st);
    },
  );

  test.each(SETTINGS.filter((s) => s.cooldownMs === 0 || s.threshold === 5))(
    'every order dropped unprocessed, max_retries $maxRetries, breaker threshold $threshold, cooldown $cooldownMs ms',
    async (s) => {
      const r = await lateCase(v, s, 'timeout_unprocessed');
      expect(r).toMatchObject({ ids: 1, orders: 0 });
      expect(r.posts).toBeLessThanOrEqual(r.attempts);
      if (s.threshold >= r.attempts || s.cooldownMs === 0) expect(r.posts).toBe(r.attempts);
      // not found: absent only once the exchange can no longer process the last submission
      const final = r.st.sentMs.at(-1)! + WINDOW_MS + r.st.mode.execution.lookup_delay_ms;
      const early = r.st.clock.now < final;
      const outcome = await r.st.venue.resolve(r.st.venue.unresolved!, r.st.ledger);
      expect(outcome.status).toBe('absent');
      expect(r.st.clock.now).toBeGreaterThanOrEqual(final);
      expect(r.st.ledger.events.filter((x) => x.type === 'intent_pending')).toHaveLength(early ? 1 : 0);
      expect(r.st.venue.unresolved).toBeNull();
    },
  );

  test('late orders processed while the client waits out their window: found, their fill used; refused: absent', async () => {
    const e = h.exchanges[v];
    const s = { maxRetries: 3, threshold: 5, cooldownMs: 60_000 };
    for (const expired of [false, true]) {
      const r = await lateCase(v, s, 'late', { release: 'later' });
      expect(r).toMatchObject({ ids: 1, orders: 0, posts: 4 });
      const ordersFrom = e.book.orders.length;
      // the first look-up misses them; the exchange gets to them while the client waits
      r.st.meanwhile.run = () => e.server.releaseLate({ expired });
      const outcome = await r.st.venue.resolve(r.st.venue.unresolved!, r.st.ledger);
      expect(r.st.ledger.events.filter((x) => x.type === 'intent_pending')).toHaveLength(1);
      expect(r.st.clock.now).toBe(r.st.sentMs.at(-1)! + WINDOW_MS + r.st.mode.execution.lookup_delay_ms);
      expect(e.book.orders.length - ordersFrom).toBe(expired ? 0 : 1);
      expect(outcome.status).toBe(expired ? 'absent' : 'filled');
      if (!expired) {
        const order = e.book.findOrder({ clientId: r.st.intents[0].id })!;
        expect(outcome.fill!.amount).toBeCloseTo(order.filled * e.book.market('BTCUSDT').contractSize, 12);
        expect(outcome.fill!.amount).toBeCloseTo(0.01, 12);
      }
      expect(r.st.venue.unresolved).toBeNull();
    }
  });

  test('late processing with the answer held until the client times out, at the schema maxima', async () => {
    const e = h.exchanges[v];
    // The order submissions are held unanswered for as long as the client waits, so its (short) timeout
    // always fires on them; any other request that times out is only retried.
    e.server.lostAnswer = 'hang';
    try {
      const s = { maxRetries: 10, threshold: 1_000_000_000, cooldownMs: 60_000 };
      const r = await lateCase(v, s, 'late', { clientTimeoutMs: 250 });
      expect(r).toMatchObject({ ids: 1, orders: 1 });
      expect(r.posts).toBeGreaterThanOrEqual(1);
      expect(r.posts).toBeLessThanOrEqual(11);
      expect(e.server.log.filter((x) => x.fault === 'late').at(-1)!.status).toBe('no_reply');
      // the client saw its own timeout
      const failed = r.st.ledger.events.find((x) => x.type === 'execution_failed')!;
      expect(failed.error).toMatch(/failed: RequestTimeout\)/);
      await resolved(v, r.st);
    } finally {
      e.server.lostAnswer = 'reset';
    }
  });

  test('retryable failures are retried with backoff under the one id; the manager calls the venue once', async () => {
    const e = h.exchanges[v];
    const st = await stack(v, { maxRetries: 3, threshold: 5, cooldownMs: 60_000 });
    const seen = new Set(e.book.submissions.keys());
    const sentFrom = e.server.orderIds.length;
    const ordersFrom = e.book.orders.length;
    e.server.faults.next('rate_limit', 'rate_limit', 'timeout_unprocessed');
    const report = await st.manager.execute({ action: 'entry_full', reason: 'test', items: [short(v)] });
    expect(report).toMatchObject({ executed: 1, failed: 0 });
    expect(report.fills[0].amount).toBeCloseTo(0.01, 12);
    const retries = st.ledger.events.filter((x) => x.type === 'retry');
    expect(retries.map((x) => [x.what, x.clientId, x.attempt])).toEqual([
      ['order', st.intents[0].id, 1],
      ['order', st.intents[0].id, 2],
      ['order', st.intents[0].id, 3],
    ]);
    // full jitter below the policy's cap: 500, 1000, 2000 ms (schema defaults)
    retries.forEach((x, k) => expect(x.delayMs as number).toBeLessThan(500 * 2 ** k));
    // the dropped request may have reached the exchange: a lookup (after lookup_delay_ms) before the resend
    expect(st.sleeps).toEqual([retries[0].delayMs, retries[1].delayMs, 1_000, retries[2].delayMs]);
    expect(st.ledger.events.filter((x) => x.type === 'fate_lookup')).toMatchObject([{ found: false }]);
    expect(st.intents).toHaveLength(1);
    const id = st.intents[0].id;
    expect(e.server.orderIds.slice(sentFrom)).toEqual([id, id, id, id]);
    const fresh = [...e.book.submissions].filter(([k]) => !seen.has(k));
    // the three refusals came before the exchange processed anything: one submission reached the book
    expect(fresh).toEqual([[id, 1]]);
    expect(e.book.orders.length - ordersFrom).toBe(1);
  });
});

test('OKX order placements carry an expTime deadline of recv_window_ms; other requests none', () => {
  const ex = apis.get('okx')!.ex;
  const before = Date.now();
  const order = ex.sign('trade/order', 'private', 'POST', { instId: 'BTC-USDT-SWAP', clOrdId: 'b1' });
  const after = Date.now();
  const lookup = ex.sign('trade/order', 'private', 'GET', { instId: 'BTC-USDT-SWAP', clOrdId: 'b1' });
  const exp = Number((order.headers as Record<string, string>).expTime);
  // recv_window_ms 60 000 in this file's venue settings
  expect(exp).toBeGreaterThanOrEqual(before + 60_000);
  expect(exp).toBeLessThanOrEqual(after + 60_000);
  expect(lookup.headers).not.toHaveProperty('expTime');
});
