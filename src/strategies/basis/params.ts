/** The basis family's parameters (the `strategy` block of its modes). */
import { z } from 'zod';
import type { ModeConfig } from '../../config/schema.js';
import { deviationParams, hedgeParams } from '../params.js';

export const BasisParamsSchema = z
  .object({
    ...deviationParams,
    ...hedgeParams,
    /** Sell the spot leg and close perps when the average funding rate per 8 h over the lookback falls below this. null = always hold. */
    min_funding_rate_8h: z.number().nullable().default(null),
    /** Hours of funding history averaged for the funding filter. Default 72. */
    funding_lookback_hours: z.number().int().positive().default(72),
  })
  .strict();
export type BasisParams = z.infer<typeof BasisParamsSchema>;
export type BasisMode = ModeConfig<BasisParams>;
