/**
 * Multi-assets margin of the simulated CEX (Binance "Multi-Assets Mode" for USDⓈ-M futures): non-USDT
 * balances held at the venue count as perp margin at spot price × collateral value ratio (BTC and ETH:
 * 0.95, a 5 % haircut — https://www.binance.com/en/support/faq/what-is-multi-assets-mode-and-which-assets-are-supported-29b45c485d664028b9ca1cdf90b24f6f).
 * Realised PnL, fees and funding of USDT-margined perps stay in USDT, so the USDT balance may go negative
 * while the collateral covers it (the account must keep margin balance ≥ initial margin for new orders and
 * > maintenance margin against liquidation).
 *
 * - margin balance = USDT balance + Σ collateral value + unrealised PnL;
 * - a collateral asset may leave the account (transfer out) only while the margin balance stays ≥ the
 *   initial margin of the open perps (≥ 0 when flat);
 * - liquidation: the positions close as for a USDT account, the maintenance margin is forfeited, and a
 *   negative USDT balance left after that is covered by selling collateral at the spot price (the
 *   exchange's auto-exchange), the insurance fund absorbing what the collateral cannot cover;
 * - in the liquidation price, collateral in the perp's own base asset (BTC for BTCUSDT) moves with the mark:
 *   with k = Σ collateral × ratio × spot / mark, long LP = (Q·EP − WB') / (Q(1 − MMR) + k), short
 *   LP = (WB' + Q·EP) / (Q(1 + MMR) − k), or no liquidation price (∞) when that denominator is ≤ 0.
 */
import { ConfigError, VenueError } from '../../domain/errors.js';
import type { CexMarket } from './cex-market.js';
import { QUOTE } from './cex-market.js';

interface Slot {
  asset: string;
  /** Balance slot of the asset. */
  bal: number;
  /** Spot slot of `${asset}USDT`, priced by CexMarket.spotAt. */
  spot: number;
  ratio: number;
}

export class CollateralBook {
  private readonly slots: Slot[] = [];

  constructor(venue: string, mk: CexMarket, ratios: Readonly<Record<string, number>>) {
    for (const [asset, ratio] of Object.entries(ratios)) {
      if (asset === QUOTE) continue;
      if (!(ratio > 0 && ratio <= 1))
        throw new ConfigError(
          `venue ${venue}`,
          `collateral.${asset}`,
          `collateral value ratio must be in (0, 1], received ${ratio}`,
        );
      if (!mk.hasBalance(asset)) continue; // not held in this run
      this.slots.push({ asset, bal: mk.balSlot(asset), spot: mk.spotSlot(`${asset}${QUOTE}`), ratio });
    }
  }

  get empty(): boolean {
    return this.slots.length === 0;
  }

  /** Σ max(0, balance) × spot × ratio, USDT: what the collateral adds to the margin balance. */
  valueUsdt(mk: CexMarket, balances: Float64Array, step: number): number {
    let v = 0;
    for (const s of this.slots) {
      const b = balances[s.bal];
      if (b > 0) v += b * mk.spotAt(s.spot, step) * s.ratio;
    }
    return v;
  }

  /** Σ balance × spot, USDT: the market value of the collateral (no haircut). */
  marketUsdt(mk: CexMarket, balances: Float64Array, step: number): number {
    let v = 0;
    for (const s of this.slots) if (balances[s.bal] !== 0) v += balances[s.bal] * mk.spotAt(s.spot, step);
    return v;
  }

  /** USDT value of collateral in other assets than the perp's base, from the last `split` call. */
  fixed = 0;

  /**
   * Collateral split for the liquidation price of perp slot `k`: returns k_c (USDT per unit of mark, the
   * collateral in the perp's base asset, assumed to move with the mark) and leaves the value of the other
   * collateral (held at its current price) in `fixed`.
   */
  split(mk: CexMarket, balances: Float64Array, step: number, k: number): number {
    const base = mk.perpSymbols[k].slice(0, -QUOTE.length);
    const mark = mk.markAt(k, step);
    let kc = 0;
    this.fixed = 0;
    for (const s of this.slots) {
      const b = balances[s.bal];
      if (!(b > 0)) continue;
      const v = b * mk.spotAt(s.spot, step) * s.ratio;
      if (s.asset === base) kc += v / mark;
      else this.fixed += v;
    }
    return kc;
  }

  /**
   * Throws when `amount` of balance slot `bal` may not leave the account: collateral may leave only while
   * the margin balance stays ≥ the initial margin of the open perps (≥ 0 when flat). `free` = margin
   * balance − initial margin now, USDT.
   */
  checkLeave(venue: string, mk: CexMarket, bal: number, amount: number, free: number, step: number): void {
    const s = this.slots.find((x) => x.bal === bal);
    if (!s) return;
    const limit = Math.max(0, free / (mk.spotAt(s.spot, step) * s.ratio));
    if (amount > limit * (1 + 1e-9))
      throw new VenueError(
        venue,
        `insufficient free ${s.asset} collateral: ${limit} may leave, ${amount} requested (margin in use)`,
      );
  }

  /**
   * Sells collateral at the spot price (no fee) until the USDT balance (slot 0) is ≥ 0 or the collateral
   * is used up; returns the USDT raised.
   */
  autoExchange(mk: CexMarket, balances: Float64Array, step: number): number {
    let raised = 0;
    for (const s of this.slots) {
      if (!(balances[0] < 0)) break;
      const px = mk.spotAt(s.spot, step);
      const sell = Math.min(Math.max(0, balances[s.bal]), -balances[0] / px);
      balances[s.bal] -= sell;
      balances[0] += sell * px;
      raised += sell * px;
    }
    return raised;
  }
}
