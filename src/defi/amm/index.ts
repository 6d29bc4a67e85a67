/** Exact AMM math (bigint, wei for wei with the contracts): Uniswap V2 and V3, Curve StableSwap, Balancer V2. */
export * from './math.js';
export * from './univ2.js';
export * from './univ3/tickMath.js';
export * from './univ3/sqrtPriceMath.js';
export * from './univ3/swapMath.js';
export * from './univ3/pool.js';
export * from './curve.js';
export * from './balancer/fixedPoint.js';
export * from './balancer/weighted.js';
export * from './balancer/stable.js';
