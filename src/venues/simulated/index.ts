/** Simulated venues (backtest and paper trading): wallet, Aave v3, CEX (the gas model is ../gas.ts). */
export { SimulatedWallet, ETH_REFERENCE_PRICE_SERIES, DUST_TOLERANCE } from './wallet.js';
export type { GasQuote, SimulatedWalletOptions } from './wallet.js';
export { SimulatedAave } from './aave.js';
export { SimulatedCex } from './cex.js';
export type { SimulatedCexOptions } from './cex.js';
