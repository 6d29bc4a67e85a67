/** The lending family: supply one asset to the lending venue (pure_lending_usdt, pure_lending_eth). */
import { baseVenueSpec, hedgedPlan, referenceSeries } from '../plan.js';
import type { StrategyFamily } from '../registry.js';
import { LendingParamsSchema, type LendingMode, type LendingParams } from './params.js';
import { LendingStrategy } from './strategy.js';

const suppliedAsset = (mode: LendingMode) => mode.strategy.lending_asset ?? mode.share_class;

export const lendingFamily: StrategyFamily<LendingParams> = {
  name: 'lending',
  description: 'supply one asset to an Aave V3 reserve and earn its supply rate',
  params: LendingParamsSchema,
  check(mode, venues, at) {
    const lendingName = mode.venues.lending;
    if (!lendingName) at('venues.lending', 'required for family lending');
    const asset = mode.strategy.lending_asset;
    if (!asset) {
      at('strategy.lending_asset', 'required for family lending (the reserve supplied, e.g. USDT or WETH)');
      return;
    }
    const venue = lendingName ? venues[lendingName] : undefined;
    if (venue?.kind === 'lending' && !(asset in venue.reserves)) {
      at(
        'strategy.lending_asset',
        `"${asset}" is not a reserve of ${lendingName} (reserves: ${Object.keys(venue.reserves).join(', ')})`,
      );
    }
  },
  plan(mode) {
    const required = referenceSeries(mode);
    const a = suppliedAsset(mode);
    required.add(`aave.${a}.liquidityIndex`);
    required.add(`aave.${a}.variableBorrowIndex`);
    return hedgedPlan(mode, required);
  },
  venues: (resolved, _cursor, hedgeWeights) =>
    baseVenueSpec(resolved, hedgeWeights, [suppliedAsset(resolved.mode)]),
  create: (mode) => new LendingStrategy(mode),
};
