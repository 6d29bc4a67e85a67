import { describe, expect, it } from 'vitest';
import type { LendingVenueConfig } from '../../src/config/schema.js';
import { DataError, VenueError } from '../../src/domain/errors.js';
import { SimulatedAave, SimulatedWallet } from '../../src/venues/simulated/index.js';
import { GasModel } from '../../src/venues/gas.js';
import type { MarketCursor } from '../../src/data/cursor.js';
import { ENVIRONMENTS, RecordingLedger, market } from './fixtures.js';

const GAS_UNITS = { supply: 150_000, withdraw: 150_000, borrow: 200_000, repay: 150_000, set_emode: 50_000 };

function config(): LendingVenueConfig {
  return {
    venue: 'aave_v3',
    display_name: 'Aave v3',
    environments: ENVIRONMENTS,
    kind: 'lending',
    protocol_version: '3.3',
    reserves: {
      USDT: { ltv: 0.75, liquidation_threshold: 0.78, liquidation_bonus: 0.045, decimals: 6 },
      WETH: { ltv: 0.805, liquidation_threshold: 0.83, liquidation_bonus: 0.05, decimals: 18 },
      weETH: { ltv: 0.725, liquidation_threshold: 0.75, liquidation_bonus: 0.07, decimals: 18 },
    },
    emode: {
      category_id: 1,
      label: 'ETH correlated',
      ltv: 0.93,
      liquidation_threshold: 0.95,
      liquidation_bonus: 0.01,
      assets: ['WETH', 'weETH'],
    },
    liquidation_protocol_fee: 0.1,
    gas_units: GAS_UNITS,
  };
}

function setup(cursor: MarketCursor, walletAssets: string[], assets: string[]) {
  const cfg = config();
  const gas = GasModel.fromConfigs(cursor, [cfg]);
  const wallet = new SimulatedWallet('wallet', cursor, gas, walletAssets);
  const aave = new SimulatedAave('aave_v3', cfg, cursor, wallet, gas, assets);
  return { wallet, aave, ledger: new RecordingLedger() };
}

const op = (o: 'supply' | 'withdraw' | 'borrow' | 'repay', asset: string, amount: number) =>
  ({ op: o, venue: 'aave_v3', asset, amount }) as const;

