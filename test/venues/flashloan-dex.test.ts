/** Simulated flash lender (premium, repayment inside the group) and DEX (pool prices, fees, attribution). */
import { describe, expect, test } from 'vitest';
import { VenueError } from '../../src/domain/errors.js';
import { SimulatedDex } from '../../src/venues/simulated/dex.js';
import { SimulatedFlashLoan } from '../../src/venues/simulated/flashloan.js';
import { GasModel } from '../../src/venues/gas.js';
import { VenueSchema, type DexVenueConfig, type FlashLoanVenueConfig } from '../../src/config/schema.js';
import { SimulatedWallet } from '../../src/venues/simulated/wallet.js';
import { ENVIRONMENTS, market, RecordingLedger } from './fixtures.js';

const GWEI = 10;
const gasEth = (units: number) => units * GWEI * 1e-9;
function venueConfig(venue: string, kind: 'flash_loan', params: Record<string, number>): FlashLoanVenueConfig;
function venueConfig(venue: string, kind: 'dex', params: Record<string, number>): DexVenueConfig;
function venueConfig(venue: string, kind: 'flash_loan' | 'dex', params: Record<string, number>) {
  return VenueSchema.parse({
    venue,
    kind,
    display_name: venue,
    environments: ENVIRONMENTS,
    params,
    gas_units: {},
  });
}

function setup(gasAsset: 'ETH' | 'USDT' = 'ETH') {
  const cursor = market(2, {
    'gas.price_gwei': [GWEI, GWEI],
    'cex.binance.ETHUSDT.spot.price': [2000, 2000],
    'peg.weETH.market_rate': [1.04, 1.04],
    'dex.EIGENWETH.price': [0.001, 0.001],
    'dex.WETHUSDT.price': [1990, 1990],
  });
  const gas = new GasModel(cursor, {
    morpho: { flash_borrow: 70_000 },
    uniswap: { swap: 180_000 },
    wallet: { wrap: 45_000 },
  });
  const assets = gasAsset === 'ETH' ? ['ETH', 'WETH', 'weETH', 'EIGEN'] : ['USDT', 'ETH', 'WETH', 'weETH'];
  const wallet = new SimulatedWallet('wallet', cursor, gas, assets, { gasAsset });
  return { cursor, wallet, ledger: new RecordingLedger() };
}

describe('SimulatedFlashLoan', () => {
  test('borrows only inside an atomic group, books the premium and reports what is owed', async () => {
    const { wallet, ledger } = setup();
    wallet.credit('ETH', 1);
    const flash = new SimulatedFlashLoan(
      'morpho',
      venueConfig('morpho', 'flash_loan', { fee_bps: 5 }),
      wallet,
    );
    const borrow = { op: 'flash_borrow', venue: 'morpho', asset: 'WETH', amount: 100 } as const;
    await expect(flash.execute(borrow, ledger)).rejects.toThrow(/outside an atomic group/);
    flash.beginAtomic();
    await flash.execute(borrow, ledger);
    expect(wallet.balanceOf('WETH')).toBe(100);
    expect(flash.owed('WETH')).toBeCloseTo(100.05, 12);
    const out = new Float64Array(1);
    flash.readPositions(out, 0);
    expect(out[0]).toBeCloseTo(100.05, 12);
    expect(flash.positionKeys).toEqual(['morpho:debtToken:debtWETH']);
    expect(ledger.total('trading_fees', 'WETH')).toBeCloseTo(-0.05, 12);
    expect(ledger.total('gas', 'ETH')).toBeCloseTo(-gasEth(70_000), 15);
    expect(() => flash.endAtomic()).toThrow(/not repaid within the atomic group: 100.05/);
  });

  test('repays from WETH, the rest from ETH at the wrap gas; more than owed is refused', async () => {
    const { wallet, ledger } = setup();
    wallet.credit('ETH', 1);
    const flash = new SimulatedFlashLoan(
      'morpho',
      venueConfig('morpho', 'flash_loan', { fee_bps: 5 }),
      wallet,
    );
    flash.beginAtomic();
    await flash.execute({ op: 'flash_borrow', venue: 'morpho', asset: 'WETH', amount: 10 }, ledger);
    await expect(
      flash.execute({ op: 'flash_repay', venue: 'morpho', asset: 'WETH', amount: 10.1 }, ledger),
    ).rejects.toThrow(/exceeds the 10.005 owed/);
    wallet.debit('WETH', 10);
    wallet.credit('ETH', 10.005);
    await flash.execute({ op: 'flash_repay', venue: 'morpho', asset: 'WETH', amount: 10.005 }, ledger);
    expect(flash.owed('WETH')).toBe(0);
    expect(wallet.balanceOf('ETH')).toBeCloseTo(1 - gasEth(70_000 + 45_000), 12);
    expect(() => flash.endAtomic()).not.toThrow();
  });

  test('the fee is a configured number of basis points', () => {
    const { wallet } = setup();
    expect(
      new SimulatedFlashLoan('morpho', venueConfig('morpho', 'flash_loan', { fee_bps: 0 }), wallet).feeRate,
    ).toBe(0);
    // a fee outside 0..10000 bps is refused by the venue schema, naming the key
    const bad = VenueSchema.safeParse({
      venue: 'x',
      kind: 'flash_loan',
      display_name: 'x',
      environments: ENVIRONMENTS,
      params: { fee_bps: -1 },
    });
    expect(bad.error!.issues.map((i) => i.path.join('.'))).toEqual(['params.fee_bps']);
  });
});

