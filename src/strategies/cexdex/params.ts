/** The cex_dex_arb family's parameters (the `strategy` block of its modes). */
import { z } from 'zod';
import type { ModeConfig } from '../../config/schema.js';

export const CexDexParamsSchema = z
  .object({
    /** Hours of spread history the z-score's mean and standard deviation are taken over. Default 168. */
    lookback_hours: z
      .number()
      .int()
      .min(24)
      .max(24 * 90)
      .default(168),
    /** Enter when the spread's z-score is at or below −z_entry (the pool cheap against the perp). */
    z_entry: z.number().gt(0).default(2.5),
    /** Exit when the z-score is back at or above −z_exit (0 = at the mean). */
    z_exit: z.number().min(0).default(0),
    /** Close a position held this many hours whatever the spread. Default 72. */
    max_hold_hours: z.number().int().min(1).default(72),
    /** Largest position, USDT of WETH bought; also capped by the wallet's USDT. Default 100,000. */
    max_position_usdt: z.number().gt(0).default(100_000),
    /** Least expected round-trip profit after every cost (gas, pool fees, CEX taker fees), USDT. */
    min_profit_usdt: z.number().min(0).default(10),
    /** Largest price impact of the entry swap beyond the pool fee, basis points. Default 50. */
    max_slippage_bps: z.number().gt(0).max(1000).default(50),
    /** Share of the capital moved to the CEX as perp margin at the start; the rest buys WETH. */
    margin_fraction: z.number().gt(0).lt(1).default(0.3),
    /** Liquidity model: value of the in-band liquidity of the pool, USD (see docs/defi.md). */
    liquidity_tvl_usd: z.number().gt(0).default(20_000_000),
    /** Liquidity model: half-width of the band of constant liquidity around the recorded price, %. */
    liquidity_band_pct: z.number().gt(0).lt(50).default(10),
  })
  .strict();
export type CexDexParams = z.infer<typeof CexDexParamsSchema>;
export type CexDexMode = ModeConfig<CexDexParams>;
