/**
 * Simulated Aave v3 pool: scaled supply and scaled variable debt per reserve against the historical
 * liquidity / variable-borrow indexes (mechanics §1.2), health factor and borrow limits by Aave's formulas
 * (§1.4), e-mode (§1.5) and v3.3 liquidations (§1.6). Gas of every action is paid through the wallet.
 * Series and reserve parameters: ./aave-reserves.ts.
 *
 * Settlement assumes `settle(t)` runs before the instructions of step t (the engine's tick order):
 * instructions at step t mint scaled balances at the indexes of step t.
 */
import { VenueError } from '../../domain/errors.js';
import { positionKey } from '../../domain/types.js';
import type { Instruction, PositionKey } from '../../domain/types.js';
import type { LendingVenueConfig } from '../../config/schema.js';
import type {
  Fill,
  LendingAccountView,
  LendingVenue,
  Ledger,
  SimulatedVenue,
  VenueCheckpoint,
} from '../types.js';
import { AaveReserves } from './aave-reserves.js';
import type { GasModel } from '../gas.js';
import type { MarketCursor } from '../../data/cursor.js';
import type { SimulatedWallet } from './wallet.js';
import { DUST_TOLERANCE } from './wallet.js';

/** Aave v3.3: 50 % close factor only when HF > 0.95 and both reserves are worth at least $2,000. */
const CLOSE_FACTOR_HF_THRESHOLD = 0.95;
const MIN_BASE_MAX_CLOSE_FACTOR_USD = 2000;
/** Liquidations applied per settle at most (a liquidator repeats while HF < 1). */
const MAX_LIQUIDATIONS_PER_STEP = 10;

type LendingOp = 'supply' | 'withdraw' | 'borrow' | 'repay';

interface AaveCheckpoint {
  supply: Float64Array;
  debt: Float64Array;
  emode: boolean;
  lastStep: number;
}

export class SimulatedAave implements LendingVenue, SimulatedVenue {
  readonly kind = 'lending' as const;
  readonly positionKeys: readonly PositionKey[];
  readonly assets: readonly string[];
  private readonly r: AaveReserves;
  private readonly scaledSupply: Float64Array;
  private readonly scaledDebt: Float64Array;
  /** Scratch of `measure` (no allocation per step). */
  private readonly collUsd: Float64Array;
  private readonly debtUsd: Float64Array;
  private mColl = 0;
  private mDebt = 0;
  private mCollLt = 0;
  private mCollLtv = 0;
  private emode = false;
  private lastStep: number;

  constructor(
    readonly name: string,
    private readonly config: LendingVenueConfig,
    private readonly cursor: MarketCursor,
    private readonly wallet: SimulatedWallet,
    /** Gas units of this venue's ops live here; the wallet prices and pays them. */
    readonly gas: GasModel,
    assets: readonly string[],
  ) {
    const n = assets.length;
    this.r = new AaveReserves(name, config, cursor, assets);
    this.assets = this.r.assets;
    this.scaledSupply = new Float64Array(n);
    this.scaledDebt = new Float64Array(n);
    this.collUsd = new Float64Array(n);
    this.debtUsd = new Float64Array(n);
    const keys: PositionKey[] = [];
    for (const a of assets)
      keys.push(positionKey(name, 'aToken', `a${a}`), positionKey(name, 'debtToken', `debt${a}`));
    this.positionKeys = keys;
    this.lastStep = cursor.step;
  }

  // ---- reads -------------------------------------------------------------------------------------------

  supplied(asset: string): number {
    const i = this.r.slot(asset);
    return this.scaledSupply[i] === 0 ? 0 : this.scaledSupply[i] * this.r.liquidityIndex(i, this.cursor.step);
  }

  borrowed(asset: string): number {
    const i = this.r.slot(asset);
    return this.scaledDebt[i] === 0 ? 0 : this.scaledDebt[i] * this.r.borrowIndex(i, this.cursor.step);
  }

