/**
 * Validation of a sized opportunity: the profit after pool fees (already inside the exact quotes), gas, a
 * flash-loan premium on the borrowed input, a slippage bound on the final output, and a minimum profit.
 * Every amount is in base units of the opportunity's token.
 */
import type { Opportunity } from './spatial.js';

export interface ValidationInput {
  /** Gas the transaction uses (units) and the price per unit (wei). */
  gasUnits: bigint;
  gasPriceWei: bigint;
  /** Value of 1 ETH in base units of the profit token (e.g. 3000e6 for USDT); 10^18 when it is WETH. */
  ethInToken: bigint;
  /** Flash-loan premium in basis points of the input (Aave V3: 5; Morpho / Balancer: 0). */
  flashPremiumBps?: bigint;
  /** Output may fall this far (bps) before the transaction reverts; the profit must survive it. */
  slippageBps?: bigint;
  /** Least net profit worth sending. */
  minProfit?: bigint;
}

export interface Validation {
  grossProfit: bigint;
  gasCost: bigint;
  flashPremium: bigint;
  /** Output at the slippage bound (the transaction's minimum out). */
  minAmountOut: bigint;
  /** Profit after gas and premium at the expected output, and at the slippage bound. */
  netProfit: bigint;
  worstNetProfit: bigint;
  ok: boolean;
  reasons: string[];
}

const ceilDiv = (a: bigint, b: bigint) => (a + b - 1n) / b;

export function validateOpportunity(o: Opportunity, v: ValidationInput): Validation {
  const gasCost = ceilDiv(v.gasUnits * v.gasPriceWei * v.ethInToken, 10n ** 18n);
  const flashPremium = ceilDiv(o.amountIn * (v.flashPremiumBps ?? 0n), 10_000n);
  const minAmountOut = (o.amountOut * (10_000n - (v.slippageBps ?? 0n))) / 10_000n;
  const netProfit = o.profit - gasCost - flashPremium;
  const worstNetProfit = minAmountOut - o.amountIn - gasCost - flashPremium;
  const minProfit = v.minProfit ?? 0n;
  const reasons: string[] = [];
  if (netProfit < minProfit) reasons.push(`net profit ${netProfit} below the minimum ${minProfit}`);
  if (worstNetProfit < 0n) reasons.push(`at the slippage bound the trade loses ${-worstNetProfit}`);
  return {
    grossProfit: o.profit,
    gasCost,
    flashPremium,
    minAmountOut,
    netProfit,
    worstNetProfit,
    ok: reasons.length === 0,
    reasons,
  };
}
