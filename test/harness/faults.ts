/**
 * Faults injected by the local exchanges, on demand or at random with a seeded generator:
 * - `rate_limit`: HTTP 429 before the request is processed;
 * - `server_error`: HTTP 5xx before it is processed;
 * - `timeout`: the request is processed and the answer is lost: never sent, so the client times out, or
 *   the connection closed (ExchangeServer.lostAnswer);
 * - `timeout_unprocessed`: the request is dropped unprocessed and its answer lost the same way;
 * - `unknown`: the request is processed and the answer is a 5xx (Binance -1007 "execution status unknown");
 * - `reject`: an order is refused with a business error;
 * - `partial`: an order fills only partly (the rest is cancelled);
 * - `late`: an order is never answered and is processed late — only when the test releases the exchange's
 *   late queue (`ExchangeServer.releaseLate()`), i.e. after every lookup the client made missed it;
 * - `ws_drop`: websocket connections are closed.
 * A request without an answer is held until the client gives up (its timeout), or, with
 * `ExchangeServer.lostAnswer = 'reset'`, its connection is dropped at once — the client sees the same
 * unknown outcome without waiting for a timeout.
 */
import { seededRandom, type Random } from '../../src/domain/retry.js';

export const FAULT_KINDS = [
  'rate_limit',
  'server_error',
  'timeout',
  'timeout_unprocessed',
  'unknown',
  'reject',
  'partial',
] as const;
/** Faults that are only injected on demand (`next`, `always`), never drawn at random. */
export type FaultKind = (typeof FAULT_KINDS)[number] | 'ws_drop' | 'late';

/** Faults that only make sense for an order submission. */
const ORDER_ONLY: ReadonlySet<FaultKind> = new Set(['reject', 'partial', 'late']);

export interface FaultPlanOptions {
  /** Probability that a request fails, 0..1. */
  rate: number;
  seed: number;
  /** Relative weights of the fault kinds drawn at random (default: all equal). */
  weights?: Partial<Record<(typeof FAULT_KINDS)[number], number>>;
  /** Only these paths may fail (substring match); default every path. */
  paths?: string[];
}

export class FaultPlan {
  private random: Random = seededRandom(1);
  private options: FaultPlanOptions | null = null;
  private queue: FaultKind[] = [];
  private standing: { fault: FaultKind; ordersOnly: boolean } | null = null;
  readonly injected = new Map<FaultKind, number>();

  /** Fails requests at random from now on. */
  randomly(options: FaultPlanOptions): void {
    this.options = options;
    this.random = seededRandom(options.seed);
  }

  /** The next requests fail with these faults, in order (before any random ones). */
  next(...faults: FaultKind[]): void {
    this.queue.push(...faults);
  }

  /**
   * Every request from now on fails with this fault — or every order submission (`orders`, always so for
   * the order-only faults) — until `off`.
   */
  always(fault: FaultKind, scope: 'all' | 'orders' = 'all'): void {
    this.standing = { fault, ordersOnly: scope === 'orders' || ORDER_ONLY.has(fault) };
  }

  off(): void {
    this.options = null;
    this.queue = [];
    this.standing = null;
  }

  /** The fault for a request, or null. `isOrder`: an order submission. */
  draw(path: string, isOrder: boolean): FaultKind | null {
    if (this.queue.length > 0) {
      const i = this.queue.findIndex((f) => isOrder || !ORDER_ONLY.has(f));
      if (i >= 0) return this.count(this.queue.splice(i, 1)[0]);
    }
    if (this.standing && (isOrder || !this.standing.ordersOnly)) return this.count(this.standing.fault);
    const o = this.options;
    if (!o || o.rate <= 0) return null;
    if (o.paths && !o.paths.some((p) => path.includes(p))) return null;
    if (this.random() >= o.rate) return null;
    const kinds = FAULT_KINDS.filter((k) => isOrder || !ORDER_ONLY.has(k));
    const weights = kinds.map((k) => o.weights?.[k] ?? 1);
    const total = weights.reduce((s, w) => s + w, 0);
    let x = this.random() * total;
    for (let i = 0; i < kinds.length; i++) {
      x -= weights[i];
      if (x < 0) return weights[i] > 0 ? this.count(kinds[i]) : null;
    }
    return null;
  }

  /** Draws a fill fraction for a partial fill, in [0.2, 0.8). */
  fraction(): number {
    return 0.2 + 0.6 * this.random();
  }

  private count(f: FaultKind): FaultKind {
    this.injected.set(f, (this.injected.get(f) ?? 0) + 1);
    return f;
  }
}
