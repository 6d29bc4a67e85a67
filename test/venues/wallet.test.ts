import { describe, expect, it } from 'vitest';
import { DataError, VenueError } from '../../src/domain/errors.js';
import { SimulatedWallet } from '../../src/venues/simulated/index.js';
import { GasModel } from '../../src/venues/gas.js';
import { RecordingLedger, market } from './fixtures.js';

const cursor = () =>
  market(2, { 'gas.price_gwei': [12.5, NaN], 'cex.binance.ETHUSDT.spot.price': [3200, 3300] });
const units = { wallet: { transfer: 65_000 }, aave_v3: { supply: 160_000 } };

describe('GasModel', () => {
  it('gas ETH = units × gwei × 1e-9; unknown op names venue and op; missing price is a DataError', () => {
    const c = cursor();
    const gas = new GasModel(c, units);
    expect(gas.gasEth('aave_v3', 'supply')).toBeCloseTo(160_000 * 12.5e-9, 18);
    expect(() => gas.gasEth('aave_v3', 'borrow')).toThrow(VenueError);
    expect(() => gas.gasEth('aave_v3', 'borrow')).toThrow(/op 'borrow' at venue 'aave_v3'/);
    c.step = 1;
    expect(() => gas.gasEth('aave_v3', 'supply')).toThrow(DataError);
    expect(() => new GasModel(market(1, {}), units).gasEth('aave_v3', 'supply')).toThrow(
      /gas\.price_gwei is not loaded/,
    );
  });
});

describe('SimulatedWallet', () => {
  it('credits and debits; an overdraft throws and changes nothing', () => {
    const w = new SimulatedWallet('wallet', cursor(), new GasModel(cursor(), units), ['USDT']);
    expect(w.positionKeys).toEqual(['wallet:BaseToken:USDT']);
    w.credit('USDT', 100);
    w.debit('USDT', 40);
    expect(w.balanceOf('USDT')).toBe(60);
    expect(() => w.debit('USDT', 61)).toThrow('wallet: insufficient USDT balance: has 60, needs 61');
    expect(w.balanceOf('USDT')).toBe(60);
    expect(() => w.credit('BTC', 1)).toThrow(VenueError);
    const out = new Float64Array(2);
    w.readPositions(out, 1);
    expect(out[1]).toBe(60);
  });

  it('pays gas in USDT at the ETH reference price, books it and logs a gas event', () => {
    const c = cursor();
    const w = new SimulatedWallet('wallet', c, new GasModel(c, units), ['USDT']);
    const ledger = new RecordingLedger();
    w.credit('USDT', 100);
    const eth = w.chargeGas('supply', ledger, 'aave_v3');
    const cost = 160_000 * 12.5e-9 * 3200; // 6.4 USDT
    expect(eth).toBeCloseTo(0.002, 15);
    expect(w.balanceOf('USDT')).toBeCloseTo(100 - cost, 12);
    expect(ledger.books).toEqual([
      {
        source: 'gas',
        asset: 'USDT',
        amount: -w.gasQuote('supply', 'aave_v3').cost,
        venue: 'aave_v3',
        detail: 'supply',
      },
    ]);
    expect(ledger.events[0]).toEqual({
      type: 'gas',
      data: {
        venue: 'aave_v3',
        op: 'supply',
        units: 160_000,
        gwei: 12.5,
        eth: 160_000 * 12.5e-9,
        cost: 160_000 * 12.5e-9 * 3200,
        asset: 'USDT',
      },
    });
  });

  it('pays gas in ETH when the wallet holds ETH; refuses without balance, state unchanged', () => {
    const c = cursor();
    const w = new SimulatedWallet('wallet', c, new GasModel(c, units), ['ETH']);
    expect(w.gasAsset).toBe('ETH');
    const ledger = new RecordingLedger();
    expect(() => w.chargeGas('transfer', ledger)).toThrow(/insufficient ETH balance for gas/);
    expect(ledger.books).toEqual([]);
    w.credit('ETH', 1);
    w.chargeGas('transfer', ledger);
    expect(w.balanceOf('ETH')).toBeCloseTo(1 - 65_000 * 12.5e-9, 15);
    expect(ledger.total('gas', 'ETH')).toBeCloseTo(-65_000 * 12.5e-9, 18);
  });

  it('executes only its own transfers (gas only) and round-trips checkpoints', async () => {
    const c = cursor();
    const w = new SimulatedWallet('wallet', c, new GasModel(c, units), ['ETH']);
    const ledger = new RecordingLedger();
    w.credit('ETH', 2);
    await expect(
      w.execute({ op: 'supply', venue: 'wallet', asset: 'ETH', amount: 1 }, ledger),
    ).rejects.toThrow(VenueError);
    const cp = w.checkpoint();
    const fill = await w.execute(
      { op: 'transfer', venue: 'wallet', asset: 'ETH', amount: 1, from: 'wallet', to: 'binance' },
      ledger,
    );
    expect(fill.gasEth).toBeCloseTo(65_000 * 12.5e-9, 18);
    w.debit('ETH', 1);
    w.restore(cp);
    expect(w.balanceOf('ETH')).toBe(2);
  });
});