describe('SimulatedAave — USDT reserve', () => {
  const usdtMarket = () =>
    market(3, {
      'aave.USDT.liquidityIndex': [1.02, 1.0251, 1.0251],
      'aave.USDT.variableBorrowIndex': [1.05, 1.06, 1.06],
      'gas.price_gwei': [20, 20, 20],
      'cex.binance.ETHUSDT.spot.price': [3000, 3000, 3000],
    });

  it('supplies at the liquidity index, pays gas in USDT at the ETH reference price and books interest on settle', async () => {
    const cursor = usdtMarket();
    const { wallet, aave, ledger } = setup(cursor, ['USDT'], ['USDT']);
    expect(aave.positionKeys).toEqual(['aave_v3:aToken:aUSDT', 'aave_v3:debtToken:debtUSDT']);
    wallet.credit('USDT', 2000);
    const fill = await aave.execute(op('supply', 'USDT', 1000), ledger);
    // gas = 150,000 units × 20 gwei × 1e-9 = 0.003 ETH × $3,000 = 9 USDT
    expect(fill.gasEth).toBeCloseTo(0.003, 15);
    expect(ledger.total('gas', 'USDT')).toBeCloseTo(-9, 10);
    expect(ledger.events[0]).toMatchObject({
      type: 'gas',
      data: { op: 'supply', units: 150_000, gwei: 20, asset: 'USDT' },
    });
    expect(wallet.balanceOf('USDT')).toBeCloseTo(991, 10);
    expect(aave.scaledSupplyOf('USDT')).toBe(1000 / 1.02);
    expect(aave.scaledSupplyOf('USDT')).toBeCloseTo(980.392156862745, 10);
    expect(aave.supplied('USDT')).toBeCloseTo(1000, 10);

    cursor.step = 1;
    aave.settle(1, ledger);
    expect(aave.supplied('USDT')).toBeCloseTo((1000 * 1.0251) / 1.02, 10);
    expect(aave.supplied('USDT')).toBeCloseTo(1005, 10);
    expect(ledger.total('supply_yield', 'USDT')).toBe((1000 / 1.02) * (1.0251 - 1.02));
    expect(ledger.total('supply_yield', 'USDT')).toBeCloseTo(5, 10);
    const out = new Float64Array(3);
    aave.readPositions(out, 1);
    expect(out[1]).toBeCloseTo(1005, 10);
    expect(out[2]).toBe(0);
  });

  it('borrows, withdraws and repays within the LTV limits; refusals change nothing', async () => {
    const cursor = usdtMarket();
    const { wallet, aave, ledger } = setup(cursor, ['USDT'], ['USDT']);
    wallet.credit('USDT', 2000);
    await aave.execute(op('supply', 'USDT', 1000), ledger);
    cursor.step = 1;
    aave.settle(1, ledger);
    // collateral 1005 USD × LTV 0.75 = 753.75 available
    expect(aave.account().availableBorrowsUsd).toBeCloseTo(753.75, 9);
    const before = { w: wallet.balanceOf('USDT'), books: ledger.books.length, cp: aave.checkpoint() };
    await expect(aave.execute(op('borrow', 'USDT', 800), ledger)).rejects.toThrow(VenueError);
    expect(wallet.balanceOf('USDT')).toBe(before.w);
    expect(ledger.books.length).toBe(before.books);
    expect(aave.checkpoint()).toEqual(before.cp);

    await aave.execute(op('borrow', 'USDT', 700), ledger);
    expect(aave.scaledDebtOf('USDT')).toBe(700 / 1.06);
    expect(aave.borrowed('USDT')).toBeCloseTo(700, 10);
    expect(wallet.balanceOf('USDT')).toBeCloseTo(991 - 12 + 700, 9); // borrow gas 200k × 20 gwei × $3,000 = 12
    const acc = aave.account();
    expect(acc.collateralUsd).toBeCloseTo(1005, 9);
    expect(acc.debtUsd).toBeCloseTo(700, 9);
    expect(acc.healthFactor).toBeCloseTo((1005 * 0.78) / 700, 12);
    expect(acc.ltv).toBeCloseTo(700 / 1005, 12);
    expect(acc.availableBorrowsUsd).toBeCloseTo(53.75, 9);
    expect(acc.liquidationThreshold).toBeCloseTo(0.78, 12);

    // withdraw 100 would leave 905 × 0.75 = 678.75 < 700 of debt
    const w0 = wallet.balanceOf('USDT');
    await expect(aave.execute(op('withdraw', 'USDT', 100), ledger)).rejects.toThrow(/refused/);
    expect(wallet.balanceOf('USDT')).toBe(w0);
    await aave.execute(op('withdraw', 'USDT', 50), ledger); // 955 × 0.75 = 716.25 ≥ 700
    expect(aave.supplied('USDT')).toBeCloseTo(955, 9);
    expect(wallet.balanceOf('USDT')).toBeCloseTo(w0 + 50 - 9, 9);

    await expect(aave.execute(op('repay', 'USDT', 800), ledger)).rejects.toThrow(/exceeds debt/);
    await aave.execute(op('repay', 'USDT', aave.borrowed('USDT')), ledger);
    expect(aave.scaledDebtOf('USDT')).toBe(0);
    expect(aave.account().healthFactor).toBe(Infinity);
    await expect(aave.execute(op('withdraw', 'USDT', 2000), ledger)).rejects.toThrow(/exceeds supplied/);
  });

  it('refuses when the wallet cannot pay gas, state unchanged', async () => {
    const cursor = usdtMarket();
    const { wallet, aave, ledger } = setup(cursor, ['USDT'], ['USDT']);
    wallet.credit('USDT', 1005);
    await expect(aave.execute(op('supply', 'USDT', 1000), ledger)).rejects.toThrow(/insufficient USDT/);
    expect(wallet.balanceOf('USDT')).toBe(1005);
    expect(aave.scaledSupplyOf('USDT')).toBe(0);
    expect(ledger.books).toEqual([]);
  });

  it('throws DataError naming the series and the time when an index is missing', async () => {
    const cursor = market(2, {
      'aave.USDT.liquidityIndex': [1.02, NaN],
      'aave.USDT.variableBorrowIndex': [1.05, 1.05],
      'gas.price_gwei': [20, 20],
      'cex.binance.ETHUSDT.spot.price': [3000, 3000],
    });
    const { wallet, aave, ledger } = setup(cursor, ['USDT'], ['USDT']);
    wallet.credit('USDT', 2000);
    await aave.execute(op('supply', 'USDT', 1000), ledger);
    cursor.step = 1;
    expect(() => aave.settle(1, ledger)).toThrow(DataError);
    expect(() => aave.settle(1, ledger)).toThrow(
      /aave\.USDT\.liquidityIndex has no value at 2024-01-01T01:00:00\.000Z/,
    );
  });
});