  /** Scaled balances (units of the index numeraire), for tests and reports. */
  scaledSupplyOf(asset: string): number {
    return this.scaledSupply[this.r.slot(asset)];
  }

  scaledDebtOf(asset: string): number {
    return this.scaledDebt[this.r.slot(asset)];
  }

  get emodeEnabled(): boolean {
    return this.emode;
  }

  account(): LendingAccountView {
    this.measure(this.cursor.step, -1, 0, 0);
    const coll = this.mColl;
    const debt = this.mDebt;
    return {
      collateralUsd: coll,
      debtUsd: debt,
      ltv: coll > 0 ? debt / coll : 0,
      healthFactor: debt > 0 ? this.mCollLt / debt : Infinity,
      availableBorrowsUsd: Math.max(0, this.mCollLtv - debt),
      liquidationThreshold: coll > 0 ? this.mCollLt / coll : 0,
    };
  }

  /**
   * Factor f by which the oracle prices of `assets` must all be multiplied (other prices unchanged) for the
   * health factor to reach 1: with A/B = Σ collateral × LT / Σ debt (USD) of those reserves and a/b of the
   * others, HF(f) = (A f + a) / (B f + b) = 1 gives f = (b − a) / (A − B). Infinity when no positive f exists
   * (no debt, or those prices moving together cannot liquidate: an e-mode loop under an ETH move).
   */
  liquidationPriceFactor(assets: readonly string[]): number {
    this.measure(this.cursor.step, -1, 0, 0);
    if (!(this.mDebt > 0)) return Infinity;
    const em = this.emode ? this.config.emode : undefined;
    let inLt = 0;
    let inDebt = 0;
    let outLt = 0;
    let outDebt = 0;
    for (let i = 0; i < this.assets.length; i++) {
      const lt = em !== undefined && this.r.inEmode[i] === 1 ? em.liquidation_threshold : this.r.lt[i];
      if (assets.includes(this.assets[i])) {
        inLt += this.collUsd[i] * lt;
        inDebt += this.debtUsd[i];
      } else {
        outLt += this.collUsd[i] * lt;
        outDebt += this.debtUsd[i];
      }
    }
    const f = (outDebt - outLt) / (inLt - inDebt);
    return Number.isFinite(f) && f > 0 ? f : Infinity;
  }

  readPositions(out: Float64Array, offset: number): void {
    const step = this.cursor.step;
    for (let i = 0; i < this.assets.length; i++) {
      const s = this.scaledSupply[i];
      const d = this.scaledDebt[i];
      out[offset + 2 * i] = s === 0 ? 0 : s * this.r.liquidityIndex(i, step);
      out[offset + 2 * i + 1] = d === 0 ? 0 : d * this.r.borrowIndex(i, step);
    }
  }

  /** Aave holds no free tokens: transfers go through the wallet. */
  balanceOf(): number {
    return 0;
  }

  credit(asset: string): void {
    throw new VenueError(this.name, `cannot hold ${asset}: supply it through the wallet instead`);
  }

  debit(asset: string): void {
    throw new VenueError(this.name, `cannot send ${asset}: withdraw it to the wallet instead`);
  }

  // ---- actions -----------------------------------------------------------------------------------------

