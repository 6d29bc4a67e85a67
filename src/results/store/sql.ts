/**
 * The little SQL surface the store needs, implemented by the PGlite (embedded) and `pg` (PostgreSQL)
 * drivers. Both speak PostgreSQL, so the store's SQL is written once.
 */
import { BasisError } from '../../domain/errors.js';

export interface SqlClient {
  /** One statement with `$n` parameters; rows as objects. */
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /**
   * `COPY <table> (<columns>) FROM` the given text (PostgreSQL text format: tab-separated, `\N` null),
   * where the driver can stream it; absent where it cannot (the store then uses multi-row inserts).
   */
  copyFrom?(table: string, columns: readonly string[], text: string): Promise<void>;
}

/** One field in COPY text format: backslash, tab, newline and carriage return escaped; null as \N. */
export function copyField(v: string | number | null): string {
  if (v === null) return '\\N';
  if (typeof v === 'number') return String(v);
  return v.replace(/[\\\t\n\r]/g, (c) =>
    c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r',
  );
}

export interface SqlDriver extends SqlClient {
  readonly kind: 'embedded' | 'postgres';
  /** Data directory, or the database URL without credentials. */
  readonly location: string;
  /** Several statements without parameters (DDL). */
  exec(text: string): Promise<void>;
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** The store cannot be opened or used (locked, unreachable, corrupt). */
export class StoreError extends BasisError {
  readonly kind = 'store';
  constructor(message: string) {
    super(message);
    this.name = 'StoreError';
  }
}

/** A schema name safe to splice into SQL: lower-case letters, digits and `_`, starting with a letter. */
export function checkSchemaName(name: string): string {
  if (!/^[a-z][a-z0-9_]{0,62}$/.test(name)) {
    throw new StoreError(`schema name "${name}" must match [a-z][a-z0-9_]* (at most 63 characters)`);
  }
  return name;
}
