/**
 * The strategy families built in, registered once on import (src/strategies/registry.ts). Everything a
 * family is — name, parameter schema, checks, data plan, venues, factory — lives in its folder.
 */
import { basisFamily } from './basis/index.js';
import { cexDexFamily } from './cexdex/index.js';
import { lendingFamily } from './lending/index.js';
import { mlFamily } from './ml/index.js';
import { registerFamily } from './registry.js';
import { stakingFamily } from './staking/index.js';

registerFamily(lendingFamily);
registerFamily(basisFamily);
registerFamily(stakingFamily);
registerFamily(mlFamily);
registerFamily(cexDexFamily);

export { familyOf, listFamilies, registerFamily } from './registry.js';
export type { StrategyFamily, StrategyOptions } from './registry.js';
export type { Strategy, StrategyContext } from './base.js';