  async execute(instruction: Instruction, ledger: Ledger): Promise<Fill> {
    const op = instruction.op;
    if (op !== 'supply' && op !== 'withdraw' && op !== 'borrow' && op !== 'repay') {
      throw new VenueError(this.name, `lending venue does not execute '${op}' instructions`);
    }
    const { asset } = instruction;
    let amount = instruction.amount;
    if (!(amount > 0) || !Number.isFinite(amount))
      throw new VenueError(this.name, `${op} amount must be > 0, got ${amount}`);
    const i = this.r.slot(asset);
    const step = this.cursor.step;
    // 1. validate (no state change)
    let full = false;
    let walletAsset: string;
    if (op === 'supply' || op === 'repay') {
      if (op === 'repay') {
        const debt = this.scaledDebt[i] === 0 ? 0 : this.scaledDebt[i] * this.r.borrowIndex(i, step);
        [amount, full] = this.capToBalance(amount, debt, `repay ${amount} ${asset} exceeds debt ${debt}`);
      } else this.r.liquidityIndex(i, step);
      walletAsset = this.walletSideAsset(asset, amount, true);
    } else {
      if (op === 'withdraw') {
        const sup = this.scaledSupply[i] === 0 ? 0 : this.scaledSupply[i] * this.r.liquidityIndex(i, step);
        [amount, full] = this.capToBalance(
          amount,
          sup,
          `withdraw ${amount} ${asset} exceeds supplied ${sup}`,
        );
        this.measure(step, i, -amount, 0);
        if (this.mDebt > 0 && (this.mCollLt < this.mDebt || this.mDebt > this.mCollLtv)) {
          throw new VenueError(
            this.name,
            `withdraw ${amount} ${asset} refused: health factor would be ${this.mCollLt / this.mDebt}, ` +
              `debt ${this.mDebt} USD vs borrow limit ${this.mCollLtv} USD`,
          );
        }
      } else this.validateBorrow(i, amount, step);
      walletAsset = this.walletSideAsset(asset, amount, false);
    }
    const gas = this.wallet.gasQuote(op, this.name);
    const incoming = op === 'withdraw' || op === 'borrow';
    let gasEth: number;
    if (incoming && gas.asset === walletAsset) {
      // 2. the proceeds may pay the gas: check, 3. apply, then charge
      if (this.wallet.balanceOf(walletAsset) + amount < gas.cost) {
        throw new VenueError(
          this.name,
          `${op} ${amount} ${asset} does not cover its gas of ${gas.cost} ${gas.asset}`,
        );
      }
      this.apply(op, i, amount, full, walletAsset, step);
      gasEth = this.wallet.chargeGas(op, ledger, this.name);
    } else {
      this.wallet.assertCanPay(walletAsset, op === 'supply' || op === 'repay' ? amount : 0, gas);
      // 2. gas, 3. apply
      gasEth = this.wallet.chargeGas(op, ledger, this.name);
      this.apply(op, i, amount, full, walletAsset, step);
    }
    return { venue: this.name, op, amount, price: NaN, fee: 0, feeAsset: asset, gasEth };
  }

  /**
   * Enables or disables e-mode. Enabling fails when a debt asset is outside the category; either way the
   * health factor must stay ≥ 1. Gas (op `set_emode`) is charged when a ledger is given (without one — setup
   * before a run — no gas is charged).
   */
  setEmode(enabled: boolean, ledger?: Ledger): void {
    if (enabled === this.emode) return;
    const cat = this.config.emode;
    if (enabled && !cat) throw new VenueError(this.name, 'no e-mode category is configured');
    if (enabled) {
      for (let i = 0; i < this.assets.length; i++) {
        if (this.scaledDebt[i] !== 0 && !this.r.inEmode[i])
          throw new VenueError(
            this.name,
            `cannot enter e-mode ${cat?.label}: debt in ${this.assets[i]} is outside the category`,
          );
      }
    }
    this.emode = enabled;
    this.measure(this.cursor.step, -1, 0, 0);
    this.emode = !enabled;
    if (this.mDebt > 0 && this.mCollLt < this.mDebt) {
      throw new VenueError(
        this.name,
        `e-mode ${enabled ? 'on' : 'off'} refused: health factor would be ${this.mCollLt / this.mDebt}`,
      );
    }
    if (ledger) this.wallet.chargeGas('set_emode', ledger, this.name);
    this.emode = enabled;
  }

  // ---- clock -------------------------------------------------------------------------------------------