describe('SimulatedAave — e-mode weETH / WETH loop', () => {
  // weETH oracle = oracle.weETH.eth × oracle.WETH.usd (no oracle.weETH.usd loaded)
  const loopMarket = () =>
    market(3, {
      'aave.WETH.liquidityIndex': [1, 1, 1],
      'aave.WETH.variableBorrowIndex': [1, 1, 1],
      'aave.weETH.liquidityIndex': [1, 1, 1],
      'oracle.WETH.usd': [3000, 3000, 3000],
      'oracle.weETH.eth': [1.05, 0.93, 0.85],
      'gas.price_gwei': [10, 10, 10],
    });

  async function loop() {
    const cursor = loopMarket();
    const s = setup(cursor, ['ETH', 'weETH'], ['WETH', 'weETH']);
    s.wallet.credit('ETH', 1);
    s.wallet.credit('weETH', 100);
    await s.aave.execute(op('supply', 'weETH', 100), s.ledger);
    return { cursor, ...s };
  }

  it('pays gas in ETH, enforces the reserve LTV outside e-mode and computes HF in e-mode', async () => {
    const { wallet, aave, ledger } = await loop();
    expect(wallet.gasAsset).toBe('ETH');
    expect(wallet.balanceOf('ETH')).toBeCloseTo(1 - 150_000 * 10 * 1e-9, 15);
    // outside e-mode: 315,000 USD × 0.725 = 228,375 < 270,000
    const cp = aave.checkpoint();
    const eth = wallet.balanceOf('ETH');
    await expect(aave.execute(op('borrow', 'WETH', 90), ledger)).rejects.toThrow(/exceeds available borrows/);
    expect(aave.checkpoint()).toEqual(cp);
    expect(wallet.balanceOf('ETH')).toBe(eth);

    aave.setEmode(true, ledger);
    expect(aave.emodeEnabled).toBe(true);
    await aave.execute(op('borrow', 'WETH', 90), ledger);
    // the wallet has no WETH slot: the gateway unwraps the borrowed WETH to ETH
    expect(wallet.balanceOf('ETH')).toBeCloseTo(1 - (150_000 + 50_000 + 200_000) * 10 * 1e-9 + 90, 12);
    const acc = aave.account();
    expect(acc.collateralUsd).toBeCloseTo(100 * 1.05 * 3000, 8);
    expect(acc.debtUsd).toBeCloseTo(90 * 3000, 8);
    expect(acc.healthFactor).toBeCloseTo((100 * 1.05 * 3000 * 0.95) / (90 * 3000), 12);
    expect(acc.healthFactor).toBeCloseTo(1.108333333333333, 12);
    expect(acc.ltv).toBeCloseTo(270_000 / 315_000, 12);
    expect(acc.availableBorrowsUsd).toBeCloseTo(315_000 * 0.93 - 270_000, 6);
    // leaving e-mode would put HF at 315,000 × 0.75 / 270,000 = 0.875
    expect(() => aave.setEmode(false, ledger)).toThrow(/health factor would be 0\.875/);
    expect(aave.emodeEnabled).toBe(true);
  });

  it('supplies WETH from wallet ETH through the gateway', async () => {
    const cursor = loopMarket();
    const { wallet, aave, ledger } = setup(cursor, ['ETH'], ['WETH']);
    wallet.credit('ETH', 2);
    await aave.execute(op('supply', 'WETH', 1.5), ledger);
    expect(aave.supplied('WETH')).toBe(1.5);
    expect(wallet.balanceOf('ETH')).toBeCloseTo(0.5 - 0.0015, 15);
  });

  it('refuses entering e-mode with debt outside the category', async () => {
    const cursor = market(1, {
      'aave.USDT.liquidityIndex': [1],
      'aave.USDT.variableBorrowIndex': [1],
      'aave.weETH.liquidityIndex': [1],
      'oracle.WETH.usd': [3000],
      'oracle.weETH.eth': [1.05],
      'gas.price_gwei': [10],
    });
    const { wallet, aave, ledger } = setup(cursor, ['ETH', 'weETH', 'USDT'], ['weETH', 'USDT']);
    wallet.credit('ETH', 1);
    wallet.credit('weETH', 10);
    await aave.execute(op('supply', 'weETH', 10), ledger);
    await aave.execute(op('borrow', 'USDT', 1000), ledger); // USDT price 1.0 (no oracle.USDT.usd)
    expect(aave.account().debtUsd).toBe(1000);
    expect(() => aave.setEmode(true, ledger)).toThrow(/outside the category/);
    expect(aave.emodeEnabled).toBe(false);
  });

  it('liquidates 50 % when 0.95 < HF < 1 and seizes debt × (1 + e-mode bonus) worth of collateral', async () => {
    const { cursor, aave, ledger } = await loop();
    aave.setEmode(true, ledger);
    await aave.execute(op('borrow', 'WETH', 90), ledger);
    cursor.step = 1; // weETH falls to 0.93 ETH: HF = 100 × 0.93 × 0.95 / 90 = 0.98167
    aave.settle(1, ledger);
    const seized = ((45 * 3000) / (0.93 * 3000)) * 1.01;
    expect(aave.borrowed('WETH')).toBeCloseTo(45, 12);
    expect(aave.supplied('weETH')).toBeCloseTo(100 - seized, 12);
    expect(seized * 0.93 * 3000).toBeCloseTo(45 * 3000 * 1.01, 8);
    expect(ledger.total('liquidation', 'weETH')).toBeCloseTo(-(seized - 45 / 0.93), 12);
    const ev = ledger.events.find((e) => e.type === 'liquidation');
    expect(ev?.data.healthFactorBefore).toBeCloseTo((100 * 0.93 * 0.95) / 90, 12);
    expect(ev?.data.healthFactorAfter).toBeCloseTo(((100 - seized) * 0.93 * 0.95) / 45, 12);
    expect(ev?.data.closeFactor).toBe(0.5);
    expect(aave.account().healthFactor).toBeGreaterThan(1);
  });

  it('liquidates 100 % when HF ≤ 0.95, capped at the collateral', async () => {
    const { cursor, aave, ledger } = await loop();
    aave.setEmode(true, ledger);
    await aave.execute(op('borrow', 'WETH', 90), ledger);
    cursor.step = 2; // 0.85 ETH: HF = 0.8972; 90 × 1.01 / 0.85 = 106.9 weETH > 100 held
    aave.settle(2, ledger);
    const covered = (100 * 0.85) / 1.01;
    expect(aave.supplied('weETH')).toBe(0);
    expect(aave.borrowed('WETH')).toBeCloseTo(90 - covered, 12);
    expect(ledger.total('liquidation', 'weETH')).toBeCloseTo(-(100 - covered / 0.85), 12);
    expect(ledger.events.filter((e) => e.type === 'liquidation')).toHaveLength(1);
  });

  it('checkpoint / restore round-trips scaled balances and e-mode', async () => {
    const { aave, ledger } = await loop();
    const cp = aave.checkpoint();
    aave.setEmode(true, ledger);
    await aave.execute(op('borrow', 'WETH', 10), ledger);
    aave.restore(cp);
    expect(aave.emodeEnabled).toBe(false);
    expect(aave.borrowed('WETH')).toBe(0);
    expect(aave.supplied('weETH')).toBe(100);
  });
});
