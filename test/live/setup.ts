/** Shared setup of the wall-clock tests: local exchanges, a config copy pointed at them, a runs dir. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tempConfig, type TempConfig } from '../config/tempConfig.js';
import { pointConfigAt, startHarness, type Harness, type HarnessOptions } from '../harness/index.js';

export interface LiveFixture {
  h: Harness;
  cfg: TempConfig;
  runsDir: string;
  /** Process environment with the testnet credentials of the local exchanges. */
  env: NodeJS.ProcessEnv;
  cleanup(): Promise<void>;
}

/** Mode overrides that make the resilience policy fast on a test clock. */
export const FAST_EXECUTION = [
  'execution.retry_base_ms=5',
  'execution.retry_max_ms=40',
  'execution.lookup_delay_ms=0',
  'execution.breaker_cooldown_ms=200',
  'execution.maker_timeout_ms=200',
];

/** The ccxt timeout of the wall-clock tests' exchange clients, ms. */
export const CLIENT_TIMEOUT_MS = 10_000;

export async function liveFixture(
  opts: HarnessOptions = {},
  extra: Record<string, string | number | boolean> = {},
): Promise<LiveFixture> {
  const h = await startHarness(opts);
  h.setPrice('BTCUSDT', 60_000, 0.0008);
  h.setPrice('ETHUSDT', 3_000, 0.0008);
  const cfg = tempConfig();
  // A generous client timeout: a loaded machine never turns a slow answer into a fault. Faults come from the
  // harness (a lost answer is never sent, or its connection is closed), never from a short timeout.
  pointConfigAt(h, cfg.dir, {
    timeout_ms: CLIENT_TIMEOUT_MS,
    rate_limit_ms: 0.01,
    recv_window_ms: 10_000,
    ...extra,
  });
  const runsDir = mkdtempSync(join(tmpdir(), 'basis-runs-'));
  return {
    h,
    cfg,
    runsDir,
    env: { ...h.credentialEnv('testnet') },
    async cleanup() {
      await h.stop();
      cfg.cleanup();
      rmSync(runsDir, { recursive: true, force: true });
    },
  };
}

/** Funds every local exchange account (the testnet faucet): USDT for margin and spot, some BTC. */
export function fundAccounts(h: Harness, usdt: number): void {
  for (const e of Object.values(h.exchanges)) {
    e.book.fund('futures', 'USDT', usdt);
    if (e.venue === 'binance') e.book.fund('spot', 'USDT', usdt);
  }
}

export interface BookCheck {
  /** Spot held at the spot venue and each hedge venue's short, base units, from the servers' books. */
  spot: number;
  shorts: Record<string, number>;
  /** The strategy's drift measure: max(|spot − Σ shorts|·P, max_v |short_v − w_v Σ shorts|·P), USDT. */
  driftUsdt: number;
  /** Spot the basis sizing formula gives for the equity and prices (a fresh re-target). */
  q: number;
}

/**
 * The btc_basis book on the local exchanges against its targets: the hedge (spot = Σ shorts) and each
 * venue's share (weight × Σ shorts) — the strategy's drift measure — and the spot size against the sizing
 * formula Q* = E / (P(1 + f_spot) + Σ w_v P_v (1/L + f_v)).
 */
export function basisBook(h: Harness, equity: number): BookCheck {
  const x = h.exchanges;
  const w = { binance: 0.4, bybit: 0.3, okx: 0.3 };
  const perpFee = { binance: 0.0005, bybit: 0.00055, okx: 0.0005 };
  const p = x.binance.book.price('BTCUSDT', 'spot');
  const spot = x.binance.book.balance('spot', 'BTC');
  const shorts: Record<string, number> = {};
  let denom = p * 1.001;
  for (const [v, wv] of Object.entries(w)) {
    const e = x[v as 'binance'];
    shorts[v] = -e.book.position('BTCUSDT').size * e.book.market('BTCUSDT').contractSize;
    denom += wv * e.book.price('BTCUSDT', 'perp') * (1 / 3 + perpFee[v as 'binance']);
  }
  const total = Object.values(shorts).reduce((a, b) => a + b, 0);
  let drift = Math.abs(spot - total) * p;
  for (const [v, wv] of Object.entries(w)) drift = Math.max(drift, Math.abs(shorts[v] - wv * total) * p);
  return { spot, shorts, driftUsdt: drift, q: equity / denom };
}
