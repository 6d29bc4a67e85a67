/**
 * The basis family (btc_basis, eth_basis): spot long on the spot venue, perp shorts across the venues of
 * `hedge_allocation`, each backed by notional / perp_leverage of USDT margin.
 */
import { baseVenueSpec, hedgedPlan, referenceSeries } from '../plan.js';
import type { StrategyFamily } from '../registry.js';
import { BasisParamsSchema, type BasisParams } from './params.js';
import { BasisStrategy } from './strategy.js';

export const basisFamily: StrategyFamily<BasisParams> = {
  name: 'basis',
  description: 'spot long hedged with perp shorts across venues; earns funding',
  params: BasisParamsSchema,
  check(mode, _venues, at) {
    if (!mode.venues.spot) at('venues.spot', 'required for family basis (the venue of the spot leg)');
    if (!mode.hedge_allocation)
      at('hedge_allocation', 'required for family basis (the perp venues and weights)');
  },
  plan: (mode) => hedgedPlan(mode, referenceSeries(mode)),
  venues: (resolved, _cursor, hedgeWeights) => baseVenueSpec(resolved, hedgeWeights),
  create: (mode, opts) => new BasisStrategy(mode, { hedgeWeights: opts.hedgeWeights }),
  perpLeverage: (mode) => mode.strategy.perp_leverage,
};
