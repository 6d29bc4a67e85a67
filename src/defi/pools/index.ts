export * from './abis.js';
export * from './reader.js';
export * from './graph.js';
