/**
 * Simulated flash lender: Morpho Blue (no fee, mechanics §2.1) or the Instadapp aggregator (5 bps for
 * accounts that are not whitelisted, §2.3); the premium is `params.fee_bps`.
 *
 * - `flash_borrow` is accepted only inside an atomic group: it credits the wallet and records what is owed,
 *   principal × (1 + fee). The premium is booked as `trading_fees` at once; the amount owed is reported as
 *   `{venue}:debtToken:debt{ASSET}` while the group runs, so equity stays exact at every point.
 * - `flash_repay` debits the wallet (ETH or WETH: the executor wraps at the wallet's `wrap` gas when the
 *   wallet holds the other form) and reduces what is owed; repaying more than owed is refused.
 * - At the end of the group (`endAtomic`) anything still owed fails the group: the execution manager then
 *   restores every venue and the ledger, so an unrepaid flash loan leaves no trace but the reported failure.
 * - Gas: `gas_units.flash_borrow` once per loan; inner operations pay their own gas.
 */
import { VenueError } from '../../domain/errors.js';
import { positionKey } from '../../domain/types.js';
import type { Instruction, PositionKey } from '../../domain/types.js';
import type { FlashLoanVenue, Fill, Ledger, SimulatedVenue, VenueCheckpoint } from '../types.js';
import { assertCanPay, chargeGas, splitEth, type GasOp } from './onchain.js';
import type { FlashLoanVenueConfig } from '../../config/schema.js';
import type { SimulatedWallet } from './wallet.js';

/** Owed amounts below this (token units) count as repaid. */
const REPAID_DUST = 1e-9;

interface FlashCheckpoint {
  owed: Float64Array;
  inGroup: boolean;
}

export class SimulatedFlashLoan implements FlashLoanVenue, SimulatedVenue {
  readonly kind = 'flash_loan' as const;
  readonly positionKeys: readonly PositionKey[];
  readonly feeRate: number;
  private readonly assets: readonly string[];
  private readonly owedAmounts: Float64Array;
  private inGroup = false;

  constructor(
    readonly name: string,
    config: FlashLoanVenueConfig,
    private readonly wallet: SimulatedWallet,
    /** Tokens lent (default WETH). */
    assets: readonly string[] = ['WETH'],
  ) {
    this.feeRate = config.params.fee_bps / 10_000;
    this.assets = [...assets];
    this.owedAmounts = new Float64Array(assets.length);
    this.positionKeys = assets.map((a) => positionKey(name, 'debtToken', `debt${a}`));
  }

  owed(asset: string): number {
    const i = this.assets.indexOf(asset);
    return i < 0 ? 0 : this.owedAmounts[i];
  }

  readPositions(out: Float64Array, offset: number): void {
    for (let i = 0; i < this.owedAmounts.length; i++) out[offset + i] = this.owedAmounts[i];
  }

  balanceOf(): number {
    return 0;
  }

  credit(asset: string): void {
    throw new VenueError(this.name, `cannot hold ${asset}: repay with flash_repay`);
  }

  debit(asset: string): void {
    throw new VenueError(this.name, `cannot send ${asset}: borrow with flash_borrow`);
  }

  beginAtomic(): void {
    this.inGroup = true;
  }

  endAtomic(): void {
    this.inGroup = false;
    for (let i = 0; i < this.assets.length; i++) {
      if (this.owedAmounts[i] > REPAID_DUST) {
        throw new VenueError(
          this.name,
          `flash loan not repaid within the atomic group: ${this.owedAmounts[i]} ${this.assets[i]} still owed`,
        );
      }
      this.owedAmounts[i] = 0;
    }
  }

  async execute(instruction: Instruction, ledger: Ledger): Promise<Fill> {
    if (instruction.op !== 'flash_borrow' && instruction.op !== 'flash_repay')
      throw new VenueError(this.name, `flash-loan venue does not execute '${instruction.op}' instructions`);
    const { op, asset, amount } = instruction;
    const i = this.assets.indexOf(asset);
    if (i < 0) throw new VenueError(this.name, `lends ${this.assets.join(', ')}, not ${asset}`);
    if (!(amount > 0) || !Number.isFinite(amount))
      throw new VenueError(this.name, `${op} amount must be > 0, was ${amount}`);
    if (!this.inGroup)
      throw new VenueError(
        this.name,
        `${op} outside an atomic group: a flash loan must be repaid in the same group`,
      );
    if (op === 'flash_borrow') {
      const ops: GasOp[] = [{ venue: this.name, op: 'flash_borrow' }];
      assertCanPay(this.name, this.wallet, null, 0, ops);
      const gasEth = chargeGas(this.wallet, ledger, ops);
      const premium = amount * this.feeRate;
      this.wallet.credit(asset, amount);
      this.owedAmounts[i] += amount + premium;
      if (premium > 0) ledger.book('trading_fees', asset, -premium, this.name, 'flash-loan premium');
      return { venue: this.name, op, amount, price: NaN, fee: premium, feeAsset: asset, gasEth };
    }
    const owed = this.owedAmounts[i];
    let pay = amount;
    if (pay > owed) {
      if (pay - owed > REPAID_DUST + 1e-12 * pay)
        throw new VenueError(this.name, `flash_repay of ${amount} ${asset} exceeds the ${owed} owed`);
      pay = owed;
    }
    // WETH first, the rest as ETH wrapped by the executor
    const split = asset === 'WETH' ? splitEth(this.name, this.wallet, 'WETH', pay) : null;
    const ops: GasOp[] = split && split.ETH > 0 ? [{ venue: this.wallet.name, op: 'wrap' }] : [];
    const gasAsset = this.wallet.gasAsset;
    if (split) assertCanPay(this.name, this.wallet, gasAsset, gasAsset === 'ETH' ? split.ETH : 0, ops);
    else assertCanPay(this.name, this.wallet, asset, pay, ops);
    const gasEth = chargeGas(this.wallet, ledger, ops);
    if (split) {
      if (split.WETH > 0) this.wallet.debit('WETH', split.WETH);
      if (split.ETH > 0) this.wallet.debit('ETH', split.ETH);
    } else this.wallet.debit(asset, pay);
    this.owedAmounts[i] = owed - pay;
    return { venue: this.name, op, amount: pay, price: NaN, fee: 0, feeAsset: asset, gasEth };
  }

  settle(): void {
    // Nothing accrues: a flash loan never outlives its group.
  }

  checkpoint(): VenueCheckpoint {
    return { owed: this.owedAmounts.slice(), inGroup: this.inGroup } satisfies FlashCheckpoint;
  }

  restore(checkpoint: VenueCheckpoint): void {
    const c = checkpoint as FlashCheckpoint;
    this.owedAmounts.set(c.owed);
    this.inGroup = c.inGroup;
  }
}
