/**
 * Embedded driver: PGlite (PostgreSQL compiled to WASM) with its data directory on disk. One process
 * at a time may open a directory; a lock file beside it (`<dir>.lock`, holding the owner's pid) makes
 * a second opener fail with a clear message instead of corrupting the data.
 */
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { StoreError, type SqlClient, type SqlDriver } from './sql.js';

const heldLocks = new Set<string>();
let exitHookInstalled = false;

function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function inUse(dir: string, owner: number): StoreError {
  return new StoreError(
    `embedded store ${dir} is in use by process ${owner} (a running \`basis serve\`? its UI and API show the runs); stop it, run \`basis backtest --no-store\`, or set DATABASE_URL to share a PostgreSQL store`,
  );
}

/** Throws the lock error now if another live process holds `<dir>.lock` (used to fail before a long run). */
export function probeLock(dir: string): void {
  const abs = resolve(dir);
  let owner = Number.NaN;
  try {
    owner = Number(readFileSync(`${abs}.lock`, 'utf8').trim());
  } catch {
    return;
  }
  if (pidAlive(owner) && owner !== process.pid) throw inUse(abs, owner);
}

/** Takes `<dir>.lock`; a lock left by a process that no longer runs is taken over. */
export function acquireLock(dir: string): string {
  const lock = `${dir}.lock`;
  for (let attempt = 0; attempt < 3; attempt++) {
    if (heldLocks.has(lock)) {
      throw new StoreError(`embedded store ${dir} is already open in this process`);
    }
    try {
      const fd = openSync(lock, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      heldLocks.add(lock);
      if (!exitHookInstalled) {
        exitHookInstalled = true;
        process.on('exit', () => {
          for (const l of heldLocks) {
            try {
              unlinkSync(l);
            } catch {
              // already gone
            }
          }
        });
      }
      return lock;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new StoreError(`cannot create lock file ${lock}: ${(err as Error).message}`);
      }
    }
    let owner = Number.NaN;
    try {
      owner = Number(readFileSync(lock, 'utf8').trim());
    } catch {
      // vanished between open and read: retry
    }
    if (pidAlive(owner) && owner !== process.pid) throw inUse(dir, owner);
    try {
      unlinkSync(lock);
    } catch {
      // someone else removed it
    }
  }
  throw new StoreError(`cannot take the lock ${lock}`);
}

function releaseLock(lock: string): void {
  heldLocks.delete(lock);
  try {
    unlinkSync(lock);
  } catch {
    // already gone
  }
}

export async function openPglite(dir: string): Promise<SqlDriver> {
  const abs = resolve(dir);
  mkdirSync(dirname(abs), { recursive: true });
  const lock = acquireLock(abs);
  let db: PGlite;
  try {
    // loaded on first use: a command that never opens the store does not pay for the WASM driver
    const { PGlite } = await import('@electric-sql/pglite');
    db = await PGlite.create(abs);
  } catch (err) {
    releaseLock(lock);
    throw new StoreError(
      `cannot open the embedded store ${abs}: ${(err as Error).message ?? String(err)} (delete the directory to start afresh)`,
    );
  }
  const client = (q: Pick<PGlite, 'query'>): SqlClient => ({
    async query<T>(text: string, params?: unknown[]): Promise<T[]> {
      const r = await q.query<T>(text, params);
      return r.rows;
    },
    // PGlite reads COPY input from a blob: one statement parsed in C, no per-row JSON or parameters
    async copyFrom(table: string, columns: readonly string[], text: string): Promise<void> {
      await q.query(`COPY ${table} (${columns.join(', ')}) FROM '/dev/blob'`, [], {
        blob: new Blob([text]),
      });
    },
  });
  let closed = false;
  return {
    kind: 'embedded',
    location: abs,
    ...client(db),
    async exec(text: string): Promise<void> {
      await db.exec(text);
    },
    transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
      return db.transaction((tx) => fn(client(tx)));
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      try {
        await db.close();
      } finally {
        releaseLock(lock);
      }
    },
  };
}
