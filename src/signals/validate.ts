/**
 * Validation shared by every source of predictions: each row must carry a known signal (long, short,
 * neutral), a confidence in [0, 1], a standard deviation > 0, and a timestamp strictly after the previous
 * row's. The first problem is a one-line DataError naming where it is (file and line, or the HTTP item).
 */
import { DataError } from '../domain/errors.js';
import { formatIsoSecondUtc } from '../data/timestamps.js';
import { SIGNALS, type PredictionSet, type Signal } from './types.js';

export class PredictionBuilder {
  private ts: number[] = [];
  private dir: number[] = [];
  private conf: number[] = [];
  private sdv: number[] = [];
  private lastWhere = '';

  /** `file` names the file (or endpoint) in messages. */
  constructor(private readonly file?: string) {}

  /**
   * Adds one prediction; `where` locates it for messages (`preds.csv line 17`, `http … predictions[3]`).
   * `timeMs` NaN means the timestamp text did not parse (`timestampText` is shown).
   */
  add(
    where: string,
    timeMs: number,
    timestampText: string,
    signal: string,
    confidence: number,
    sd: number,
  ): void {
    const fail = (problem: string): never => {
      throw new DataError(`${where}: ${problem}`, undefined, this.file);
    };
    if (!(timeMs === timeMs)) fail(`column timestamp: "${timestampText}" is not a valid timestamp`);
    if (!(SIGNALS as readonly string[]).includes(signal))
      fail(`column signal: "${signal}" is not one of ${SIGNALS.join(', ')}`);
    if (!Number.isFinite(confidence) || confidence < 0 || confidence > 1)
      fail(`column confidence: ${confidence} must be a number between 0 and 1`);
    if (!Number.isFinite(sd) || sd <= 0)
      fail(`column sd: ${sd} must be a number > 0 (the decimal standard deviation of the move, e.g. 0.004)`);
    const n = this.ts.length;
    if (n > 0) {
      const prev = this.ts[n - 1];
      if (timeMs === prev)
        fail(
          `duplicate timestamp ${formatIsoSecondUtc(timeMs)} (also at ${this.lastWhere}); one prediction per time`,
        );
      if (timeMs < prev)
        fail(
          `timestamp ${formatIsoSecondUtc(timeMs)} is before the previous row's ${formatIsoSecondUtc(prev)} (${this.lastWhere}); rows must be sorted by time`,
        );
    }
    this.ts.push(timeMs);
    this.dir.push(signal === 'long' ? 1 : signal === 'short' ? -1 : 0);
    this.conf.push(confidence);
    this.sdv.push(sd);
    this.lastWhere = where;
  }

  get length(): number {
    return this.ts.length;
  }

  build(source: string): PredictionSet {
    return {
      source,
      timestampsMs: Float64Array.from(this.ts),
      direction: Int8Array.from(this.dir),
      confidence: Float64Array.from(this.conf),
      sd: Float64Array.from(this.sdv),
    };
  }
}

export type { Signal };
