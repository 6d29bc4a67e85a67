/**
 * Pieces both staking strategies use: the gas reserve the wallet keeps, and `sell_dust` (reward tokens sold
 * for the share class on the DEX once worth more than `dust_delta` × equity and 100 × the swap gas).
 */
import type { StakingMode } from './params.js';
import type { Instruction, StrategyDecision } from '../../domain/types.js';
import type { DexVenue } from '../../venues/types.js';
import type { StrategyContext } from '../base.js';
import { SWAP_MAX_SLIPPAGE } from './legs.js';

/** Tokens the issuer may distribute that `sell_dust` sells. */
export const REWARD_TOKENS: readonly string[] = ['EIGEN', 'ETHFI'];
/** Hours of gas-price history the wallet's gas reserve covers. */
const GAS_RESERVE_LOOKBACK_HOURS = 168;
/** The reserve covers this many times the costliest exit at the highest gas price of the lookback. */
const GAS_RESERVE_FACTOR = 3;
/** The reserve is topped up (to 1.5 × its target) once it falls below half its target. */
export const RESERVE_LOW = 0.5;
export const RESERVE_REFILL = 1.5;

/**
 * Gas the wallet keeps for the costliest exit (`exitGas` now) at the highest gas price of the last week,
 * × 3: an unwind pays its gas before its proceeds arrive. Topped up from the position when it falls below
 * half of this, to 1.5 × this (hysteresis, so a top-up is rare).
 */
export function gasReserve(ctx: StrategyContext, exitGas: number): number {
  const gwei = ctx.series('gas.price_gwei');
  const now = gwei[ctx.step];
  if (!(now > 0)) return exitGas * GAS_RESERVE_FACTOR;
  let high = now;
  for (let i = Math.max(0, ctx.step - GAS_RESERVE_LOOKBACK_HOURS); i < ctx.step; i++)
    if (gwei[i] > high) high = gwei[i];
  return exitGas * (high / now) * GAS_RESERVE_FACTOR;
}

/** Steps a computed gas reserve is reused for, unless the gas price rises above the one it used. */
const RESERVE_REFRESH_STEPS = 6;

/**
 * `gasReserve`, recomputed every few steps or as soon as the gas price exceeds the price of the last
 * computation (the reserve follows a week's highest price, so it moves slowly otherwise).
 */
export class StepReserve {
  private step = -Infinity;
  private gwei = 0;
  private value = 0;

  get(ctx: StrategyContext, exitGas: () => number): number {
    const gwei = ctx.series('gas.price_gwei')[ctx.step];
    if (ctx.step - this.step >= RESERVE_REFRESH_STEPS || ctx.step < this.step || !(gwei <= this.gwei)) {
      this.value = gasReserve(ctx, exitGas());
      this.step = ctx.step;
      this.gwei = gwei;
    }
    return this.value;
  }
}

/** `sell_dust`: reward tokens to the share class on the DEX, or null when not worth it yet. */
export function sellDust(mode: StakingMode, ctx: StrategyContext): StrategyDecision | null {
  const dex = mode.venues.dex_swap;
  if (!dex) return null;
  const wallet = ctx.venues.wallet;
  let value = 0;
  const held: { token: string; amount: number }[] = [];
  for (const token of REWARD_TOKENS) {
    const amount = wallet.balanceOf(token);
    if (!(amount > 0)) continue;
    const v = amount * ctx.pricer.inShareClass(token);
    if (!(v > 0)) continue;
    value += v;
    held.push({ token, amount });
  }
  if (held.length === 0) return null;
  // gas is paid in the wallet's gas asset, which is the share class in this family
  const swapGas = ctx.gasCost(dex, 'swap');
  if (value <= mode.strategy.dust_delta * Math.max(ctx.equity, 0) || value <= 100 * swapGas * held.length)
    return null;
  // to the share class (USDT through the WETH/USDT pool); ETH when that pool has no price
  const venue = ctx.venues.get(dex) as DexVenue;
  const shareClass = mode.share_class;
  const items: Instruction[] = held.map((h) => ({
    op: 'swap',
    venue: dex,
    from: h.token,
    to: shareClass !== 'ETH' && venue.quote(h.token, shareClass, h.amount) > 0 ? shareClass : 'ETH',
    amount: h.amount,
    maxSlippage: SWAP_MAX_SLIPPAGE,
  }));
  return {
    action: 'sell_dust',
    reason: `reward tokens worth ${value.toPrecision(4)} ${mode.share_class}`,
    items,
  };
}
