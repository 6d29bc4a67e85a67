/** Options of a wall-clock run (`basis run`) and the clock it ticks on. */
import { InputError } from '../../domain/errors.js';
import type { WebhookOptions } from './notify.js';
import type { ReplayOptions } from './replay.js';

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const wallClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};

export interface LiveRunOptions {
  mode: string;
  /** One environment for every venue (`--environment`, else env ENVIRONMENT). */
  environment?: string;
  /** Environment preset name (config/environments). */
  preset?: string;
  /** Per-venue environments (`--venue-env binance=testnet`). */
  venueEnv?: Record<string, string>;
  /** Required when any venue runs live. */
  confirmLive: boolean;
  /** Share-class capital deposited into the wallet at the first tick of a new run. */
  capital?: number;
  /** Tick length, ms. */
  tickMs: number;
  /** Run id (directory under `runsDir`); a run with an existing journal resumes. Default `<mode>-<environment>`. */
  runId?: string;
  runsDir: string;
  /** Stop cleanly after this many ticks of this start (default: run until stopped). */
  maxTicks?: number;
  configDir?: string;
  overrides?: string[];
  processEnv?: NodeJS.ProcessEnv;
  /** Rows of the market-data grid before it is rebuilt (default 10 000). */
  gridCapacity?: number;
  /** Websocket prices (default true); REST only otherwise. */
  websocket?: boolean;
  /** Seed of the retry jitter (default: random). */
  seed?: number;
  clock?: Clock;
  /**
   * Replay recorded history (src/engine/live/replay.ts) instead of live market data: every venue
   * simulated, no network, a simulated clock; the tick is the data's step.
   */
  replay?: ReplayOptions;
  /** Webhook notifications (src/engine/live/notify.ts): alerts, fills, failures, liquidation distance. */
  webhook?: WebhookOptions;
  /** Progress lines (stdout in the CLI). */
  log?: (line: string) => void;
}

/** Parses a duration: `500ms`, `30s`, `5m`, `1h`, or a number of ms. */
export function parseDuration(text: string, what: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new InputError(`${what} "${text}" is not a duration; expected e.g. 500ms, 30s, 5m or 1h`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 'ms') as 'ms' | 's' | 'm' | 'h'];
  const ms = Number(m[1]) * unit;
  if (!(ms >= 10)) throw new InputError(`${what} "${text}" is too short; at least 10ms`);
  return ms;
}
