/**
 * A known perfect signal on a synthetic zig-zag: every bar's direction is predicted right with confidence
 * 0.9, so each bar is one trade (close and reverse at every open). The final equity must equal the
 * recursion written from the trading rules alone (fees, funding, gas, sizing on equity), not from the
 * engine.
 */
import { describe, expect, it } from 'vitest';
import { loadVenue } from '../../src/config/index.js';
import { runBacktest } from '../../src/results/run.js';
import { FIVE_MIN, T0, pathBars, writeHandDataset, writePredictions } from './fixtures.js';

const HOURS = 30;
const N = HOURS * 12 + 1; // bars; the window ends on a whole hour
const RATE = 1e-4; // funding per 8 h, longs pay
const GWEI = 10;
const ETH = 2000;
const TAKER = 0.0005; // binance perp taker (config/venues/binance.yaml)
const SPOT_TAKER = 0.001;

function zigzag(): number[] {
  const p = [40_000];
  for (let k = 0; k < N; k++) p.push(p[k] * (1 + (k % 2 === 0 ? 1 : -1) * (0.002 + 0.001 * (k % 3))));
  return p;
}

function setup() {
  const prices = zigzag();
  const ds = writeHandDataset({ spot: pathBars(prices), fundingRate: RATE, gasGwei: GWEI, ethPrice: ETH });
  const rows = [];
  for (let k = 0; k < N; k++) {
    const up = prices[k + 1] > prices[k];
    const last = k === N - 1;
    rows.push({
      t: T0 + k * FIVE_MIN,
      signal: last ? 'neutral' : up ? 'long' : 'short',
      confidence: last ? 0 : 0.9,
      sd: 0.05,
    });
  }
  const preds = writePredictions(ds.dir, rows);
  const wallet = loadVenue('wallet');
  if (wallet.kind !== 'wallet') throw new Error('config/venues/wallet.yaml is not a wallet');
  const transferGasEth = wallet.gas_units.transfer * GWEI * 1e-9;
  return { prices, ds, preds, transferGasEth };
}

const isFunding = (k: number) => (T0 + k * FIVE_MIN) % (8 * 3_600_000) === 0;

describe('perfect signal on a synthetic series', () => {
  const { prices, ds, preds, transferGasEth } = setup();
  const common = {
    startMs: T0,
    endMs: T0 + (N - 1) * FIVE_MIN,
    dataDir: ds.dir,
    cacheDir: ds.cacheDir,
  };

  it('USDT share class: final equity = the analytic recursion; every trade wins; exits are signal / bar_end', async () => {
    const C = 100_000;
    const run = await runBacktest({
      ...common,
      mode: 'ml_usdt_directional_usdt_margin',
      capital: C,
      overrides: ['signals.source=file', `signals.path=${preds}`],
    });
    // X_{k+1} = X_k (1 − φ + |a_k| − φ (1 + a_k) − dir_k (1 + a_k) r [funding at k+1]), f = 1
    let x = C - transferGasEth * ETH;
    let fundingTruth = 0;
    for (let k = 0; k < N - 1; k++) {
      const a = prices[k + 1] / prices[k] - 1;
      const dir = Math.sign(a);
      const funding = isFunding(k + 1) ? dir * (1 + a) * RATE : 0;
      fundingTruth -= x * funding;
      x *= 1 - TAKER + Math.abs(a) - TAKER * (1 + a) - funding;
    }
    expect(run.summary.final_equity).toBeCloseTo(x, 6);
    expect(Math.abs(run.summary.final_equity / x - 1)).toBeLessThan(1e-12);
    const t = (run.summary.strategy_report as { trades: Record<string, unknown> }).trades;
    expect(t.trades).toBe(N - 1);
    expect(t.hit_rate).toBe(1);
    expect(t.direction_hit_rate).toBe(1);
    expect(t.by_reason).toMatchObject({ signal: N - 2, bar_end: 1, sl: 0, tp: 0 });
    expect(run.summary.pnl.max_abs_step_residual).toBeLessThan(1e-9);
    // funding attribution = Σ −size × mark × rate at the funding steps, from the trade log
    const trades = run.events.filter((e) => e.type === 'trade');
    const funding = trades.reduce((s, e) => s + (e.funding_usdt as number), 0);
    expect(run.summary.pnl.attribution.funding).toBeCloseTo(funding, 9);
    expect(funding).toBeCloseTo(fundingTruth, 9);
    expect(Math.abs(fundingTruth)).toBeGreaterThan(1);
    for (const e of trades) expect(Math.abs(e.other_usdt as number)).toBeLessThan(1e-6);
  });

  it('BTC share class (multi-assets margin): the BTC collateral stays, USDT PnL is bought back into BTC at the end', async () => {
    const C = 3; // BTC
    const run = await runBacktest({
      ...common,
      mode: 'ml_btc_directional_usdt_margin',
      capital: C,
      overrides: ['signals.source=file', `signals.path=${preds}`],
    });
    const b = C - (transferGasEth * ETH) / prices[0];
    let u = 0; // USDT balance at the venue
    for (let k = 0; k < N - 1; k++) {
      const p0 = prices[k];
      const p1 = prices[k + 1];
      const equityBtc = b + u / p0;
      const size = equityBtc; // notional = 1 × equity × P at the mark P
      const dir = Math.sign(p1 - p0);
      u += -TAKER * size * p0 + size * Math.abs(p1 - p0) - TAKER * size * p1;
      if (isFunding(k + 1)) u -= dir * size * p1 * RATE;
    }
    const pEnd = prices[N - 1];
    const expected = b + u / (pEnd * (1 + SPOT_TAKER));
    expect(Math.abs(run.summary.final_equity / expected - 1)).toBeLessThan(1e-11);
    expect(run.summary.share_class).toBe('BTC');
    // flat at the end: the book holds BTC, its USDT is dust
    expect(Math.abs(run.summary.final_positions['binance:BaseToken:USDT'] ?? 0)).toBeLessThan(1e-6);
    expect(run.summary.final_positions['binance:Perp:BTCUSDT']).toBeUndefined();
    expect(run.summary.pnl.max_abs_step_residual).toBeLessThan(1e-12);
  });
});
