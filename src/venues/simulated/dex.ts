/**
 * Simulated AMM (Uniswap V3 router): swaps between the wallet's tokens at the recorded pool prices minus
 * the pool fee tier.
 *
 * Prices in WETH per token: LSTs from `peg.{LST}.market_rate` (ETH per LST on the DEX), other tokens from
 * `dex.{TOKEN}WETH.price`, USDT from 1 / `dex.WETHUSDT.price`; ETH and WETH are 1 (the router wraps and
 * unwraps). A swap between two tokens other than ETH/WETH routes through WETH and pays both fee tiers.
 * Fee tier: `params.lst_fee_tier_bps` for LST pairs (default `fee_tier_bps`), else `params.fee_tier_bps`.
 * Price impact is not modelled (the dataset has no pool depth): a swap fills at the recorded price minus
 * the fee, so the instruction's `maxSlippage` is met by construction.
 *
 * Attribution: the swap changes equity by (received − the reference value of what was paid, in `to`
 * units); the fee part is booked as `trading_fees`, the rest (execution price versus the reference price,
 * e.g. the LST market rate versus its oracle rate) as `price`. Reference prices (USDT) come from the run's
 * valuation (`reference`). Gas: `gas_units.swap`, payable from the proceeds when they are the gas asset.
 */
import { VenueError } from '../../domain/errors.js';
import type { Instruction, PositionKey } from '../../domain/types.js';
import type { DexVenue, Fill, Ledger, SimulatedVenue, VenueCheckpoint } from '../types.js';
import type { MarketCursor } from '../../data/cursor.js';
import { assertCanPay, chargeGas, isEthLike, splitEth, type GasOp } from './onchain.js';
import type { DexVenueConfig } from '../../config/schema.js';
import { SwapVenueBase } from './swap-venue.js';
import type { SimulatedWallet } from './wallet.js';

export const LST_SYMBOLS: readonly string[] = ['weETH', 'wstETH'];

interface TokenPrice {
  /** WETH per token = a[step] (or 1 / a[step] when `invert`). */
  series: Float64Array;
  id: string;
  invert: boolean;
  fee: number;
}

export class SimulatedDex extends SwapVenueBase implements DexVenue, SimulatedVenue {
  readonly kind = 'dex' as const;
  readonly positionKeys: readonly PositionKey[] = [];
  private readonly fee: number;
  private readonly lstFee: number;
  private readonly prices = new Map<string, TokenPrice | null>();
  private readonly swapOps: GasOp[];

  constructor(
    readonly name: string,
    config: DexVenueConfig,
    private readonly cursor: MarketCursor,
    private readonly wallet: SimulatedWallet,
    /** Valuation price of one unit of an asset in USDT now. */
    private readonly reference: (asset: string) => number,
  ) {
    super();
    this.fee = config.params.fee_tier_bps / 10_000;
    this.lstFee = (config.params.lst_fee_tier_bps ?? config.params.fee_tier_bps) / 10_000;
    this.swapOps = [{ venue: name, op: 'swap' }];
  }

  quote(from: string, to: string, amountIn: number): number {
    const a = this.price(from);
    const b = this.price(to);
    if (a === null || b === null) return NaN;
    const step = this.cursor.step;
    const pa = a.series === ONE ? 1 : a.series[step];
    const pb = b.series === ONE ? 1 : b.series[step];
    if (!(pa > 0) || !(pb > 0)) return NaN;
    const wa = a.invert ? 1 / pa : pa;
    const wb = b.invert ? 1 / pb : pb;
    return ((amountIn * wa) / wb) * (1 - a.fee) * (1 - b.fee);
  }

