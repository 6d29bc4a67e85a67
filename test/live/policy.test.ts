/**
 * The execution policy (ResilientCex) around a real client (LiveCex on the local OKX, which counts
 * contracts): one fault at a time, with the exact outcome on the server's book — a timeout after the order
 * was processed is looked up, never resent; a request dropped before processing is resent under the same
 * client id; a partial fill is completed by a follow-up order; an order whose outcome cannot be read
 * blocks the venue until it is resolved; an open breaker refuses orders without a request.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LiveGrid } from '../../src/data/live-grid.js';
import { VenueError } from '../../src/domain/errors.js';
import type { Instruction } from '../../src/domain/types.js';
import type { IntentLog } from '../../src/execution/intents.js';
import { ResilientCex } from '../../src/execution/resilient.js';
import { loadVenue, type CexVenueConfig } from '../../src/config/index.js';
import { LiveCex } from '../../src/venues/cex/client.js';
import { createExchange } from '../../src/venues/cex/exchange.js';
import { OkxApi } from '../../src/venues/cex/okx.js';
import { MarketCursor } from '../../src/data/cursor.js';
import type { Ledger } from '../../src/venues/types.js';
import { harnessUrls, startHarness, type Harness } from '../harness/index.js';

let h: Harness;
let venue: ResilientCex;
let api: OkxApi;
const events: { type: string; [k: string]: unknown }[] = [];
const journal: { kind: string; id: string; status?: string }[] = [];
const ledger: Ledger = { book: () => {}, event: (type, data) => void events.push({ type, ...data }) };
const clock = { runId: 'policy', tick: 1, seq: 0 };
let now = Date.now();

beforeAll(async () => {
  h = await startHarness();
  h.setPrice('BTCUSDT', 60_000, 0.001);
  h.setPrice('ETHUSDT', 3_000, 0.001);
  const e = h.exchanges.okx;
  e.book.fund('futures', 'USDT', 1_000_000);
  const ex = await createExchange(
    'okx',
    {
      ...harnessUrls(h, 'okx'),
      api_key: e.creds.apiKey,
      secret_key: e.creds.secret,
      passphrase: e.creds.passphrase!,
      // the timeouts below are the server never answering: this length only decides how long they take, and
      // is generous enough that a loaded machine never turns an answer into a timeout
      timeout_ms: 3_000,
      rate_limit_ms: 0.01,
    },
    { authenticated: true, source: { file: 'config/venues/okx.yaml', path: 'environments.testnet' } },
  );
  api = new OkxApi('okx', ex);
  await api.init();
  const ids = ['price', 'high', 'low']
    .map((k) => `cex.okx.BTCUSDT.perp.${k}`)
    .concat('cex.okx.BTCUSDT.funding');
  const grid = new LiveGrid(ids, 10, 1_000, now);
  grid.append({
    timeMs: now,
    values: {
      'cex.okx.BTCUSDT.perp.price': 60_060,
      'cex.okx.BTCUSDT.perp.high': 60_060,
      'cex.okx.BTCUSDT.perp.low': 60_060,
      'cex.okx.BTCUSDT.funding': Number.NaN,
    },
  });
  const client = new LiveCex('okx', loadVenue('okx') as CexVenueConfig, new MarketCursor(grid), api, {
    orderType: 'taker',
    symbols: { spot: [], perp: ['BTCUSDT'] },
    bookTransfers: true,
    fundingPollMs: 60_000,
    now: () => now,
  });
  const log: IntentLog = {
    intent: (r) => journal.push({ kind: 'intent', id: r.id }),
    order: (r) => journal.push({ kind: 'order', id: r.id }),
    outcome: (r) => journal.push({ kind: 'outcome', id: r.id, status: r.status }),
  };
  venue = new ResilientCex(client, log, clock, ledger, {
    retry: { attempts: 4, baseMs: 1, maxMs: 5 },
    breaker: { threshold: 3, cooldownMs: 500 },
    lookupDelayMs: 0,
    requestWindowMs: 5_000,
    makerTimeoutMs: 100,
    pollMs: 20,
    maxFollowUps: 3,
    random: () => 0.5,
    now: () => now,
  });
  await venue.configure(3);
  await venue.refresh();
});
afterAll(async () => {
  await api.close();
  await h.stop();
});

const open = (size: number): Instruction => ({
  op: 'perp_open',
  venue: 'okx',
  symbol: 'BTCUSDT',
  side: 'short',
  size,
});
const book = () => h.exchanges.okx.book;
const server = () => h.exchanges.okx.server;

describe('execution policy on a real client', () => {
  test('a timeout after the order was processed: looked up and found, never resent', async () => {
    server().faults.next('timeout');
    const before = book().orders.length;
    const fill = await venue.execute(open(0.1), ledger);
    expect(fill.amount).toBeCloseTo(0.1, 12);
    expect(book().orders.length).toBe(before + 1);
    expect(book().resubmitted()).toEqual([]);
    expect(events.find((e) => e.type === 'fate_lookup')).toMatchObject({ found: true, state: 'filled' });
    expect(book().position('BTCUSDT').size * 0.01).toBeCloseTo(-0.1, 12);
  });

  test('a request dropped before processing: lookup finds nothing, the same client id is sent again', async () => {
    server().faults.next('timeout_unprocessed');
    const before = book().orders.length;
    const fill = await venue.execute(open(0.05), ledger);
    expect(fill.amount).toBeCloseTo(0.05, 12);
    const last = book().orders.at(-1)!;
    expect(book().orders.length).toBe(before + 1);
    expect(book().submissions.get(last.clientId)).toBe(1);
    expect(events.filter((e) => e.type === 'fate_lookup').at(-1)).toMatchObject({ found: false });
  });

  test('a partial fill is completed by a follow-up order with a derived client id', async () => {
    server().faults.next('partial');
    const before = book().orders.length;
    const fill = await venue.execute(open(0.2), ledger);
    expect(fill.amount).toBeCloseTo(0.2, 12);
    const [a, b] = book().orders.slice(before);
    expect(b.clientId).toBe(`${a.clientId}r1`);
    expect((a.filled + b.filled) * 0.01).toBeCloseTo(0.2, 12);
    expect(events.some((e) => e.type === 'partial_fill' && e.followUp === b.clientId)).toBe(true);
  });

  test('an unreadable outcome blocks the venue until resolved; no order is sent meanwhile', async () => {
    // the order's answer is lost (connection closed after processing), then every lookup fails
    server().lostAnswer = 'reset';
    server().faults.next('timeout', ...Array<'server_error'>(12).fill('server_error'));
    const err = (await venue.execute(open(0.03), ledger).catch((e: unknown) => e)) as VenueError;
    expect(err.code).toBe('fate_unknown');
    const pending = venue.unresolved!;
    expect(journal.filter((j) => j.id === pending.id).map((j) => j.status ?? j.kind)).toContain('unknown');
    const before = server().log.length;
    const refused = (await venue.execute(open(0.03), ledger).catch((e: unknown) => e)) as VenueError;
    expect(refused.code).toBe('venue_uncertain');
    expect(server().log.length).toBe(before);
    server().faults.off();
    server().lostAnswer = 'hang';
    now += 1_000; // the breaker opened on the failed lookups; its cooldown passes
    const outcome = await venue.resolve(pending, ledger);
    expect(outcome.status).toBe('filled');
    expect(venue.unresolved).toBeNull();
    expect(book().submissions.get(pending.id)).toBe(1);
  });

  test('an open breaker refuses orders at once; a success after the cooldown closes it', async () => {
    // three failed attempts (two requests each) open the breaker (threshold 3); retries stop there
    server().faults.next(...Array<'server_error'>(6).fill('server_error'));
    await expect(venue.refresh()).rejects.toBeInstanceOf(VenueError);
    expect(venue.breaker.state).toBe('open');
    const before = server().log.length;
    const err = (await venue.execute(open(0.01), ledger).catch((e: unknown) => e)) as VenueError;
    expect(err.code).toBe('circuit_open');
    expect(server().log.length).toBe(before);
    now += 600;
    await venue.refresh();
    expect(venue.breaker.state).toBe('closed');
    expect(events.filter((e) => e.type === 'breaker').map((e) => `${e.from}>${e.to}`)).toEqual(
      expect.arrayContaining(['closed>open', 'open>half_open', 'half_open>closed']),
    );
    expect(events.some((e) => e.type === 'retry')).toBe(true);
  });
});
