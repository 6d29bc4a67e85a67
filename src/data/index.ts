/**
 * The data room: the dataset manifest, a fast CSV reader, a content-keyed parsed cache and the loader that
 * puts every series on one hourly grid (MarketData), plus the synthetic sample dataset generator.
 * Layout, units, fill and coverage rules: docs/data.md.
 */
export type { Coverage, EventSeries, FillKind, Gap, LoadRequest, MarketData, SeriesMeta } from './types.js';
export {
  STEP_MS,
  stepLabel,
  DATASET_MARKER,
  datasetIdOf,
  MissingFileError,
  describeCoverage,
  loadMarketData,
  loadMarketDataSync,
  readDatasetMarker,
} from './load.js';
export type { DescribeOptions } from './load.js';
export { GAP_FACTOR, MAX_GAP_MS, computeCoverage, coversWindow, uncoveredSpans } from './coverage.js';
export type { CoverageCheck, UncoveredSpan } from './coverage.js';
export {
  AAVE_ASSETS,
  CEX_SYMBOLS,
  DEX_PAIRS,
  LSTS,
  ORACLE_USD_ASSETS,
  VENUES,
  filesForSeries,
  findSeriesSpec,
  getSeriesSpec,
  listSeriesIds,
  seriesForFile,
} from './manifest.js';
export type { SeriesSpec, TimestampFormat } from './manifest.js';
export {
  PARSER_VERSION,
  cacheFilePath,
  cacheStats,
  clearMemo,
  defaultCacheDir,
  readParsedFile,
  resetCacheStats,
} from './cache.js';
export type { ParsedFile, ParsedFileRequest } from './cache.js';
export { parseCsvColumns } from './csv.js';
export type { CsvReadOptions, DuplicateConflict, ParsedColumns } from './csv.js';
export { DEFAULT_DATA_POLICY, applyDuplicatePolicy, missingEvents } from './quality.js';
export type { DataPolicy, MissingEvents } from './quality.js';
export { SECONDS_PER_YEAR } from './align.js';
export { DAY_MS, HOUR_MS, formatMinuteUtc, parseTimestampMs } from './timestamps.js';
export {
  SAMPLE_GENERATOR,
  SAMPLE_VERSION,
  defaultSampleDir,
  ensureSampleDataset,
  generateSampleDataset,
} from './sample.js';
export type { SampleInfo, SampleOptions } from './sample.js';
