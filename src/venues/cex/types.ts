/**
 * The exchange-facing layer of a CEX client (one implementation per exchange: binance.ts, bybit.ts,
 * okx.ts): requests built from our terms, sent through ccxt's implicit endpoint methods (ccxt signs,
 * rate-limits and maps errors), responses parsed with zod schemas kept beside each exchange. The domain
 * client (client.ts) builds the CexVenue view on top of it.
 *
 * Units: amounts in base-asset units (perps too; exchanges that count contracts convert inside), prices in
 * USDT, times in epoch ms. Symbols in our naming (BTCUSDT).
 */

import type { Instruction } from '../../domain/types.js';
import type { CexVenue, Fill, Ledger } from '../types.js';

export type CexMarketKind = 'spot' | 'perp';

export interface AccountSnapshot {
  /**
   * Wallet balance per asset, excluding unrealised PnL: for USDT the cash that backs the perps plus any
   * spot USDT, for base assets the spot holding. Split-wallet exchanges (Binance) report the sum.
   */
  balances: Record<string, number>;
  /** Perp positions by symbol: signed size in base units (short < 0) and entry price. */
  perps: Record<string, { size: number; entry: number }>;
  /** Exchange time of the snapshot, or our clock when the exchange gives none. */
  timeMs: number;
}

export interface OrderRequest {
  /** Our idempotency key; sent as the exchange's client order id. */
  clientId: string;
  market: CexMarketKind;
  symbol: string;
  side: 'buy' | 'sell';
  /** Base units, already rounded to the exchange's lot step. */
  amount: number;
  type: 'market' | 'limit';
  /** Limit price (type limit only). */
  price?: number;
  reduceOnly: boolean;
}

export type OrderState = 'open' | 'filled' | 'canceled' | 'rejected';

export interface OrderReport {
  clientId: string;
  orderId: string;
  state: OrderState;
  /** Requested and filled amounts, base units. */
  amount: number;
  filled: number;
  /** Average fill price (NaN when nothing filled). */
  average: number;
  /** Fee charged, positive = paid, in `feeAsset`. */
  fee: number;
  feeAsset: string;
}

export interface FundingPayment {
  /** Exchange id of the ledger entry (deduplication). */
  id: string;
  symbol: string;
  /** USDT received (> 0) or paid (< 0). */
  amount: number;
  timeMs: number;
}

export interface FundingInfo {
  /** Current (next settling) funding rate per funding period, decimal. */
  rate: number;
  /** When that rate settles, epoch ms (NaN if unknown). */
  nextFundingMs: number;
  markPrice: number;
}

export interface FundingRateRecord {
  rate: number;
  timeMs: number;
}

export interface LotRule {
  /** Amount step, base units. */
  step: number;
  /** Smallest amount, base units. */
  min: number;
}

/** What every exchange implementation provides; all methods throw VenueError. */
export interface CexApi {
  readonly venue: string;
  /** Loads markets (lot steps, contract sizes); must be called first. */
  init(): Promise<void>;
  /**
   * One-way position mode, cross margin and `leverage` on every perp symbol, set explicitly. Idempotent:
   * a failed call is retried like a read ("not modified" answers count as done).
   */
  configure(perpSymbols: readonly string[], leverage: number): Promise<void>;
  account(spotAssets: readonly string[], perpSymbols: readonly string[]): Promise<AccountSnapshot>;
  submit(req: OrderRequest): Promise<OrderReport>;
  /** The order with this client id, or null when the exchange has none. */
  lookup(clientId: string, market: CexMarketKind, symbol: string): Promise<OrderReport | null>;
  /** Cancels an open order; returns its final report (null if unknown). */
  cancel(clientId: string, market: CexMarketKind, symbol: string): Promise<OrderReport | null>;
  lot(market: CexMarketKind, symbol: string): LotRule;
  /** Funding paid or received since `sinceMs` (exclusive), oldest first. */
  fundingPayments(perpSymbols: readonly string[], sinceMs: number): Promise<FundingPayment[]>;
  funding(symbol: string): Promise<FundingInfo>;
  fundingHistory(symbol: string, sinceMs: number): Promise<FundingRateRecord[]>;
  /** Last traded price (REST). */
  lastPrice(market: CexMarketKind, symbol: string): Promise<number>;
  /**
   * Makes `amount` USDT available to spot purchases (split wallets move it from the futures wallet; a
   * unified account has nothing to do). Safe to call again after an ambiguous failure.
   */
  prepareSpotBuy?(usdt: number): Promise<void>;
  /** Moves spot USDT back to the margin wallet after a spot sale (split wallets). */
  sweepSpotUsdt?(): Promise<void>;
  close(): Promise<void>;
}

/** What a real exchange client's allocation state is (the journal keeps it across restarts). */
export interface LiveCexState {
  reserve: Record<string, number>;
  fundingCursorMs: number;
}

/**
 * A real exchange client (implemented by LiveCex): the operations the execution policy needs
 * (src/execution/resilient.ts) and the wall-clock runner's account bookkeeping.
 */
export interface OrderVenue extends CexVenue {
  stale: boolean;
  refresh(): Promise<void>;
  configure(leverage: number): Promise<void>;
  orderFor(i: Instruction, clientId: string): OrderRequest;
  submit(req: OrderRequest): Promise<OrderReport>;
  lookup(req: OrderRequest): Promise<OrderReport | null>;
  cancel(req: OrderRequest): Promise<OrderReport | null>;
  afterFill(req: OrderRequest): Promise<void>;
  applyFills(i: Instruction, req: OrderRequest, reports: OrderReport[], ledger: Ledger): Fill;
  readonly api: { lot(market: 'spot' | 'perp', symbol: string): LotRule };
  /** Books the funding payments read since the last call; returns them. */
  bookFunding(ledger: Ledger): FundingPayment[];
  state(): LiveCexState;
  restoreState(s: LiveCexState): void;
  /** Takes what the account holds now as the run's starting allocation (first start). */
  adoptBaseline(): void;
}
