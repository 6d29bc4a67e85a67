/**
 * The ml_directional family's parameters, read once from the mode, and the trading rules that are pure
 * arithmetic: the effective signal of a bar and the stop-loss / take-profit levels of an entry.
 */
import { z } from 'zod';
import type { ModeConfig } from '../../config/schema.js';
import { parseDurationMs } from '../../domain/duration.js';
import { fraction, perpParams, positive } from '../params.js';

export const MlParamsSchema = z
  .object({
    ...perpParams,
    /** Minimum confidence to act. */
    signal_threshold: fraction.optional(),
    /** Position notional as a fraction of equity. */
    max_position_size: positive.optional(),
    /** Floor of the predicted move's standard deviation, bps. */
    sd_floor_bps: z.number().nonnegative().optional(),
    /** Cap of the predicted move's standard deviation, bps. */
    sd_cap_bps: z.number().positive().optional(),
    /** Stop-loss distance in predicted standard deviations. */
    stop_loss_sd: positive.optional(),
    /** Take-profit distance in predicted standard deviations. */
    take_profit_sd: positive.optional(),
    /** Bar interval, e.g. 5m or 1h. */
    bar_interval: z.string().optional().meta({ caller: 'duration' }),
    /**
     * How the perp is margined. `usdt`: USDT balance at the venue (USDT share class); `multi_assets`: the
     * share-class asset held at the venue is the collateral (Binance Multi-Assets Mode, venue
     * `perp.collateral_ratio`), so a flat book holds that asset. Default usdt.
     */
    margin_mode: z.enum(['usdt', 'multi_assets']).optional(),
  })
  .strict();
export type MlModeParams = z.infer<typeof MlParamsSchema>;
export type MlMode = ModeConfig<MlModeParams>;

export interface MlParams {
  /** The perp venue (the hedge_allocation entry with weight > 0). */
  venue: string;
  /** `{asset}USDT`. */
  symbol: string;
  asset: string;
  threshold: number;
  /** Position notional / equity. */
  positionSize: number;
  sdFloor: number;
  sdCap: number;
  stopLossSd: number;
  takeProfitSd: number;
  barMs: number;
  marginMode: 'usdt' | 'multi_assets';
  walletName: string;
  /** Share-class asset: what the wallet holds and (multi_assets) the collateral. */
  walletAsset: string;
  orderType: 'taker' | 'maker';
  reduceFraction: number;
}

export function mlParams(mode: MlMode, hedgeWeights: Record<string, number>): MlParams {
  const s = mode.strategy;
  const venues = Object.entries(hedgeWeights).filter(([, w]) => w > 0);
  if (venues.length !== 1)
    throw new Error(
      `mode ${mode.mode}: ml_directional trades on exactly one perp venue, found ${venues.length}`,
    );
  return {
    venue: venues[0][0],
    symbol: `${mode.asset}USDT`,
    asset: mode.asset,
    threshold: s.signal_threshold ?? 0.6,
    positionSize: s.max_position_size ?? 1,
    sdFloor: (s.sd_floor_bps ?? 10) / 1e4,
    sdCap: (s.sd_cap_bps ?? 1000) / 1e4,
    stopLossSd: s.stop_loss_sd ?? 2,
    takeProfitSd: s.take_profit_sd ?? 2,
    barMs: parseDurationMs(s.bar_interval ?? '5m') ?? 300_000,
    marginMode: s.margin_mode ?? 'usdt',
    walletName: mode.venues.wallet_transfer ?? 'wallet',
    walletAsset: mode.share_class,
    orderType: mode.execution.order_type,
    reduceFraction: mode.risk.reduce_fraction,
  };
}

/**
 * The bar's effective direction: the prediction's direction when its confidence reaches the threshold,
 * else 0 (no position). A bar without a prediction (NaN confidence) is 0.
 */
export function effectiveDirection(direction: number, confidence: number, threshold: number): number {
  return confidence >= threshold ? Math.sign(direction) : 0;
}

/**
 * Stop-loss and take-profit of an entry at `price` on side `dir` (+1 long, −1 short): with the predicted
 * sd clamped to [sdFloor, sdCap] (a missing or non-positive sd uses the floor),
 * long  SL = price × (1 − stop_loss_sd × sd), TP = price × (1 + take_profit_sd × sd); a short mirrors it.
 */
export function bracketLevels(
  p: Pick<MlParams, 'sdFloor' | 'sdCap' | 'stopLossSd' | 'takeProfitSd'>,
  dir: number,
  price: number,
  sd: number,
): { sd: number; stopLoss: number; takeProfit: number } {
  const clamped = !(sd > 0) ? p.sdFloor : Math.min(p.sdCap, Math.max(p.sdFloor, sd));
  return {
    sd: clamped,
    stopLoss: price * (1 - dir * p.stopLossSd * clamped),
    takeProfit: price * (1 + dir * p.takeProfitSd * clamped),
  };
}
