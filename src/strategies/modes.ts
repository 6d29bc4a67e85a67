/**
 * The config room with the built-in strategy families registered: what a command that reads mode files
 * imports (config validates each mode's `strategy` block with its family's schema).
 */
import './index.js';

export * from '../config/index.js';
