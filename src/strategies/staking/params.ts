/** The staking family's parameters (the `strategy` block of its modes). */
import { z } from 'zod';
import type { ModeConfig } from '../../config/schema.js';
import { deviationParams, fraction, hedgeParams } from '../params.js';

export const StakingParamsSchema = z
  .object({
    ...deviationParams,
    /** Hedged staking: the perp shorts' leverage and margin band (hedge.ts). */
    ...hedgeParams,
    /** Leveraged staking: target loan-to-value; null derives it from the e-mode LTV and max_stake_spread_move. */
    target_ltv: fraction.nullable().default(null),
    /** Leveraged staking: largest LST/ETH spread move the target LTV must survive. Default 0.0225. */
    max_stake_spread_move: fraction.default(0.0225),
    /** Hedged staking: fraction of equity staked; the rest margins the perp shorts. */
    stake_allocation_percentage: fraction.optional(),
    /** Hedged staking: tolerated |net delta| as a fraction of equity before re-hedging. Default 0.02. */
    max_delta_drift: fraction.default(0.02),
    /** Reward tokens are sold when worth more than this fraction of equity. Default 0.0005. */
    dust_delta: fraction.default(0.0005),
  })
  .strict();
export type StakingParams = z.infer<typeof StakingParamsSchema>;
export type StakingMode = ModeConfig<StakingParams>;
