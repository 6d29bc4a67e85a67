/** The lending family's parameters (the `strategy` block of its modes). */
import { z } from 'zod';
import type { ModeConfig } from '../../config/schema.js';

export const LendingParamsSchema = z
  .object({
    /** The asset supplied to the lending venue (USDT, WETH); one of the venue's reserves. */
    lending_asset: z.string().optional(),
  })
  .strict();
export type LendingParams = z.infer<typeof LendingParamsSchema>;
export type LendingMode = ModeConfig<LendingParams>;
