/**
 * The on-chain form of an opportunity: FlashArb's `Plan` (token, amount in, minimum profit, hops) built from
 * the legs `src/defi/arb` sized, and the profit each flash source should leave once its fee is paid — exact,
 * in the token's base units, rounded as the lender rounds.
 */
import { parseAbi, type Address } from 'viem';
import type { Opportunity } from '../../../../defi/arb/index.js';

export const FLASH_ARB_ABI = parseAbi([
  'struct Hop { uint8 kind; address pool; address tokenIn; address tokenOut; uint16 feeBps; }',
  'struct Plan { address token; uint256 amountIn; uint256 minProfit; Hop[] hops; }',
  'function owner() view returns (address)',
  'function aavePool() view returns (address)',
  'function runWithCapital(Plan p) returns (uint256 profit)',
  'function runWithAaveFlash(Plan p) returns (uint256 profit)',
  'function runWithV3Flash(Plan p, address flashPool) returns (uint256 profit)',
  'function executeOperation(address asset, uint256 amount, uint256 premium, address initiator, bytes params) returns (bool)',
  'function uniswapV3SwapCallback(int256 amount0Delta, int256 amount1Delta, bytes data)',
  'function uniswapV3FlashCallback(uint256 fee0, uint256 fee1, bytes data)',
  'event Arbitrage(address indexed token, uint256 amountIn, uint256 profit, uint8 source)',
  'error NotOwner()',
  'error Reentrant()',
  'error UnexpectedCallback(address from)',
  'error BadPath()',
  'error TokenCallFailed(address token)',
  'error PartialFill(address pool, uint256 paid, uint256 amountIn)',
  'function sweep(address token)',
  'error ProfitTooLow(uint256 amountOut, uint256 owed, uint256 minProfit)',
]);

export interface ArbHop {
  kind: 2 | 3;
  pool: Address;
  tokenIn: Address;
  tokenOut: Address;
  feeBps: number;
}

export interface ArbPlan {
  token: Address;
  amountIn: bigint;
  minProfit: bigint;
  hops: ArbHop[];
}

/** FlashArb's plan for `o` (hops in the legs' order), with `minProfit` (default 0). */
export function planOf(o: Opportunity, minProfit = 0n): ArbPlan {
  return {
    token: o.token,
    amountIn: o.amountIn,
    minProfit,
    hops: o.legs.map((l) => ({
      kind: l.pool.kind === 'uniswap_v2' ? 2 : 3,
      pool: l.pool.address,
      tokenIn: l.tokenIn,
      tokenOut: l.tokenOut,
      feeBps: l.pool.kind === 'uniswap_v2' ? Number(l.pool.feeBps) : 0,
    })),
  };
}

/** Aave V3's flash-loan premium: `amount.percentMul(premiumTotal)`, half up (PercentageMath). */
export function aavePremium(amount: bigint, premiumBps: bigint): bigint {
  return (amount * premiumBps + 5_000n) / 10_000n;
}

/** Uniswap V3 flash fee: `FullMath.mulDivRoundingUp(amount, fee, 1e6)` (fee in hundredths of a bip). */
export function v3FlashFee(amount: bigint, fee: bigint): bigint {
  return (amount * fee + 999_999n) / 1_000_000n;
}
