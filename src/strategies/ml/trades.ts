/**
 * The per-trade log of the ml_directional family. A trade runs from the fill that opens a position on a
 * flat book to the fill that flattens it (partial closes — risk reductions, withdrawals — stay in the
 * trade). Each closed trade is one `trade` event: entry and exit (time, price), exit reason
 * (sl / tp / bar_end / signal, or risk / withdrawal / liquidation), and its PnL:
 *
 * - gross_pnl_usdt = Σ over closes dir × qty × (exit price − entry price);
 * - fees_usdt      = perp fee rate × Σ qty × price over the entry and every close;
 * - funding_usdt   = Σ −size × mark × rate at each funding time the position was held into;
 * - net_pnl_usdt   = the change of the venue's USDT balance from before the entry to after the exit,
 *   net of transfers (measured, so it includes anything the three parts above miss; `other_usdt` =
 *   net − gross + fees − funding is ~0 unless the trade was liquidated, when it is the forfeited margin);
 * - net_pnl        = net_pnl_usdt in the share class at the exit price.
 */

export type ExitReason = 'sl' | 'tp' | 'bar_end' | 'signal' | 'risk' | 'withdrawal' | 'liquidation';

export interface TradeRecord {
  id: number;
  side: 'long' | 'short';
  entry_time: string;
  entry_price: number;
  size: number;
  notional_usdt: number;
  confidence: number;
  sd: number;
  stop_loss: number | null;
  take_profit: number | null;
  exit_time: string;
  /** Quantity-weighted average exit price. */
  exit_price: number;
  reason: ExitReason;
  /** The bracket filled at a bar's open beyond its level. */
  gap: boolean;
  bars: number;
  gross_pnl_usdt: number;
  fees_usdt: number;
  funding_usdt: number;
  other_usdt: number;
  net_pnl_usdt: number;
  net_pnl: number;
  return_on_notional: number;
}

export interface TradesSummary {
  trades: number;
  open_at_end: number;
  long: number;
  short: number;
  wins: number;
  losses: number;
  /** Share of closed trades with net PnL > 0. */
  hit_rate: number | null;
  /** Share of closed trades whose price move went the predicted way (gross PnL > 0). */
  direction_hit_rate: number | null;
  by_reason: Record<ExitReason, number>;
  gaps: number;
  gross_pnl_usdt: number;
  fees_usdt: number;
  funding_usdt: number;
  net_pnl_usdt: number;
  /** Share class. */
  net_pnl: number;
  avg_net_pnl_usdt: number | null;
  avg_bars: number | null;
  /** Σ winning net PnL / |Σ losing net PnL|. */
  profit_factor: number | null;
}

interface OpenTrade {
  side: 1 | -1;
  entryStep: number;
  entryMs: number;
  entryPrice: number;
  size: number;
  confidence: number;
  sd: number;
  stopLoss: number | null;
  takeProfit: number | null;
  walletBefore: number;
  transfers: number;
  closedQty: number;
  exitValue: number;
  gross: number;
  fees: number;
  funding: number;
  feeRate: number;
}

const REASONS: ExitReason[] = ['sl', 'tp', 'bar_end', 'signal', 'risk', 'withdrawal', 'liquidation'];

export class TradeBook {
  private current: OpenTrade | null = null;
  private readonly closed: TradeRecord[] = [];
  private nextId = 1;

  constructor(private readonly emit: (type: string, data: Record<string, unknown>) => void) {}

  get open(): boolean {
    return this.current !== null;
  }

  get side(): number {
    return this.current?.side ?? 0;
  }

  get records(): readonly TradeRecord[] {
    return this.closed;
  }

  start(t: {
    /** Perp fee rate of the venue for the run's order type. */
    feeRate: number;
    side: 1 | -1;
    step: number;
    timeMs: number;
    price: number;
    size: number;
    confidence: number;
    sd: number;
    stopLoss: number | null;
    takeProfit: number | null;
    walletBefore: number;
  }): void {
    this.current = {
      side: t.side,
      entryStep: t.step,
      entryMs: t.timeMs,
      entryPrice: t.price,
      size: t.size,
      confidence: t.confidence,
      sd: t.sd,
      stopLoss: t.stopLoss,
      takeProfit: t.takeProfit,
      walletBefore: t.walletBefore,
      transfers: 0,
      closedQty: 0,
      exitValue: 0,
      gross: 0,
      fees: t.feeRate * t.size * t.price,
      funding: 0,
      feeRate: t.feeRate,
    };
  }

