/**
 * Opens the results store: PostgreSQL when a database URL is given (or DATABASE_URL is set), else the
 * embedded PGlite store in `<cwd>/.basis/store` (or `dir`, or BASIS_STORE_DIR).
 */
import { join, resolve } from 'node:path';
import { openPglite, probeLock } from './pglite.js';
import { openPostgres } from './postgres.js';
import { checkSchemaName } from './sql.js';
import { SqlResultsStore } from './sqlStore.js';
import type { ResultsStore } from './types.js';

export const DEFAULT_SCHEMA = 'basis';

export interface OpenStoreOptions {
  /** PostgreSQL URL; default env DATABASE_URL. */
  url?: string;
  /** Embedded store directory; default env BASIS_STORE_DIR, else `<cwd>/.basis/store`. */
  dir?: string;
  /** SQL schema holding the tables; default `basis`. */
  schema?: string;
}

export function defaultStoreDir(): string {
  const env = process.env.BASIS_STORE_DIR;
  return env && env.length > 0 ? resolve(env) : join(process.cwd(), '.basis', 'store');
}

export async function openStore(opts: OpenStoreOptions = {}): Promise<ResultsStore> {
  const schema = checkSchemaName(opts.schema ?? DEFAULT_SCHEMA);
  const url = opts.url ?? (opts.dir === undefined ? process.env.DATABASE_URL : undefined);
  if (url !== undefined && url !== '') return SqlResultsStore.open(await openPostgres(url), schema);
  return SqlResultsStore.open(await openPglite(opts.dir ?? defaultStoreDir()), schema);
}

/** Fails now (StoreError) when the embedded store `openStore(opts)` would open is locked by another process. */
export function checkStoreAvailable(opts: OpenStoreOptions = {}): void {
  const url = opts.url ?? (opts.dir === undefined ? process.env.DATABASE_URL : undefined);
  if (url !== undefined && url !== '') return;
  probeLock(opts.dir ?? defaultStoreDir());
}
