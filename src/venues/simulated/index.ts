/** Simulated venues (backtest and paper trading): wallet, Aave v3, CEX, and the gas model they share. */
export { MarketCursor } from './market.js';
export { GasModel, GAS_PRICE_SERIES } from './gas.js';
export type { GasUnitsTable } from './gas.js';
export { SimulatedWallet, ETH_REFERENCE_PRICE_SERIES, DUST_TOLERANCE } from './wallet.js';
export type { GasQuote, SimulatedWalletOptions } from './wallet.js';
export { SimulatedAave } from './aave.js';
export { SimulatedCex } from './cex.js';
export type { SimulatedCexOptions } from './cex.js';