  settle(step: number, ledger: Ledger): void {
    const prev = this.lastStep;
    if (step > prev) {
      for (let i = 0; i < this.assets.length; i++) {
        const s = this.scaledSupply[i];
        if (s !== 0) {
          const interest = s * (this.r.liquidityIndex(i, step) - this.r.liquidityIndex(i, prev));
          if (interest !== 0) ledger.book('supply_yield', this.assets[i], interest, this.name);
        }
        const d = this.scaledDebt[i];
        if (d !== 0) {
          const cost = d * (this.r.borrowIndex(i, step) - this.r.borrowIndex(i, prev));
          if (cost !== 0) ledger.book('borrow_cost', this.assets[i], -cost, this.name);
        }
      }
      this.lastStep = step;
    }
    for (let k = 0; k < MAX_LIQUIDATIONS_PER_STEP; k++) {
      this.measure(step, -1, 0, 0);
      if (!(this.mDebt > 0 && this.mColl > 0 && this.mCollLt < this.mDebt)) break;
      this.liquidate(step, ledger);
    }
  }

  checkpoint(): VenueCheckpoint {
    return {
      supply: this.scaledSupply.slice(),
      debt: this.scaledDebt.slice(),
      emode: this.emode,
      lastStep: this.lastStep,
    } satisfies AaveCheckpoint;
  }

  restore(checkpoint: VenueCheckpoint): void {
    const c = checkpoint as AaveCheckpoint;
    this.scaledSupply.set(c.supply);
    this.scaledDebt.set(c.debt);
    this.emode = c.emode;
    this.lastStep = c.lastStep;
  }

  // ---- internals ---------------------------------------------------------------------------------------

  private apply(
    op: LendingOp,
    i: number,
    amount: number,
    full: boolean,
    walletAsset: string,
    step: number,
  ): void {
    switch (op) {
      case 'supply':
        this.wallet.debit(walletAsset, amount);
        this.scaledSupply[i] += amount / this.r.liquidityIndex(i, step);
        break;
      case 'withdraw':
        this.scaledSupply[i] = full ? 0 : this.scaledSupply[i] - amount / this.r.liquidityIndex(i, step);
        this.wallet.credit(walletAsset, amount);
        break;
      case 'borrow':
        this.scaledDebt[i] += amount / this.r.borrowIndex(i, step);
        this.wallet.credit(walletAsset, amount);
        break;
      case 'repay':
        this.wallet.debit(walletAsset, amount);
        this.scaledDebt[i] = full ? 0 : this.scaledDebt[i] - amount / this.r.borrowIndex(i, step);
        break;
    }
  }

  private validateBorrow(i: number, amount: number, step: number): void {
    const asset = this.assets[i];
    if (this.emode && !this.r.inEmode[i]) {
      throw new VenueError(
        this.name,
        `cannot borrow ${asset} in e-mode ${this.config.emode?.label}: outside the category`,
      );
    }
    this.r.borrowIndex(i, step);
    this.measure(step, -1, 0, 0);
    const available = Math.max(0, this.mCollLtv - this.mDebt);
    const want = amount * this.r.price(i, step);
    if (want > available) {
      throw new VenueError(
        this.name,
        `borrow ${amount} ${asset} (${want} USD) exceeds available borrows ${available} USD`,
      );
    }
  }

