/**
 * Target arithmetic of the staking family (pure functions, ETH terms; see docs/staking.md).
 *
 * Leverage from the target LTV t: for loop equity E, collateral C = E / (1 − t), debt D = t E / (1 − t)
 * (collateral multiple 1 / (1 − t), not the debt multiple t / (1 − t)).
 */

/**
 * Target LTV: the mode's `target_ltv`, else `emodeLtv × (1 − maxSpreadMove)`. With the derived value a fall
 * of `maxSpreadMove` in the LST's oracle rate (the collateral price in ETH) takes the LTV to exactly
 * t / (1 − m) = the e-mode LTV: no new borrowing, health factor still LT / LTV > 1.
 */
export function deriveTargetLtv(targetLtv: number | null, emodeLtv: number, maxSpreadMove: number): number {
  if (targetLtv !== null) return targetLtv;
  return emodeLtv * (1 - maxSpreadMove);
}

/** Collateral and debt of the loop, ETH (collateral = LST × its oracle rate). */
export interface LoopBook {
  collateralEth: number;
  debtEth: number;
}

/**
 * Flash loan F (WETH) that adds `addEth` of own ETH to the loop and lands on LTV t: the flash loan and the
 * ETH are staked into collateral worth `k` per ETH (1 when minted at the protocol rate), the debt grows by
 * F (1 + fee) to repay the flash loan. (D + F (1 + fee)) = t (C + k (A + F)) gives
 * F = (t (C + k A) − D) / (1 + fee − t k); ≤ 0 means no borrowing is needed.
 */
export function loopIncreaseFlash(book: LoopBook, addEth: number, k: number, t: number, fee: number): number {
  return (t * (book.collateralEth + k * addEth) - book.debtEth) / (1 + fee - t * k);
}

export interface LoopDecrease {
  /** Collateral and debt after, ETH. */
  collateralEth: number;
  debtEth: number;
  /** Collateral sold (ETH value at the oracle rate) and debt repaid (= the flash loan), ETH. */
  sellEth: number;
  repayEth: number;
  /** ETH left in the wallet after the flash loan is repaid. */
  releasedEth: number;
  /** True when everything is unwound. */
  full: boolean;
}

/**
 * Unwind that releases `outEth` to the wallet and leaves the loop at LTV `tAfter`: a flash loan repays
 * ΔD, the collateral ΔC is withdrawn and sold for ETH at `q` ETH per ETH of collateral (the DEX rate over
 * the oracle rate, fees included), and the flash loan is repaid with ΔD (1 + fee). Solving
 * (C − C') q − (D − tAfter C') (1 + fee) = X gives C' = (C q − D (1 + fee) − X) / (q − tAfter (1 + fee));
 * C' ≤ 0 (or `outEth` = Infinity) unwinds everything.
 */
export function loopDecrease(
  book: LoopBook,
  outEth: number,
  q: number,
  tAfter: number,
  fee: number,
): LoopDecrease {
  const { collateralEth: c, debtEth: d } = book;
  let after = Number.isFinite(outEth) ? (c * q - d * (1 + fee) - outEth) / (q - tAfter * (1 + fee)) : 0;
  if (!(after > 0)) after = 0;
  if (after > c) after = c;
  const debtAfter = after === 0 ? 0 : Math.min(d, tAfter * after);
  const sellEth = c - after;
  const repayEth = d - debtAfter;
  return {
    collateralEth: after,
    debtEth: debtAfter,
    sellEth,
    repayEth,
    releasedEth: sellEth * q - repayEth * (1 + fee),
    full: after === 0,
  };
}

/**
 * Long size of a hedged book: equity I (after reserves) buys Q ETH of long at P (1 + spot fee) and backs
 * the shorts (weight w_v at mark P_v) with margin m* per unit of notional plus the perp fee:
 * Q = I / (P (1 + f_spot) + Σ_v w_v P_v (m* + f_perp)), m* = (1 − s) / s for the staked share s.
 */
export function hedgedLongSize(
  investable: number,
  spotPrice: number,
  spotFee: number,
  legs: readonly { weight: number; mark: number; perpFee: number }[],
  stakeShare: number,
): number {
  const m = stakeShare >= 1 ? 0 : (1 - stakeShare) / stakeShare;
  let denom = spotPrice * (1 + spotFee);
  for (const l of legs) denom += l.weight * l.mark * (m + l.perpFee);
  return investable > 0 ? investable / denom : 0;
}