  /** USDT moved into (+) or out of (−) the venue's balance by a transfer while the trade is open. */
  transfer(amount: number): void {
    if (this.current) this.current.transfers += amount;
  }

  funding(payment: number): void {
    if (this.current) this.current.funding += payment;
  }

  /** A (partial) close of `qty` at `price`; `fee` overrides the fee computed from the fee rate. */
  reduce(qty: number, price: number, fee?: number): void {
    const c = this.current;
    if (!c) return;
    c.closedQty += qty;
    c.exitValue += qty * price;
    c.gross += c.side * qty * (price - c.entryPrice);
    c.fees += fee ?? c.feeRate * qty * price;
  }

  /** Closes the trade after its last fill; `walletAfter` is the venue's USDT balance now. */
  finish(x: {
    step: number;
    timeMs: number;
    reason: ExitReason;
    gap: boolean;
    walletAfter: number;
    shareClassUsdt: number;
  }): TradeRecord | null {
    const c = this.current;
    if (!c) return null;
    this.current = null;
    const net = x.walletAfter - c.walletBefore - c.transfers;
    const rec: TradeRecord = {
      id: this.nextId++,
      side: c.side > 0 ? 'long' : 'short',
      entry_time: new Date(c.entryMs).toISOString(),
      entry_price: c.entryPrice,
      size: c.size,
      notional_usdt: c.size * c.entryPrice,
      confidence: c.confidence,
      sd: c.sd,
      stop_loss: c.stopLoss,
      take_profit: c.takeProfit,
      exit_time: new Date(x.timeMs).toISOString(),
      exit_price: c.closedQty > 0 ? c.exitValue / c.closedQty : NaN,
      reason: x.reason,
      gap: x.gap,
      bars: x.step - c.entryStep,
      gross_pnl_usdt: c.gross,
      fees_usdt: c.fees,
      funding_usdt: c.funding,
      other_usdt: net - c.gross + c.fees - c.funding,
      net_pnl_usdt: net,
      net_pnl: net / x.shareClassUsdt,
      return_on_notional: net / (c.size * c.entryPrice),
    };
    this.closed.push(rec);
    this.emit('trade', { ...rec });
    return rec;
  }

  summary(): TradesSummary {
    const t = this.closed;
    const by = Object.fromEntries(REASONS.map((r) => [r, 0])) as Record<ExitReason, number>;
    let wins = 0;
    let dirWins = 0;
    let gross = 0;
    let fees = 0;
    let funding = 0;
    let net = 0;
    let netSc = 0;
    let bars = 0;
    let won = 0;
    let lost = 0;
    let gaps = 0;
    let long = 0;
    for (const r of t) {
      by[r.reason]++;
      if (r.net_pnl_usdt > 0) {
        wins++;
        won += r.net_pnl_usdt;
      } else lost -= r.net_pnl_usdt;
      if (r.gross_pnl_usdt > 0) dirWins++;
      if (r.side === 'long') long++;
      if (r.gap) gaps++;
      gross += r.gross_pnl_usdt;
      fees += r.fees_usdt;
      funding += r.funding_usdt;
      net += r.net_pnl_usdt;
      netSc += r.net_pnl;
      bars += r.bars;
    }
    const n = t.length;
    return {
      trades: n,
      open_at_end: this.current ? 1 : 0,
      long,
      short: n - long,
      wins,
      losses: n - wins,
      hit_rate: n > 0 ? wins / n : null,
      direction_hit_rate: n > 0 ? dirWins / n : null,
      by_reason: by,
      gaps,
      gross_pnl_usdt: gross,
      fees_usdt: fees,
      funding_usdt: funding,
      net_pnl_usdt: net,
      net_pnl: netSc,
      avg_net_pnl_usdt: n > 0 ? net / n : null,
      avg_bars: n > 0 ? bars / n : null,
      profit_factor: lost > 0 ? won / lost : null,
    };
  }
}
