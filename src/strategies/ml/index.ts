/** The ml_directional strategy family: signals → bar-by-bar perp positions with SL/TP brackets. */
export { MlDirectionalStrategy } from './strategy.js';
export type { MlReport } from './strategy.js';
export { bracketLevels, effectiveDirection, mlParams } from './params.js';
export type { MlParams } from './params.js';
export { TradeBook } from './trades.js';
export type { ExitReason, TradeRecord, TradesSummary } from './trades.js';
