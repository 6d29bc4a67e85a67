/**
 * The signal vocabulary: a prediction says, at its timestamp (the decision time, using only data known
 * then), which way the asset moves over the next bar, how confident the model is, and the standard
 * deviation of that move (a decimal of the price).
 */

export type Signal = 'long' | 'short' | 'neutral';
export const SIGNALS: readonly Signal[] = ['long', 'short', 'neutral'];

/** +1 long, −1 short, 0 neutral. */
export type Direction = 1 | -1 | 0;

export function directionOf(s: Signal): Direction {
  return s === 'long' ? 1 : s === 'short' ? -1 : 0;
}

export function signalOf(d: number): Signal {
  return d > 0 ? 'long' : d < 0 ? 'short' : 'neutral';
}

/** Predictions in time order (strictly increasing timestamps), column-wise. */
export interface PredictionSet {
  /** Where they came from, for reports: `file preds.csv`, `http https://…`, `baseline (seed 42, …)`. */
  source: string;
  timestampsMs: Float64Array;
  /** +1 long, −1 short, 0 neutral. */
  direction: Int8Array;
  /** 0 .. 1. */
  confidence: Float64Array;
  /** Standard deviation of the predicted move, decimal (> 0). */
  sd: Float64Array;
}

/** What a signal source is asked for: predictions for the bars of a window on a grid. */
export interface SignalRequest {
  /** Perp symbol, e.g. BTCUSDT. */
  symbol: string;
  /** First and last bar open, UTC ms (inclusive). */
  startMs: number;
  endMs: number;
  /** Bar length, ms. */
  stepMs: number;
  /** Dataset root (the baseline trains on its candles). */
  dataDir: string;
  cacheDir?: string;
  /** Progress of long work (the baseline's walk-forward training), bars done of all. */
  onProgress?: (done: number, total: number) => void;
}

/** Facts about how a source produced its predictions (training time, retrains, ...), for the run's report. */
export type SignalReport = Record<string, unknown>;

export interface SignalSource {
  /** Short description for notes and reports (never a secret). */
  readonly name: string;
  load(req: SignalRequest): Promise<{ predictions: PredictionSet; report: SignalReport }>;
}

/** Predictions laid on a run's grid: index i = bar i. */
export interface GridSignals {
  /** +1, −1, 0 (neutral or no prediction for the bar). */
  direction: Int8Array;
  /** NaN where the bar has no prediction. */
  confidence: Float64Array;
  sd: Float64Array;
  /** Bars with a prediction. */
  covered: number;
  /** Predictions that map to a bar already given one (the later one wins). */
  superseded: number;
  /** Predictions outside the grid's window. */
  outside: number;
}

export function emptyPredictions(source: string): PredictionSet {
  return {
    source,
    timestampsMs: new Float64Array(0),
    direction: new Int8Array(0),
    confidence: new Float64Array(0),
    sd: new Float64Array(0),
  };
}

/**
 * Limits for signal sources of runs a server starts for API callers (docs/security.md): a predictions
 * file must resolve, symlinks followed, inside one of `fileRoots`; an http source may reach only
 * `allowedHosts` (`host` or `host:port`) and never follows a redirect. Errors name the source, never a
 * server path.
 */
export interface SignalSandbox {
  fileRoots: readonly string[];
  allowedHosts: readonly string[];
}
