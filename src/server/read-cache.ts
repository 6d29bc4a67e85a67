/**
 * Answers of read endpoints that many clients poll (the run list), kept serialized until the store
 * changes: every write the server makes invalidates them; writes by other processes (a shared
 * PostgreSQL store) are picked up after `ttlMs`. Concurrent misses share one query.
 */
import type { ResultsStore } from '../results/store/index.js';

interface Entry {
  version: number;
  at: number;
  body: Promise<string>;
}

export class ReadCache {
  private version = 0;
  private readonly entries = new Map<string, Entry>();

  /** `ttlMs`: Infinity when no other process writes the store (the embedded store is exclusive). */
  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 500,
  ) {}

  invalidate(): void {
    this.version++;
    this.entries.clear();
  }

  /** The JSON text for `key`, computed once per store version (and TTL). */
  get(key: string, compute: () => Promise<unknown>): Promise<string> {
    const now = performance.now();
    const hit = this.entries.get(key);
    if (hit && hit.version === this.version && now - hit.at < this.ttlMs) return hit.body;
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    const version = this.version;
    const body = compute().then((v) => JSON.stringify(v));
    const entry = { version, at: now, body };
    this.entries.set(key, entry);
    // a failed query is not kept
    body.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return body;
  }
}

const WRITES = new Set([
  'createRun',
  'markRunning',
  'completeRun',
  'failRun',
  'saveRun',
  'failInterrupted',
  'deleteRun',
]);

/** The store with every write followed (and preceded) by `onWrite`. */
export function invalidatingStore(store: ResultsStore, onWrite: () => void): ResultsStore {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof prop !== 'string' || !WRITES.has(prop) || typeof value !== 'function') {
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      }
      return async (...args: unknown[]) => {
        onWrite();
        try {
          return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        } finally {
          onWrite();
        }
      };
    },
  });
}
