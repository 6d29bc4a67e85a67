/**
 * Market parameters of the devnet. Risk parameters of the Aave reserves and the e-mode category come from
 * `config/venues/aave_v3.yaml` (read at deployment, so the simulator and the chain agree); everything else is
 * here, with its source.
 */

/** Starting prices and rates. ETH/USD and the LST rates are 2025 orders of magnitude (mechanics.md §3.3). */
export const START = {
  /** Chainlink-style ETH/USD answer, 8 decimals. */
  ethUsd: 3000,
  usdtUsd: 1,
  /** stETH per wstETH (Lido `stEthPerToken`), CAPO ratio 2025-01-11 ≈ 1.19 (mechanics.md §3.3). */
  wstEthRate: 1.19,
  /** eETH per weETH (ether.fi `getRate`), CAPO ratio 2024-12-31 ≈ 1.056 (mechanics.md §3.3). */
  weEthRate: 1.056,
} as const;

/**
 * Interest-rate curves (DefaultReserveInterestRateStrategy v3.0: optimal usage, base, slope1, slope2 as
 * decimals). USDT and WETH: Aave V3 Ethereum values of 2025 (mechanics.md §1.3). LSTs: not in mechanics.md; a
 * high-kink curve like Aave's LST listings (they are supplied as collateral, rarely borrowed).
 */
export const RATE_CURVES: Record<string, { optimal: number; base: number; slope1: number; slope2: number }> =
  {
    USDT: { optimal: 0.92, base: 0, slope1: 0.065, slope2: 0.35 },
    WETH: { optimal: 0.9, base: 0, slope1: 0.027, slope2: 0.8 },
    wstETH: { optimal: 0.45, base: 0, slope1: 0.07, slope2: 3 },
    weETH: { optimal: 0.45, base: 0, slope1: 0.07, slope2: 3 },
  };

/** Reserve factor (share of interest kept by the protocol), decimal. Aave V3 Ethereum: WETH 15 %, USDT 10 %. */
export const RESERVE_FACTOR: Record<string, number> = { USDT: 0.1, WETH: 0.15, wstETH: 0.05, weETH: 0.045 };

/** Reserves that can be borrowed (the looping modes borrow WETH; the USDT modes borrow USDT). */
export const BORROWABLE = new Set(['USDT', 'WETH']);

/** Liquidity the LP account brings, token units. */
export const LIQUIDITY = {
  aave: { WETH: 20_000, USDT: 60_000_000 },
  /**
   * What the LP borrows back (against its own supply), so the reserves have utilisation and rates like a
   * live market: WETH 60 % (≈ 1.8 % borrow APR on the curve above), USDT 67 % (≈ 4.7 %).
   */
  aaveBorrows: { WETH: 12_000, USDT: 40_000_000 },
  /** Morpho Blue WETH supply: the flash-loan liquidity (Morpho lends its whole balance). */
  morphoWeth: 20_000,
  /** Uniswap V3 full-range positions: amount of token A, B at the pool price. */
  uniswap: {
    'WETH/USDT': { fee: 3000, a: 5_000 },
    'wstETH/WETH': { fee: 100, a: 50_000 },
    'weETH/WETH': { fee: 100, a: 50_000 },
  },
} as const;

/** Morpho Blue market the flash-loan liquidity sits in: WETH loans against wstETH, LLTV 94.5 %, no IRM. */
export const MORPHO_LLTV = 945_000_000_000_000_000n;