describe('SimulatedDex', () => {
  // valuation: ETH 2000 USDT, weETH at its oracle rate 1.05 ETH, EIGEN at its pool price
  const reference = (a: string) =>
    ({ ETH: 2000, WETH: 2000, weETH: 2100, EIGEN: 2, USDT: 1 })[a] ?? Number.NaN;
  const dex = (wallet: SimulatedWallet, cursor: ReturnType<typeof setup>['cursor']) =>
    new SimulatedDex(
      'uniswap',
      venueConfig('uniswap', 'dex', { fee_tier_bps: 30, lst_fee_tier_bps: 5 }),
      cursor,
      wallet,
      reference,
    );

  test('LST → ETH at the market rate minus the LST fee tier; fee and rate spread are attributed', async () => {
    const { cursor, wallet, ledger } = setup();
    wallet.credit('weETH', 10);
    const d = dex(wallet, cursor);
    expect(d.quote('weETH', 'ETH', 10)).toBeCloseTo(10 * 1.04 * 0.9995, 12);
    await d.execute(
      { op: 'swap', venue: 'uniswap', from: 'weETH', to: 'ETH', amount: 10, maxSlippage: 0.005 },
      ledger,
    );
    // the swap's gas is paid from its own proceeds
    expect(wallet.balanceOf('ETH')).toBeCloseTo(10 * 1.04 * 0.9995 - gasEth(180_000), 12);
    expect(ledger.total('trading_fees', 'ETH')).toBeCloseTo(-10 * 1.04 * 0.0005, 12);
    expect(ledger.total('price', 'ETH')).toBeCloseTo(10 * (1.04 - 1.05), 12);
  });

  test('a reward token → ETH pays only the fee (its valuation is the pool price)', async () => {
    const { cursor, wallet, ledger } = setup();
    wallet.credit('ETH', 1);
    wallet.credit('EIGEN', 1000);
    await dex(wallet, cursor).execute(
      { op: 'swap', venue: 'uniswap', from: 'EIGEN', to: 'ETH', amount: 1000, maxSlippage: 0.005 },
      ledger,
    );
    expect(ledger.total('trading_fees', 'ETH')).toBeCloseTo(-1 * 0.003, 12);
    expect(ledger.total('price', 'ETH')).toBeCloseTo(0, 12);
  });

  test('two tokens other than ETH route through WETH and pay both fee tiers', () => {
    const { cursor, wallet } = setup('USDT');
    const q = dex(wallet, cursor).quote('USDT', 'weETH', 1990);
    expect(q).toBeCloseTo((1 / 1.04) * 0.997 * 0.9995, 12);
  });

  test('refusals: no price, not a trade, nothing to sell', async () => {
    const { cursor, wallet, ledger } = setup();
    wallet.credit('ETH', 1);
    const d = dex(wallet, cursor);
    await expect(
      d.execute(
        { op: 'swap', venue: 'uniswap', from: 'ETH', to: 'wstETH', amount: 1, maxSlippage: 0 },
        ledger,
      ),
    ).rejects.toThrow(/no pool price for wstETH/);
    await expect(
      d.execute({ op: 'swap', venue: 'uniswap', from: 'ETH', to: 'WETH', amount: 1, maxSlippage: 0 }, ledger),
    ).rejects.toThrow(/not a trade/);
    await expect(
      d.execute(
        { op: 'swap', venue: 'uniswap', from: 'weETH', to: 'ETH', amount: 1, maxSlippage: 0 },
        ledger,
      ),
    ).rejects.toBeInstanceOf(VenueError);
    expect(wallet.balanceOf('ETH')).toBe(1);
  });
});
