/**
 * Results store: runs, per-step series and events, embedded (PGlite) by default or PostgreSQL with
 * DATABASE_URL, behind one interface (`ResultsStore`).
 */
export * from './types.js';
export {
  openStore,
  checkStoreAvailable,
  defaultStoreDir,
  DEFAULT_SCHEMA,
  type OpenStoreOptions,
} from './open.js';
export { StoreError } from './sql.js';
export { toRunResult, runColumns, runTimings, timeWeighted } from './columns.js';
export { downsample, downsampleTimes, bucketSize, cumulative } from './downsample.js';
export { codeVersion, packageRoot } from './version.js';
export { newRunId, MAX_EVENT_PAGE, MAX_RUN_PAGE } from './sqlStore.js';
export { toJson, jsonReplacer } from './codec.js';
