/** PostgreSQL driver (`pg` pool) for a shared store; the URL comes from DATABASE_URL. */
import type pg from 'pg';
import { StoreError, type SqlClient, type SqlDriver } from './sql.js';

/** The URL with user and password removed, for messages and `location`. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return '(unparseable database URL)';
  }
}

export async function openPostgres(url: string): Promise<SqlDriver> {
  const where = redactUrl(url);
  if (!/^postgres(ql)?:\/\//.test(url)) {
    throw new StoreError(`database URL ${where} must start with postgres:// or postgresql://`);
  }
  const { default: pgm } = await import('pg');
  const pool = new pgm.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 10_000 });
  // An idle client losing its connection must not crash the process; the next query reports it
  pool.on('error', () => undefined);
  try {
    const c = await pool.connect();
    c.release();
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new StoreError(`cannot connect to PostgreSQL at ${where}: ${(err as Error).message}`);
  }
  const client = (q: pg.Pool | pg.PoolClient): SqlClient => ({
    async query<T>(text: string, params?: unknown[]): Promise<T[]> {
      const r = await q.query(text, params);
      return r.rows as T[];
    },
  });
  return {
    kind: 'postgres',
    location: where,
    ...client(pool),
    async exec(text: string): Promise<void> {
      await pool.query(text);
    },
    async transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        const out = await fn(client(c));
        await c.query('COMMIT');
        return out;
      } catch (err) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        c.release();
      }
    },
    async close(): Promise<void> {
      await pool.end();
    },
  };
}