  async execute(instruction: Instruction, ledger: Ledger): Promise<Fill> {
    if (instruction.op !== 'swap')
      throw new VenueError(this.name, `dex does not execute '${instruction.op}' instructions`);
    const { from, to, amount } = instruction;
    if (!(amount > 0) || !Number.isFinite(amount))
      throw new VenueError(this.name, `swap amount must be > 0, was ${amount}`);
    if (from === to || (isEthLike(from) && isEthLike(to)))
      throw new VenueError(
        this.name,
        `swap ${from} -> ${to} is not a trade (wrap ETH in the wallet instead)`,
      );
    for (const asset of [from, to]) {
      if (this.price(asset) === null)
        throw new VenueError(this.name, `no pool price for ${asset} (no dex/peg series loaded for it)`);
      if (!this.wallet.holds(asset) && !isEthLike(asset))
        throw new VenueError(this.name, `the wallet holds no ${asset}`);
    }
    const a = this.price(from)!;
    const b = this.price(to)!;
    const step = this.cursor.step;
    const pa = this.at(a, step);
    const pb = this.at(b, step);
    const gross = (amount * pa) / pb;
    const out = gross * (1 - a.fee) * (1 - b.fee);
    // ETH-like input: the router takes ETH and WETH alike (named form first)
    const split = isEthLike(from) ? splitEth(this.name, this.wallet, from as 'ETH' | 'WETH', amount) : null;
    const target = isEthLike(to) && !this.wallet.holds(to) ? (to === 'ETH' ? 'WETH' : 'ETH') : to;
    const gasAsset = this.wallet.gasAsset;
    const incoming = target === gasAsset ? out : 0;
    if (split) {
      const fromGasAsset = gasAsset === 'ETH' ? split.ETH : 0;
      assertCanPay(this.name, this.wallet, gasAsset, fromGasAsset, this.swapOps, incoming);
    } else assertCanPay(this.name, this.wallet, from, amount, this.swapOps, incoming);
    if (split) {
      if (split.ETH > 0) this.wallet.debit('ETH', split.ETH);
      if (split.WETH > 0) this.wallet.debit('WETH', split.WETH);
    } else this.wallet.debit(from, amount);
    this.wallet.credit(target, out);
    const gasEth = chargeGas(this.wallet, ledger, this.swapOps);
    // Value change in `to` units: fee part and execution-versus-reference part
    const refValue = (amount * this.reference(from)) / this.reference(to);
    ledger.book('trading_fees', to, out - gross, this.name, `${from}->${to} fee`);
    if (gross !== refValue)
      ledger.book('price', to, gross - refValue, this.name, `${from}->${to} execution vs reference`);
    const price = out / amount;
    return { venue: this.name, op: 'swap', amount, price, fee: gross - out, feeAsset: to, gasEth };
  }

  settle(): void {
    // Pool prices come from the series; nothing accrues.
  }

  checkpoint(): VenueCheckpoint {
    return null;
  }

  restore(): void {
    // Stateless.
  }

  /** WETH per unit of `asset` and its fee tier; null when no series prices it. */
  private price(asset: string): TokenPrice | null {
    if (this.prices.has(asset)) return this.prices.get(asset)!;
    let p: TokenPrice | null = null;
    const has = (id: string) => this.cursor.hasSeries(id);
    if (isEthLike(asset)) p = { series: ONE, id: 'ETH', invert: false, fee: 0 };
    else if (LST_SYMBOLS.includes(asset) && has(`peg.${asset}.market_rate`)) {
      const id = `peg.${asset}.market_rate`;
      p = { series: this.cursor.series(id), id, invert: false, fee: this.lstFee };
    } else if (asset === 'USDT' && has('dex.WETHUSDT.price')) {
      p = {
        series: this.cursor.series('dex.WETHUSDT.price'),
        id: 'dex.WETHUSDT.price',
        invert: true,
        fee: this.fee,
      };
    } else if (has(`dex.${asset}WETH.price`)) {
      const id = `dex.${asset}WETH.price`;
      p = { series: this.cursor.series(id), id, invert: false, fee: this.fee };
    }
    this.prices.set(asset, p);
    return p;
  }

  private at(p: TokenPrice, step: number): number {
    if (p.series === ONE) return 1;
    const v = p.series[step];
    if (!(v > 0)) {
      const at = new Date(this.cursor.data.timestampsMs[step]).toISOString();
      throw new VenueError(this.name, `pool price ${p.id} has no value at ${at}`);
    }
    return p.invert ? 1 / v : v;
  }
}

const ONE = new Float64Array(0);
