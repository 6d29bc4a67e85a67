/**
 * The staking, DEX and wallet clients on the devnet: stake → wrap at the protocol rate, unwrap → withdrawal
 * request → (admin finalises) → claim, for Lido and ether.fi; Uniswap swaps in both directions at QuoterV2's
 * quote; wallet transfers. Amounts are checked against the protocol's own rate and the chain's balances.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { privateKeyToAddress, generatePrivateKey } from 'viem/accounts';
import {
  onchainSeriesRow,
  type OnchainAave,
  type OnchainStaking,
  type OnchainUniswap,
  type OnchainVenues,
} from '../../src/venues/onchain/index.js';
import { RecordingLedger } from '../venues/fixtures.js';
import { DEVNET, onchainFixture, type OnchainFixture } from './fixture.js';

let f: OnchainFixture;
let o: OnchainVenues;
const ledger = new RecordingLedger();

beforeAll(async () => {
  if (!DEVNET) return;
  f = await onchainFixture({ ETH: 100 });
  o = await f.build();
});

afterAll(async () => {
  if (!DEVNET) return;
  await f?.stop();
});

const wallet = () => o.venues.get('wallet')!;

describe.skipIf(!DEVNET)('staking on chain', () => {
  for (const [venue, lst] of [
    ['etherfi', 'weETH'],
    ['lido', 'wstETH'],
  ] as const) {
    test(`${venue}: stake mints ${lst} at the protocol rate; unstake queues the ETH; claim pays it once finalised`, async () => {
      const s = o.venues.get(venue) as OnchainStaking;
      const rate = s.rate();
      expect(rate).toBeGreaterThan(1);
      const before = wallet().balanceOf(lst);
      const fill = await s.execute({ op: 'stake', venue, asset: 'ETH', amount: 2 }, ledger);
      expect(fill.amount).toBe(2);
      expect(fill.price).toBeCloseTo(rate, 12); // ETH per LST
      expect(wallet().balanceOf(lst) - before).toBeCloseTo(2 / rate, 12);

      const out = await s.execute({ op: 'unstake', venue, asset: lst, amount: 1 }, ledger);
      expect(out.amount).toBe(1);
      expect(wallet().balanceOf(lst) - before).toBeCloseTo(2 / rate - 1, 12);
      expect(s.queuedEth()).toBeCloseTo(rate, 12);
      const [req] = s.withdrawalRequests();
      expect(req.finalized).toBe(false);
      const pos = new Float64Array(1);
      s.readPositions(pos, 0);
      expect(pos[0]).toBeCloseTo(rate, 12); // `<venue>:BaseToken:ETH`

      expect(await s.claimFinalized(ledger)).toBe(0); // not finalised yet
      await f.devnet.finalizeWithdrawals(lst, req.id);
      const eth = wallet().balanceOf('ETH');
      const claimed = await s.claimFinalized(ledger);
      expect(claimed).toBeCloseTo(rate, 12);
      expect(s.queuedEth()).toBe(0);
      expect(wallet().balanceOf('ETH') - eth).toBeGreaterThan(rate - 0.001); // minus the claim's gas
    });
  }

  test('a stake below min_stake_eth is refused', async () => {
    const s = o.venues.get('etherfi') as OnchainStaking;
    await expect(
      s.execute({ op: 'stake', venue: 'etherfi', asset: 'ETH', amount: 0.001 }, ledger),
    ).rejects.toThrow('etherfi: stake 0.001 ETH is below the minimum of 0.01 ETH');
  });
});

describe.skipIf(!DEVNET)('Uniswap V3 on chain', () => {
  test('ETH → weETH and back at the exact quote; the view quote is the in-range estimate', async () => {
    const u = o.venues.get('uniswap') as OnchainUniswap;
    const estimate = u.quote('ETH', 'weETH', 3);
    const exact = await u.quoteBest('ETH', 'weETH', 3n * 10n ** 18n);
    expect(estimate).toBeCloseTo(Number(exact.out) / 1e18, 9); // full-range pool: no tick crossed
    const before = wallet().balanceOf('weETH');
    const buy = await u.execute(
      { op: 'swap', venue: 'uniswap', from: 'ETH', to: 'weETH', amount: 3, maxSlippage: 0.005 },
      ledger,
    );
    const got = wallet().balanceOf('weETH') - before;
    expect(got).toBeCloseTo(Number(exact.out) / 1e18, 12);
    expect(buy.price).toBeCloseTo(got / 3, 12);
    const back = await u.quoteBest('weETH', 'ETH', BigInt(Math.floor(got * 1e18)));
    const eth = wallet().balanceOf('ETH');
    const sell = await u.execute(
      { op: 'swap', venue: 'uniswap', from: 'weETH', to: 'ETH', amount: got, maxSlippage: 0.005 },
      ledger,
    );
    expect(wallet().balanceOf('ETH') - eth + sell.gasEth).toBeCloseTo(Number(back.out) / 1e18, 9);
    expect(wallet().balanceOf('weETH')).toBeCloseTo(before, 9);
  });
});

describe.skipIf(!DEVNET)('wallet on chain', () => {
  test('transfers ETH and tokens to an address; credit/debit bookkeeping is refused', async () => {
    const to = privateKeyToAddress(generatePrivateKey());
    await wallet().execute(
      { op: 'transfer', venue: 'wallet', asset: 'ETH', amount: 1.25, from: 'wallet', to },
      ledger,
    );
    expect(await o.ctx.pub.getBalance({ address: to })).toBe(1_250_000_000_000_000_000n);
    expect(() => wallet().debit('ETH', 1)).toThrow('wallet: on-chain balances change only by transactions');
    await expect(
      wallet().execute(
        { op: 'transfer', venue: 'wallet', asset: 'ETH', amount: 1, from: 'wallet', to: 'binance' },
        ledger,
      ),
    ).rejects.toThrow(
      "wallet: transfer to binance: no address (give a 0x address or configure binance's deposit address)",
    );
  });
});

describe.skipIf(!DEVNET)('market-data series from the chain', () => {
  test('the series eth_leveraged reads, sampled from the refreshed views', async () => {
    await o.refresh();
    const aave = o.venues.get('aave_v3') as OnchainAave;
    const etherfi = o.venues.get('etherfi') as OnchainStaking;
    const row = onchainSeriesRow(
      { aave, staking: [etherfi], dex: o.venues.get('uniswap') as OnchainUniswap },
      [
        'oracle.weETH.eth',
        'peg.weETH.market_rate',
        'peg.weETH.protocol_rate',
        'aave.weETH.liquidityIndex',
        'aave.WETH.variableBorrowIndex',
        'oracle.WETH.usd',
        'dex.WETHUSDT.price',
        'cex.binance.ETHUSDT.spot.price',
      ],
    );
    expect(Object.keys(row)).not.toContain('cex.binance.ETHUSDT.spot.price');
    expect(row['oracle.weETH.eth']).toBeCloseTo(etherfi.rate(), 9); // the devnet's Aave oracle = ETH × getRate
    expect(row['peg.weETH.protocol_rate']).toBe(etherfi.rate());
    expect(row['peg.weETH.market_rate']).toBeCloseTo(1.056, 3); // the pool, after this file's swaps
    expect(row['oracle.WETH.usd']).toBe(3000);
    expect(row['dex.WETHUSDT.price']).toBeCloseTo(3000, 6);
    expect(row['aave.WETH.variableBorrowIndex']).toBeGreaterThan(1);
    expect(row['aave.weETH.liquidityIndex']).toBe(1); // nobody borrows weETH: no supply interest
  });
});
