/**
 * Parameter shapes more than one family's `strategy` schema uses (each family composes its own strict
 * schema from these and its own keys; there is no schema of every family's parameters).
 */
import { z } from 'zod';

export const fraction = z.number().min(0).max(1);
export const positive = z.number().positive();

/** Families that rebalance toward targets. */
export const deviationParams = {
  /** Rebalance when any position deviates from its target by more than this fraction of equity. Default 0.02. */
  position_deviation_threshold: fraction.default(0.02),
};

/** Families with perp legs (their leverage is set at each perp venue on a testnet or live). */
export const perpParams = {
  /** Perp notional / margin posted at each perp venue. Default 3. */
  perp_leverage: positive.max(20).default(3),
};

/** Families that hedge with perp shorts across venues (hedge.ts). */
export const hedgeParams = {
  ...perpParams,
  /**
   * Margin is topped up or released when a venue's margin ratio leaves [target × (1 − band),
   * target × (1 + band)] around its target margin ratio. Default 0.5.
   */
  margin_rebalance_band: z.number().gt(0).lt(1).default(0.5),
};
