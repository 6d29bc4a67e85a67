/**
 * Venue interfaces. One interface per venue kind; simulated (backtest + paper), CEX (ccxt) and on-chain
 * (viem) implementations expose the same reads and actions. Nothing outside src/venues knows which one
 * it talks to.
 *
 * Reads are synchronous views of the venue's last known state (a live client refreshes that view with
 * `refresh()` before each tick); actions are asynchronous.
 */
import type { Instruction, PnlSource, PositionKey } from '../domain/types.js';

export type VenueKind = 'cex' | 'lending' | 'wallet' | 'staking' | 'flash_loan' | 'dex';

/**
 * Collects the cash flows a venue books during settlement or execution, tagged with their PnL source,
 * in token units of `asset`. The PnL calculator values them in the share class at the current step.
 */
export interface Ledger {
  book(source: PnlSource, asset: string, amount: number, venue: string, detail?: string): void;
  /** Appends an event to the run's event log (fills, funding payments, interest, liquidations, alerts). */
  event(type: string, data: Record<string, unknown>): void;
}

/** Result of one executed instruction. */
export interface Fill {
  venue: string;
  op: Instruction['op'];
  /** Amount actually executed, in the instruction's units. */
  amount: number;
  /** Execution price where it applies (quote per base), else NaN. */
  price: number;
  /** Fee charged, in `feeAsset` units. */
  fee: number;
  feeAsset: string;
  /** Gas charged in ETH (on-chain operations), else 0. */
  gasEth: number;
}

/** Opaque state copy used to roll back atomic groups. */
export type VenueCheckpoint = unknown;

export interface Venue {
  readonly name: string;
  readonly kind: VenueKind;
  /** Position keys this venue reports, fixed for the life of the venue. */
  readonly positionKeys: readonly PositionKey[];
  /**
   * Writes the current amount of each of `positionKeys` into `out[offset + i]`: token units; debt as a
   * positive amount under its debtToken key; perps as signed size in base units (short < 0).
   */
  readPositions(out: Float64Array, offset: number): void;
  /** Executes one instruction now. Throws VenueError when the venue refuses it; state is then unchanged. */
  execute(instruction: Instruction, ledger: Ledger): Promise<Fill>;
  /**
   * The venue retries its own retryable failures under one client order id (src/execution/resilient.ts):
   * a VenueError out of `execute` is final and the execution manager does not call it again. Venues
   * without it are retried by the manager with the mode's policy (the on-chain sender resolves such a
   * retry to the transaction it already sent: one nonce per request).
   */
  readonly ownsRetries?: boolean;
  /** Credits or debits a token balance held at this venue (the two ends of a transfer). */
  credit(asset: string, amount: number): void;
  debit(asset: string, amount: number): void;
  /** Balance of a token held at this venue, token units. */
  balanceOf(asset: string): number;
  checkpoint(): VenueCheckpoint;
  restore(checkpoint: VenueCheckpoint): void;
  /** Live clients: refresh the state view from the venue. Simulated venues: no-op. */
  refresh?(): Promise<void>;
  /** An atomic group that routes to this venue starts (after its checkpoint). Optional. */
  beginAtomic?(): void;
  /**
   * The group's instructions all ran: throws VenueError when the venue is left in a state that must not
   * outlive the group (an unrepaid flash loan), which reverts the whole group. Optional.
   */
  endAtomic?(): void;
}

/** Simulated venues advance with the clock: interest, funding, liquidations. */
export interface SimulatedVenue extends Venue {
  /** Applies everything that happened between the previous step and `step` (index on the market-data grid). */
  settle(step: number, ledger: Ledger): void;
}

export interface PerpPositionView {
  symbol: string;
  /** Signed size in base units; short < 0. */
  size: number;
  entryPrice: number;
  markPrice: number;
  /** size × (mark − entry), USDT. */
  unrealizedPnl: number;
  /** |size| × mark × maintenance margin rate, USDT. */
  maintenanceMargin: number;
  /** Price at which the venue would liquidate this position given the account's margin (NaN if flat). */
  liquidationPrice: number;
  /** Bracket trigger prices held by the venue for this position (NaN when none; optional read). */
  stopLossPrice?: number;
  takeProfitPrice?: number;
}

/** A close the venue made on its own: a bracket trigger (stop-loss, take-profit) or a liquidation. */
export interface PerpTrigger {
  symbol: string;
  reason: 'sl' | 'tp' | 'liquidation';
  /** Fill price, quote units. */
  price: number;
  /** Signed size closed (base units). */
  size: number;
  /** Open time of the bar in which it happened (for a gap, the bar whose open went through the level). */
  barMs: number;
  /** Grid time at which the venue settled it. */
  timeMs: number;
  /** The bar opened beyond the level, so the fill is at the open instead of the level. */
  gap: boolean;
}

