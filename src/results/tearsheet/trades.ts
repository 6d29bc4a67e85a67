/**
 * The trade list of a run, derived from its events:
 *
 * - ML modes record each closed position as a `trade` event (entry and exit time and price, side, exit
 *   reason, gross PnL, fees, funding, net PnL in the share class): one row each;
 * - the other families act through decisions (`decision`: action, reason; then its `fill`s and the
 *   ledger's fee/gas `booking`s): one row per decision, held until the next decision changes the book.
 *   Its PnL is the run's PnL from the decision's step (its own costs included) up to the step before the
 *   next decision (the last to the end), so the rows add up to the run's PnL from the first decision on.
 */
import type { EventLike } from './attribution.js';

export interface TradeRow {
  id: number;
  kind: 'position' | 'decision';
  entry_time: string;
  exit_time: string | null;
  side: string | null;
  /** ML: exit reason (sl, tp, bar_end, signal…); decisions: the action (entry_full, exit_partial…). */
  reason: string;
  /** Decisions: why the strategy acted. */
  detail: string;
  venues: string;
  entry_price: number | null;
  exit_price: number | null;
  size: number | null;
  /** Traded notional (USDT for ML positions; Σ |amount| × price of a decision's trading fills). */
  notional: number | null;
  /** Fees and gas, share class, positive = cost. */
  fees: number;
  /** Net PnL in the share class (after fees). */
  pnl: number;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Index of the last step at or before `ms` (0 when before the first). */
function stepAt(timestamps: ArrayLike<number>, ms: number): number {
  let lo = 0;
  let hi = timestamps.length - 1;
  if (hi < 0 || ms <= timestamps[0]) return 0;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (timestamps[mid] <= ms) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Rows from ML `trade` events. */
export function positionTrades(events: readonly EventLike[]): TradeRow[] {
  return events
    .filter((e) => e.type === 'trade')
    .map((e, i) => {
      const d = e.data;
      return {
        id: num(d.id) ?? i + 1,
        kind: 'position' as const,
        entry_time: String(d.entry_time ?? e.t),
        exit_time: typeof d.exit_time === 'string' ? d.exit_time : e.t,
        side: typeof d.side === 'string' ? d.side : null,
        reason: String(d.reason ?? ''),
        detail: d.gap === true ? 'gap through the bracket' : '',
        venues: String(e.venue ?? d.venue ?? ''),
        entry_price: num(d.entry_price),
        exit_price: num(d.exit_price),
        size: num(d.size),
        notional: num(d.notional_usdt),
        fees: num(d.fees_usdt) ?? 0,
        pnl: num(d.net_pnl) ?? num(d.net_pnl_usdt) ?? 0,
      };
    });
}

/**
 * Rows from decisions, with `pnl` (the per-step PnL column) and the step `timestamps` of the run; events
 * in their recorded order.
 */
export function decisionTrades(
  events: readonly EventLike[],
  timestamps: ArrayLike<number>,
  pnl: ArrayLike<number>,
): TradeRow[] {
  const cum = new Float64Array(pnl.length + 1);
  for (let i = 0; i < pnl.length; i++) cum[i + 1] = cum[i] + (Number.isFinite(pnl[i]) ? pnl[i] : 0);
  const rows: (TradeRow & { step: number })[] = [];
  let cur: (TradeRow & { step: number; venueSet: Set<string> }) | null = null;
  for (const e of events) {
    if (e.type === 'decision') {
      const ms = Date.parse(e.t);
      cur = {
        id: rows.length + 1,
        kind: 'decision',
        entry_time: e.t,
        exit_time: null,
        side: null,
        reason: String(e.data.action ?? ''),
        detail: String(e.data.reason ?? ''),
        venues: '',
        entry_price: null,
        exit_price: null,
        size: null,
        notional: 0,
        fees: 0,
        pnl: 0,
        step: stepAt(timestamps, ms),
        venueSet: new Set<string>(),
      };
      rows.push(cur);
      continue;
    }
    if (!cur || e.t !== cur.entry_time) continue;
    if (e.type === 'fill') {
      const venue = String(e.venue ?? e.data.venue ?? '');
      if (venue) cur.venueSet.add(venue);
      const op = String(e.data.op ?? '');
      const price = num(e.data.price);
      if (op !== 'transfer' && price !== null) cur.notional! += Math.abs(num(e.data.amount) ?? 0) * price;
    } else if (e.type === 'booking' && (e.data.source === 'trading_fees' || e.data.source === 'gas')) {
      cur.fees -= num(e.data.value) ?? 0;
    }
    cur.venues = [...cur.venueSet].sort().join(', ');
  }
  for (let i = 0; i < rows.length; i++) {
    const from = rows[i].step;
    const next = i + 1 < rows.length ? rows[i + 1].step : pnl.length;
    // several decisions at one step: the step's PnL goes to the last of them
    const to = Math.max(from, next);
    rows[i].pnl = next > from ? cum[to] - cum[from] : 0;
    rows[i].exit_time =
      i + 1 < rows.length
        ? rows[i + 1].entry_time
        : new Date(timestamps[timestamps.length - 1]).toISOString();
  }
  return rows.map(({ step: _step, ...r }) => {
    const { venueSet: _v, ...rest } = r as TradeRow & { venueSet?: Set<string> };
    return rest;
  });
}

/** The trade list: ML position trades when the run has them, else its decisions. */
export function tradeList(
  events: readonly EventLike[],
  timestamps: ArrayLike<number>,
  pnl: ArrayLike<number>,
): TradeRow[] {
  const positions = positionTrades(events);
  return positions.length > 0 ? positions : decisionTrades(events, timestamps, pnl);
}

export interface TradeStats {
  count: number;
  wins: number;
  hit_rate: number | null;
  /** Σ winning PnL / |Σ losing PnL|; null without a loss. */
  profit_factor: number | null;
  total_pnl: number;
  total_fees: number;
}

export function tradeStats(rows: readonly TradeRow[]): TradeStats {
  let wins = 0;
  let won = 0;
  let lost = 0;
  let fees = 0;
  for (const r of rows) {
    if (r.pnl > 0) {
      wins++;
      won += r.pnl;
    } else lost -= r.pnl;
    fees += r.fees;
  }
  return {
    count: rows.length,
    wins,
    hit_rate: rows.length > 0 ? wins / rows.length : null,
    profit_factor: lost > 0 ? won / lost : null,
    total_pnl: won - lost,
    total_fees: fees,
  };
}

export const TRADE_COLUMNS: (keyof TradeRow)[] = [
  'id',
  'kind',
  'entry_time',
  'exit_time',
  'side',
  'reason',
  'detail',
  'venues',
  'entry_price',
  'exit_price',
  'size',
  'notional',
  'fees',
  'pnl',
];
