/**
 * The staking modes on the synthetic sample (no dataset needed): value conserved through deposits and
 * withdrawals, attribution + residual = balance PnL, and the reward tables' absence stated in the notes.
 */
import { describe, expect, test } from 'vitest';
import { ensureSampleDataset } from '../../src/data/index.js';
import { PNL_SOURCES } from '../../src/domain/types.js';
import { runBacktest } from '../../src/results/run.js';
import { tempConfig } from '../config/tempConfig.js';

const utc = (s: string) => Date.parse(`${s}T00:00:00Z`);

describe('staking modes on the synthetic sample', () => {
  test.each([
    'eth_staking_only',
    'eth_leveraged',
    'usdt_eth_staking_hedged_simple',
    'usdt_eth_staking_hedged_leveraged',
  ])('%s: value is conserved', async (mode) => {
    const capital = mode.startsWith('usdt') ? 500_000 : 50;
    const run = await runBacktest({
      mode,
      dataDir: ensureSampleDataset(),
      startMs: utc('2024-05-01'),
      endMs: utc('2024-09-01'),
      capital,
      deposits: [{ timeMs: utc('2024-06-15'), amount: capital / 2 }],
      withdrawals: [{ timeMs: utc('2024-08-01'), amount: capital / 4 }],
    });
    const s = run.summary;
    expect(s.data.synthetic).toBe(true);
    expect(s.notes.join('\n')).toMatch(/eigen_distributions.csv is not in the dataset/);
    expect(s.final_equity).toBeCloseTo(capital * 1.25 + s.pnl.balance, 6);
    const attributed = PNL_SOURCES.reduce((a, k) => a + s.pnl.attribution[k], 0);
    expect(attributed + s.pnl.residual).toBeCloseTo(s.pnl.balance, 6);
    const r = run.recorder;
    let cum = 0;
    for (let t = 0; t < r.length; t++) {
      cum += r.flows[t] + r.pnl[t];
      expect(Math.abs(r.equity[t] - cum)).toBeLessThan(1e-6 * capital);
      expect(Math.abs(r.residual[t])).toBeLessThan(1e-6 * r.equity[t]);
    }
    expect(s.failed_instructions).toBe(0);
    expect(run.events.filter((e) => e.type === 'atomic_group' && e.status === 'reverted')).toEqual([]);
    expect(s.pnl.attribution.staking_yield).toBeGreaterThan(0);
    expect(s.pnl.attribution.rewards).toBe(0);
  });
});

describe('the issuer route', () => {
  test('route: dex buys the LST on the DEX at the market rate; the gain over the oracle rate is price PnL', async () => {
    const cfg = tempConfig();
    try {
      cfg.replace('venues/etherfi.yaml', /route: mint/, 'route: dex');
      const run = await runBacktest({
        mode: 'eth_staking_only',
        configDir: cfg.dir,
        dataDir: ensureSampleDataset(),
        startMs: utc('2024-06-01'),
        endMs: utc('2024-06-03'),
        capital: 100,
      });
      const fills = run.events.filter((e) => e.type === 'fill');
      expect(fills[0]).toMatchObject({ op: 'swap', venue: 'uniswap' });
      expect(String(fills[0].instruction)).toMatch(/swap 99\.\d+ ETH -> weETH/);
      expect(fills.some((f) => f.op === 'stake')).toBe(false);
      // the sample's market rate sits a few bp below the protocol rate: more weETH than minting gives
      const price = run.data.series.get('peg.weETH.market_rate')![0];
      const rate = run.data.series.get('oracle.weETH.eth')![0];
      expect(price).toBeLessThan(rate);
      const a = run.summary.pnl.attribution;
      expect(a.price).toBeGreaterThan(0);
      expect(a.trading_fees).toBeLessThan(0);
      expect(Math.abs(run.summary.pnl.residual)).toBeLessThan(1e-9);
    } finally {
      cfg.cleanup();
    }
  });

  test('exit_route: queue is refused up front with the reason', async () => {
    const cfg = tempConfig();
    try {
      cfg.replace('venues/etherfi.yaml', /exit_route: dex/, 'exit_route: queue');
      await expect(
        runBacktest({
          mode: 'eth_staking_only',
          configDir: cfg.dir,
          dataDir: ensureSampleDataset(),
          capital: 1,
        }),
      ).rejects.toThrow(/etherfi.yaml: params.exit_route: "queue" is not supported by the staking strategy/);
    } finally {
      cfg.cleanup();
    }
  });
});

describe('flash-loan premium', () => {
  test('through Instadapp (5 bps) the premium is a trading fee, borrowed too, and the LTV still lands on target', async () => {
    const run = await runBacktest({
      mode: 'eth_leveraged',
      dataDir: ensureSampleDataset(),
      startMs: utc('2024-06-01'),
      endMs: utc('2024-06-02'),
      capital: 100,
      overrides: ['venues.flash_loan=instadapp', 'venues.unwind=instadapp'],
    });
    const fills = run.events.filter((e) => e.type === 'fill');
    const flash = fills.find((f) => f.op === 'flash_borrow')!;
    expect(flash.venue).toBe('instadapp');
    const premium = (flash.amount as number) * 0.0005;
    expect(flash.fee).toBeCloseTo(premium, 12);
    const borrow = fills.find((f) => f.op === 'borrow')!;
    expect(borrow.amount as number).toBeCloseTo((flash.amount as number) * 1.0005, 9);
    expect(run.summary.pnl.attribution.trading_fees).toBeCloseTo(-premium, 9);
    expect(run.recorder.ltv[0]).toBeCloseTo(0.93 * (1 - 0.0225), 9);
  });
});
