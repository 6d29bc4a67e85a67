/**
 * Retries with exponential backoff and full jitter, for retryable venue errors only (rate limits, 5xx,
 * network failures and timeouts: `VenueError.retryable`). Anything else is thrown at once.
 *
 * Delay before attempt n+1 (n ≥ 1): uniform in [0, min(maxMs, baseMs × 2^(n−1))] ("full jitter"), so
 * clients that fail together do not retry together.
 */
import { VenueError } from './errors.js';

export interface RetryPolicy {
  /** Attempts in all, ≥ 1 (1 = no retry). */
  attempts: number;
  /** Backoff before the first retry, ms. */
  baseMs: number;
  /** Cap of the backoff, ms. */
  maxMs: number;
}

/** The mode's retry policy (`execution` block): max_retries + 1 attempts, backoff from retry_base_ms to retry_max_ms. */
export function retryPolicy(e: {
  max_retries: number;
  retry_base_ms: number;
  retry_max_ms: number;
}): RetryPolicy {
  return { attempts: e.max_retries + 1, baseMs: e.retry_base_ms, maxMs: e.retry_max_ms };
}

/** Source of randomness in [0, 1); seeded in tests. */
export type Random = () => number;

export type Sleep = (ms: number) => Promise<void>;

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Backoff before retry number `retry` (1-based). */
export function backoffMs(policy: RetryPolicy, retry: number, random: Random): number {
  const cap = Math.min(policy.maxMs, policy.baseMs * 2 ** (retry - 1));
  return Math.floor(random() * cap);
}

export function isRetryable(err: unknown): boolean {
  return err instanceof VenueError && err.retryable;
}

export interface RetryHooks {
  random?: Random;
  sleep?: Sleep;
  /** Called before each retry with the error that caused it and the delay chosen. */
  onRetry?: (err: VenueError, retry: number, delayMs: number) => void;
  /** Checked before each retry; returning false stops retrying (e.g. the venue's breaker opened). */
  mayRetry?: () => boolean;
}

/** Runs `fn` until it succeeds, a non-retryable error is thrown, or the attempts are used up. */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
  hooks: RetryHooks = {},
): Promise<T> {
  const random = hooks.random ?? Math.random;
  const sleep = hooks.sleep ?? realSleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (!isRetryable(err) || attempt >= policy.attempts) throw err;
      if (hooks.mayRetry && !hooks.mayRetry()) throw err;
      const delay = backoffMs(policy, attempt, random);
      hooks.onRetry?.(err as VenueError, attempt, delay);
      await sleep(delay);
    }
  }
}

/** mulberry32: a small seeded generator for reproducible jitter and fault injection. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