export interface CexAccountView {
  /** USDT wallet balance at the venue (realised, excluding unrealised PnL). */
  walletBalanceUsdt: number;
  /** walletBalance + Σ unrealised PnL. */
  marginBalanceUsdt: number;
  /** Σ |size| × mark over open perps. */
  positionNotionalUsdt: number;
  maintenanceMarginUsdt: number;
  /** marginBalance / positionNotional (Infinity when flat); liquidation when it reaches the MMR. */
  marginRatio: number;
  unrealizedPnlUsdt: number;
  /**
   * Multi-assets margin (optional): Σ non-USDT collateral × spot price × collateral value ratio, USDT;
   * included in marginBalanceUsdt. 0 or absent for a USDT-only account.
   */
  collateralUsdt?: number;
}

export interface CexVenue extends Venue {
  readonly kind: 'cex';
  perpPosition(symbol: string): PerpPositionView;
  account(): CexAccountView;
  /** Current mark (perp) and last (spot) prices the venue trades at. */
  markPrice(symbol: string): number;
  spotPrice(symbol: string): number;
  /** The last close the venue made on its own for `symbol` (bracket or liquidation), or null. Optional. */
  lastTrigger?(symbol: string): PerpTrigger | null;
  /** Fee rate that an order of this type would pay (decimal). */
  feeRate(market: 'spot' | 'perp', orderType: 'maker' | 'taker'): number;
}

export interface LendingAccountView {
  /** Σ collateral × oracle price, USD. */
  collateralUsd: number;
  debtUsd: number;
  /** debt / collateral (0 with no collateral). */
  ltv: number;
  /** Σ collateral_i × LT_i / debt (Infinity with no debt), Aave's formula. */
  healthFactor: number;
  /** collateral × avg LTV − debt, floored at 0, USD. */
  availableBorrowsUsd: number;
  /** Weighted liquidation threshold of the collateral. */
  liquidationThreshold: number;
}

export interface LendingVenue extends Venue {
  readonly kind: 'lending';
  /** Supplied balance in underlying units (scaled balance × liquidity index). */
  supplied(asset: string): number;
  /** Debt in underlying units (scaled debt × variable borrow index). */
  borrowed(asset: string): number;
  account(): LendingAccountView;
  setEmode(enabled: boolean): void;
  /**
   * Factor by which the oracle prices of `assets` (together, everything else unchanged) must be multiplied
   * for the health factor to reach 1; Infinity when no positive factor does it (no debt, or a move of
   * those prices cannot liquidate). Optional: a stress read for liquidation distances.
   */
  liquidationPriceFactor?(assets: readonly string[]): number;
}

export interface WalletVenue extends Venue {
  readonly kind: 'wallet';
}

/** Gas cost of an on-chain operation at the current step, ETH. */
export interface GasModel {
  gasEth(venue: string, op: string): number;
}

/**
 * Liquid staking issuer (ether.fi, Lido): ETH → LST at the protocol exchange rate, a withdrawal queue, and
 * (ether.fi) reward distributions to holders. LST and ETH sit in the wallet; the venue reports the ETH
 * waiting in its withdrawal queue.
 */
export interface StakingVenue extends Venue {
  readonly kind: 'staking';
  /** Token issued, e.g. weETH. */
  readonly lst: string;
  /** How the LST is acquired: minted at the protocol rate, or bought on the DEX at the market rate. */
  readonly route: 'mint' | 'dex';
  /** How it leaves: withdrawal queue at the protocol rate (after `unstakeDelayHours`), or sold on the DEX. */
  readonly exitRoute: 'queue' | 'dex';
  readonly unstakeDelayHours: number;
  /** Smallest stake worth sending, ETH. */
  readonly minStakeEth: number;
  /** ETH per LST at the protocol rate now. */
  rate(): number;
  /** ETH waiting in the withdrawal queue. */
  queuedEth(): number;
}

/** Flash lender (Morpho, Instadapp): lends within one atomic group against a premium. */
export interface FlashLoanVenue extends Venue {
  readonly kind: 'flash_loan';
  /** Premium as a decimal of the amount borrowed (0.0005 = 5 bps). */
  readonly feeRate: number;
  /** Amount owed (principal + premium) of `asset`; 0 outside an atomic group. */
  owed(asset: string): number;
}

/** Spot swaps on an AMM at the recorded pool price minus the pool fee. */
export interface DexVenue extends Venue {
  readonly kind: 'dex';
  /** Units of `to` received now for `amountIn` of `from`, fees included; NaN when there is no price. */
  quote(from: string, to: string, amountIn: number): number;
}

/**
 * The price curve of a simulated AMM pool given by its strategy family's liquidity model (e.g. the V3 band
 * of src/defi/band.ts): exact fills in token units at the pool's recorded price `price` (quote per base).
 */
export interface AmmCurve {
  /** Pair the pool trades, base then quote (WETH, USDT). */
  base: string;
  quote: string;
  /** Fee rate on the input (decimal), for attribution. */
  feeRate: number;
  /** Base received for `quoteIn` paid at price `price`. */
  buy(price: number, quoteIn: number): number;
  /** Quote received for `baseIn` sold at price `price`. */
  sell(price: number, baseIn: number): number;
}
