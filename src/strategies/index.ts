/** Strategy families: one class per family serves every mode of that family. */
import type { ModeConfig, VenueConfig } from '../config/schema.js';
import { InputError } from '../domain/errors.js';
import type { Strategy } from './base.js';
import { BasisStrategy } from './basis.js';
import { LendingStrategy } from './lending.js';
import { MlDirectionalStrategy } from './ml/index.js';
import { createStakingStrategy } from './staking.js';

export function createStrategy(
  mode: ModeConfig,
  opts: { hedgeWeights: Record<string, number>; venueConfigs?: Record<string, VenueConfig> },
): Strategy {
  switch (mode.family) {
    case 'lending':
      return new LendingStrategy(mode);
    case 'basis':
      return new BasisStrategy(mode, { hedgeWeights: opts.hedgeWeights });
    case 'staking':
      return createStakingStrategy(mode, {
        hedgeWeights: opts.hedgeWeights,
        venueConfigs: opts.venueConfigs ?? {},
      });
    case 'ml_directional':
      return new MlDirectionalStrategy(mode, { hedgeWeights: opts.hedgeWeights });
    default:
      throw new InputError(
        `mode ${mode.mode} is not available yet: the ${mode.family} strategy family is not implemented`,
      );
  }
}

export type { Strategy, StrategyContext } from './base.js';
