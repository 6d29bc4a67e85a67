export * from './curve.js';
export * from './optimize.js';
export * from './spatial.js';
export * from './triangular.js';
export * from './validate.js';
