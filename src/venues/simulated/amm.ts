/**
 * Simulated AMM pool of one pair (WETH/USDT) whose fills follow a liquidity model given by the strategy
 * family (`AmmCurve`, e.g. the V3 band of src/defi/band.ts) at the pool's recorded price
 * (`dex.{BASE}{QUOTE}.price` at the step): swaps between the wallet's base and quote tokens with price
 * impact, unlike ./dex.ts which fills at the recorded price minus the fee. The pool holds nothing between
 * swaps; every swap is against the recorded state of its hour.
 *
 * Attribution: the swap changes equity by (received − the reference value of what was paid, in `to`
 * units); the fee (fee rate × input, valued at the recorded price) is booked as `trading_fees`, the rest
 * (price impact and the pool's price versus the reference price) as `price`. Gas: `gas_units.swap`.
 * `maxSlippage` bounds the fill against the recorded price net of the fee; a worse fill is refused.
 */
import { VenueError } from '../../domain/errors.js';
import type { Instruction, PositionKey } from '../../domain/types.js';
import type { MarketCursor } from '../../data/cursor.js';
import type { DexVenueConfig } from '../../config/schema.js';
import type { AmmCurve, DexVenue, Fill, Ledger, SimulatedVenue, VenueCheckpoint } from '../types.js';
import { assertCanPay, chargeGas, type GasOp } from './onchain.js';
import { SwapVenueBase } from './swap-venue.js';
import type { SimulatedWallet } from './wallet.js';

export class SimulatedAmm extends SwapVenueBase implements DexVenue, SimulatedVenue {
  readonly kind = 'dex' as const;
  readonly positionKeys: readonly PositionKey[] = [];
  private readonly swapOps: GasOp[];
  private readonly priceId: string;
  private readonly maxSlippage: number;

  constructor(
    readonly name: string,
    config: DexVenueConfig,
    private readonly cursor: MarketCursor,
    private readonly wallet: SimulatedWallet,
    private readonly curve: AmmCurve,
    /** Valuation price of one unit of an asset in USDT now. */
    private readonly reference: (asset: string) => number,
  ) {
    super();
    this.swapOps = [{ venue: name, op: 'swap' }];
    this.priceId = `dex.${curve.base}${curve.quote}.price`;
    this.maxSlippage = (config.params.max_slippage_bps ?? Infinity) / 10_000;
    if (Math.abs(config.params.fee_tier_bps / 10_000 - curve.feeRate) > 1e-12)
      throw new VenueError(
        name,
        `the liquidity model's fee ${curve.feeRate} differs from fee_tier_bps ${config.params.fee_tier_bps}`,
      );
  }

  /** The pool's recorded price (quote per base) now; NaN when the series has no value. */
  poolPrice(): number {
    if (!this.cursor.hasSeries(this.priceId)) return NaN;
    const v = this.cursor.series(this.priceId)[this.cursor.step];
    return v > 0 ? v : NaN;
  }

  quote(from: string, to: string, amountIn: number): number {
    const p = this.poolPrice();
    if (!(p > 0) || !(amountIn > 0)) return NaN;
    const { base, quote } = this.curve;
    if (from === quote && to === base) return this.curve.buy(p, amountIn);
    if (from === base && to === quote) return this.curve.sell(p, amountIn);
    return NaN;
  }

  async execute(instruction: Instruction, ledger: Ledger): Promise<Fill> {
    if (instruction.op !== 'swap')
      throw new VenueError(this.name, `amm does not execute '${instruction.op}' instructions`);
    const { from, to, amount } = instruction;
    const { base, quote } = this.curve;
    if (!((from === base && to === quote) || (from === quote && to === base)))
      throw new VenueError(this.name, `the pool trades ${base}/${quote} only, not ${from} -> ${to}`);
    if (!(amount > 0) || !Number.isFinite(amount))
      throw new VenueError(this.name, `swap amount must be > 0, was ${amount}`);
    const p = this.poolPrice();
    if (!(p > 0)) {
      const at = new Date(this.cursor.data.timestampsMs[this.cursor.step]).toISOString();
      throw new VenueError(this.name, `pool price ${this.priceId} has no value at ${at}`);
    }
    const out = from === quote ? this.curve.buy(p, amount) : this.curve.sell(p, amount);
    // recorded price net of the fee, in `to` per `from`
    const ideal = (from === quote ? 1 / p : p) * (1 - this.curve.feeRate);
    const slippage = 1 - out / (amount * ideal);
    const bound = Math.min(instruction.maxSlippage, this.maxSlippage);
    if (!(out > 0) || slippage > bound)
      throw new VenueError(
        this.name,
        `swap ${amount} ${from} -> ${to} fills ${out} (slippage ${(slippage * 1e4).toFixed(2)} bps) beyond the bound ${(bound * 1e4).toFixed(2)} bps`,
      );
    const gasAsset = this.wallet.gasAsset;
    assertCanPay(this.name, this.wallet, from, amount, this.swapOps, to === gasAsset ? out : 0);
    this.wallet.debit(from, amount);
    this.wallet.credit(to, out);
    const gasEth = chargeGas(this.wallet, ledger, this.swapOps);
    const refValue = (amount * this.reference(from)) / this.reference(to);
    const fee = amount * this.curve.feeRate * (from === quote ? 1 / p : p);
    ledger.book('trading_fees', to, -fee, this.name, `${from}->${to} pool fee`);
    ledger.book(
      'price',
      to,
      out + fee - refValue,
      this.name,
      `${from}->${to} price impact and pool vs reference`,
    );
    return { venue: this.name, op: 'swap', amount, price: out / amount, fee, feeAsset: to, gasEth };
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
}
