export * from './plan.js';
export * from './fees.js';
export * from './nonce.js';
export * from './engine.js';
export * from './bundle.js';