  /**
   * One Aave v3.3 liquidation call: the largest debt reserve against the largest collateral reserve.
   * Close factor 100 % when HF ≤ 0.95 or either reserve is below $2,000, else 50 % of that debt;
   * collateral seized = debt covered × debt price / collateral price × (1 + bonus), capped at the collateral.
   * The borrower loses the bonus part, booked as 'liquidation' in collateral units. (The protocol fee comes
   * out of the liquidator's bonus, so it does not change the borrower's loss; the $1,000 leftover rule is
   * not modelled.)
   */
  private liquidate(step: number, ledger: Ledger): void {
    const hfBefore = this.mCollLt / this.mDebt;
    let c = -1;
    let j = -1;
    for (let i = 0; i < this.assets.length; i++) {
      if (this.collUsd[i] > 0 && (c < 0 || this.collUsd[i] > this.collUsd[c])) c = i;
      if (this.debtUsd[i] > 0 && (j < 0 || this.debtUsd[i] > this.debtUsd[j])) j = i;
    }
    const pc = this.r.price(c, step);
    const pd = this.r.price(j, step);
    const ic = this.r.liquidityIndex(c, step);
    const bd = this.r.borrowIndex(j, step);
    const coll = this.scaledSupply[c] * ic;
    const debt = this.scaledDebt[j] * bd;
    const full =
      hfBefore <= CLOSE_FACTOR_HF_THRESHOLD ||
      this.collUsd[c] < MIN_BASE_MAX_CLOSE_FACTOR_USD ||
      this.debtUsd[j] < MIN_BASE_MAX_CLOSE_FACTOR_USD;
    const bonus =
      this.emode && this.r.inEmode[c] ? (this.config.emode?.liquidation_bonus ?? 0) : this.r.bonus[c];
    let covered = full ? debt : 0.5 * debt;
    let seized = ((covered * pd) / pc) * (1 + bonus);
    if (seized >= coll) {
      seized = coll;
      covered = (seized * pc) / (pd * (1 + bonus));
    }
    this.scaledSupply[c] = seized === coll ? 0 : this.scaledSupply[c] - seized / ic;
    this.scaledDebt[j] = covered === debt ? 0 : this.scaledDebt[j] - covered / bd;
    const loss = seized - (covered * pd) / pc;
    ledger.book('liquidation', this.assets[c], -loss, this.name, 'liquidation bonus');
    this.measure(step, -1, 0, 0);
    ledger.event('liquidation', {
      venue: this.name,
      collateralAsset: this.assets[c],
      debtAsset: this.assets[j],
      debtCovered: covered,
      collateralSeized: seized,
      bonus,
      closeFactor: full ? 1 : 0.5,
      loss,
      lossUsd: loss * pc,
      healthFactorBefore: hfBefore,
      healthFactorAfter: this.mDebt > 0 ? this.mCollLt / this.mDebt : Infinity,
    });
  }

  /**
   * Collateral, debt, Σ coll×LT and Σ coll×LTV in USD at `step`, with `dSupply` / `dDebt` underlying units
   * added to reserve `di` (hypothetical checks). Writes the scratch fields; allocates nothing.
   */
  private measure(step: number, di: number, dSupply: number, dDebt: number): void {
    let coll = 0;
    let debt = 0;
    let collLt = 0;
    let collLtv = 0;
    const em = this.emode ? this.config.emode : undefined;
    for (let i = 0; i < this.assets.length; i++) {
      let s = this.scaledSupply[i] === 0 ? 0 : this.scaledSupply[i] * this.r.liquidityIndex(i, step);
      let d = this.scaledDebt[i] === 0 ? 0 : this.scaledDebt[i] * this.r.borrowIndex(i, step);
      if (i === di) {
        s += dSupply;
        d += dDebt;
      }
      const p = s !== 0 || d !== 0 ? this.r.price(i, step) : 0;
      const cu = s * p;
      this.collUsd[i] = cu;
      this.debtUsd[i] = d * p;
      coll += cu;
      debt += d * p;
      const inCat = em !== undefined && this.r.inEmode[i] === 1;
      collLt += cu * (inCat ? em.liquidation_threshold : this.r.lt[i]);
      collLtv += cu * (inCat ? em.ltv : this.r.ltv[i]);
    }
    this.mColl = coll;
    this.mDebt = debt;
    this.mCollLt = collLt;
    this.mCollLtv = collLtv;
  }

  /** Wallet token for the wallet end of an op: WETH and ETH are interchangeable (the WETH gateway wraps). */
  private walletSideAsset(asset: string, amount: number, debit: boolean): string {
    const w = this.wallet;
    if (asset !== 'WETH' || !w.holds('ETH')) return asset;
    if (!w.holds('WETH')) return 'ETH';
    return debit && !w.canDebit('WETH', amount) ? 'ETH' : 'WETH';
  }

  private capToBalance(amount: number, balance: number, message: string): [number, boolean] {
    if (amount < balance) return [amount, false];
    if (amount - balance <= DUST_TOLERANCE * amount) return [balance, true];
    throw new VenueError(this.name, message);
  }
}
