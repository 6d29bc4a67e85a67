/**
 * The cex_dex_arb family: CEX–DEX statistical arbitrage between a Uniswap V3 WETH/USDT pool (simulated
 * with the liquidity model of src/defi/band.ts) and a CEX ETHUSDT perpetual (the venue of
 * hedge_allocation, weight 1).
 */
import type { VenueConfig } from '../../config/schema.js';
import { bandPool, toUsdtRaw, toWei, usdtForWeth, wethForUsdt } from '../../defi/band.js';
import type { AmmCurve } from '../../venues/types.js';
import { baseVenueSpec, hedgedPlan, referenceSeries } from '../plan.js';
import type { StrategyFamily } from '../registry.js';
import { CexDexParamsSchema, type CexDexParams } from './params.js';
import { bandModelOf, CexDexStrategy, POOL_PRICE } from './strategy.js';

export { CexDexParamsSchema } from './params.js';
export type { CexDexMode, CexDexParams } from './params.js';
export { bandModelOf, CexDexStrategy, rollingStats } from './strategy.js';
export type { CexDexReport, CexDexTrade } from './strategy.js';

function feeBpsOf(venues: Record<string, VenueConfig>, name: string | undefined): number {
  const cfg = name ? venues[name] : undefined;
  return cfg?.kind === 'dex' ? cfg.params.fee_tier_bps : 30;
}

/** The pool's exact fills under the band model (what the simulated AMM venue executes). */
export function bandCurve(params: CexDexParams, feeBps: number): AmmCurve {
  const model = bandModelOf(params, feeBps);
  return {
    base: 'WETH',
    quote: 'USDT',
    feeRate: feeBps / 10_000,
    buy: (price, usdtIn) => Number(wethForUsdt(bandPool(price, model), toUsdtRaw(usdtIn))) / 1e18,
    sell: (price, wethIn) => {
      const wei = toWei(wethIn);
      const r = usdtForWeth(bandPool(price, model), wei);
      return r.wethIn < wei ? NaN : Number(r.usdtOut) / 1e6; // beyond the band: refused
    },
  };
}

export const cexDexFamily: StrategyFamily<CexDexParams> = {
  name: 'cex_dex_arb',
  description:
    'CEX–DEX statistical arbitrage: buy WETH on a Uniswap V3 pool when it is cheap against the perp, short the perp, close on reversion',
  params: CexDexParamsSchema,
  check(mode, venues, at) {
    if (mode.asset !== 'ETH') at('asset', `expected ETH (the pool is WETH/USDT), received ${mode.asset}`);
    if (mode.share_class !== 'USDT')
      at('share_class', `expected USDT for family cex_dex_arb, received ${mode.share_class}`);
    const dex = mode.venues.dex_swap;
    if (!dex) at('venues.dex_swap', 'required for family cex_dex_arb (the pool)');
    else if (venues[dex] && venues[dex].kind !== 'dex') at('venues.dex_swap', `${dex} is not a dex venue`);
    const perps = Object.entries(mode.hedge_allocation ?? {}).filter(([, w]) => w > 0);
    if (perps.length !== 1)
      at('hedge_allocation', 'expected one perp venue with weight 1 for family cex_dex_arb (the CEX leg)');
    if (mode.strategy.z_exit >= mode.strategy.z_entry)
      at('strategy.z_exit', `expected below strategy.z_entry (${mode.strategy.z_entry})`);
  },
  plan(mode) {
    const required = referenceSeries(mode);
    required.add(POOL_PRICE);
    return hedgedPlan(mode, required);
  },
  venues(resolved, _cursor, hedgeWeights) {
    const spec = baseVenueSpec(resolved, hedgeWeights);
    spec.wallet = { ...spec.wallet, assets: [...new Set([...spec.wallet.assets, 'WETH'])], gasAsset: 'USDT' };
    spec.dex = resolved.mode.venues.dex_swap ?? null;
    spec.dexCurve = bandCurve(resolved.mode.strategy, feeBpsOf(resolved.venues, spec.dex ?? undefined));
    return spec;
  },
  create: (mode, opts) =>
    new CexDexStrategy(mode, opts.hedgeWeights, feeBpsOf(opts.venueConfigs, mode.venues.dex_swap)),
  perpLeverage: () => 1,
};
