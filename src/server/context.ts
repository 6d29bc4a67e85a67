/** What every route handler gets: the store, the job queue, the mode catalogue and the data source. */
import type { ResultsStore } from '../results/store/index.js';
import type { ModeCatalogue } from './catalogue.js';
import type { ReadCache } from './read-cache.js';
import type { JobQueue } from './jobs.js';

export interface ServerContext {
  store: ResultsStore;
  /** Serialized answers of polled read endpoints (src/server/read-cache.ts). */
  reads: ReadCache;
  queue: JobQueue;
  catalogue: ModeCatalogue;
  /** Dataset root the API's backtests read. */
  dataDir: string;
  /** The dataset is the generated synthetic sample. */
  synthetic: boolean;
  /** A token is required for requests that change state. */
  authRequired: boolean;
  /** Takes server paths out of text a caller sees (src/server/redact.ts). */
  redact: (text: string) => string;
}

/** Non-finite numbers have no JSON form: null (NaN = undefined, ±Infinity = no debt / no position). */
export function jsonNumbers(values: Float64Array): (number | null)[] {
  const out = new Array<number | null>(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Number.isFinite(values[i]) ? values[i] : null;
  return out;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route changes state: with a token configured, it must be presented. */
    changesState?: boolean;
  }
}
