/**
 * The vocabulary of the engine (see docs/architecture.md): position keys, action types, instructions,
 * the five wrapper actions and PnL sources. Value types only, no I/O.
 */

export const HOUR_MS = 3_600_000;
export const SECONDS_PER_YEAR = 365 * 24 * 3600;
export const MS_PER_YEAR = SECONDS_PER_YEAR * 1000;

/** Currency results are reported in. */
export type ShareClass = 'USDT' | 'ETH' | 'BTC';

/** What a strategy asks for; a mode's `venues:` section maps each to a venue. */
export const ACTION_TYPES = [
  'lending',
  'staking',
  'hedge',
  'spot',
  'flash_loan',
  'unwind',
  'wallet_transfer',
  'dex_swap',
] as const;
export type ActionType = (typeof ACTION_TYPES)[number];

/** The five wrapper actions every strategy speaks. */
export const WRAPPER_ACTIONS = [
  'entry_full',
  'entry_partial',
  'exit_partial',
  'exit_full',
  'sell_dust',
] as const;
export type WrapperAction = (typeof WRAPPER_ACTIONS)[number];

/** PnL attribution sources, in the order they are reported. */
export const PNL_SOURCES = [
  'supply_yield',
  'borrow_cost',
  'funding',
  'staking_yield',
  'rewards',
  'price',
  'trading_fees',
  'gas',
  'liquidation',
] as const;
export type PnlSource = (typeof PNL_SOURCES)[number];
export const PNL_SOURCE_INDEX: Record<PnlSource, number> = Object.fromEntries(
  PNL_SOURCES.map((s, i) => [s, i]),
) as Record<PnlSource, number>;

export type PositionType = 'BaseToken' | 'aToken' | 'debtToken' | 'Perp' | 'LST';

/** `venue:position_type:symbol`, e.g. `aave_v3:aToken:aUSDT`, `binance:Perp:BTCUSDT`. */
export type PositionKey = `${string}:${PositionType}:${string}`;

export function positionKey(venue: string, type: PositionType, symbol: string): PositionKey {
  return `${venue}:${type}:${symbol}`;
}

export function parsePositionKey(key: string): { venue: string; type: PositionType; symbol: string } {
  const parts = key.split(':');
  if (parts.length !== 3) throw new Error(`position key ${key} is not venue:position_type:symbol`);
  return { venue: parts[0], type: parts[1] as PositionType, symbol: parts[2] };
}

/** One venue operation. Amounts are float64 token units; `size` of perps in base-asset units. */
export type Instruction =
  | { op: 'transfer'; venue: string; asset: string; amount: number; from: string; to: string }
  | { op: 'supply' | 'withdraw' | 'borrow' | 'repay'; venue: string; asset: string; amount: number }
  | { op: 'spot_buy' | 'spot_sell'; venue: string; base: string; quote: string; amount: number }
  | {
      op: 'perp_open' | 'perp_close';
      venue: string;
      symbol: string;
      side: 'long' | 'short';
      size: number;
      /**
       * perp_open only (optional): a bracket held by the venue for the whole position — a stop-loss and / or
       * take-profit trigger price (quote units). The venue closes the position when a bar trades through a
       * level (see src/venues/simulated/cex-brackets.ts); perp_close ignores them.
       */
      stopLossPrice?: number;
      takeProfitPrice?: number;
    }
  | { op: 'stake' | 'unstake'; venue: string; asset: string; amount: number }
  | { op: 'swap'; venue: string; from: string; to: string; amount: number; maxSlippage: number }
  | { op: 'flash_borrow' | 'flash_repay'; venue: string; asset: string; amount: number };

/** Instructions that succeed or fail together (e.g. a flash-loan leverage entry). */
export interface AtomicGroup {
  atomic: true;
  label: string;
  instructions: Instruction[];
}

export type ExecutionItem = Instruction | AtomicGroup;

/** What a strategy returns for one decision. */
export interface StrategyDecision {
  action: WrapperAction;
  reason: string;
  items: ExecutionItem[];
}

export function describeInstruction(i: Instruction): string {
  switch (i.op) {
    case 'transfer':
      return `transfer ${fmt(i.amount)} ${i.asset} ${i.from} -> ${i.to}`;
    case 'spot_buy':
    case 'spot_sell':
      return `${i.venue} ${i.op} ${fmt(i.amount)} ${i.base}/${i.quote}`;
    case 'perp_open':
    case 'perp_close':
      return `${i.venue} ${i.op} ${i.side} ${fmt(i.size)} ${i.symbol}${i.op === 'perp_open' && i.stopLossPrice !== undefined ? ` sl ${fmt(i.stopLossPrice)}` : ''}${i.op === 'perp_open' && i.takeProfitPrice !== undefined ? ` tp ${fmt(i.takeProfitPrice)}` : ''}`;
    case 'swap':
      return `${i.venue} swap ${fmt(i.amount)} ${i.from} -> ${i.to}`;
    default:
      return `${i.venue} ${i.op} ${fmt(i.amount)} ${i.asset}`;
  }
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toPrecision(8);
}
