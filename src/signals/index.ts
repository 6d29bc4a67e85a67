/**
 * Signal sources for the ml_directional family: a predictions file, an HTTP inference endpoint, or the
 * built-in baseline model trained walk-forward on the candles. All produce a validated PredictionSet that
 * `alignPredictions` lays on a run's grid. Formats and rules: docs/ml.md.
 */
import { SignalsSchema, type SignalsConfig } from '../config/signalsSchema.js';
import { ConfigError } from '../domain/errors.js';
import { BaselineSignalSource } from './baseline/source.js';
import { FileSignalSource } from './file.js';
import { HttpSignalSource } from './http.js';
import type { SignalSource } from './types.js';

export type * from './types.js';
export { directionOf, emptyPredictions, signalOf, SIGNALS } from './types.js';
export { alignPredictions } from './align.js';
export {
  FileSignalSource,
  parsePredictionsCsv,
  readPredictionsFile,
  writePredictionsCsv,
  PREDICTION_COLUMNS,
} from './file.js';
export { HttpSignalSource } from './http.js';
export type { HttpSourceOptions } from './http.js';
export { BaselineSignalSource, baselineParams } from './baseline/source.js';
export { computeFeatures, FEATURE_NAMES, WARMUP_BARS } from './baseline/features.js';
export { fitLogistic, predictRow, sigmoid } from './baseline/logistic.js';
export { walkForward } from './baseline/walkforward.js';

/**
 * The source a mode's `signals:` block names (absent = the baseline with its defaults). `modeFile` is
 * named in configuration errors; `env` supplies the bearer token of the http source.
 */
export function createSignalSource(
  config: SignalsConfig | undefined,
  opts: { modeFile: string; spotVenue?: string; env?: NodeJS.ProcessEnv },
): SignalSource {
  const c = config ?? SignalsSchema.parse({});
  switch (c.source) {
    case 'baseline':
      return new BaselineSignalSource(c.baseline, opts.spotVenue);
    case 'file':
      return new FileSignalSource(c.path!);
    case 'http': {
      let token: string | null = null;
      if (c.token_env !== null) {
        token = (opts.env ?? process.env)[c.token_env] ?? null;
        if (!token)
          throw new ConfigError(
            opts.modeFile,
            'signals.token_env',
            `environment variable ${c.token_env} is not set (the bearer token of ${new URL(c.url!).origin})`,
          );
      }
      return new HttpSignalSource({
        url: c.url!,
        token,
        timeoutMs: c.timeout_ms,
        retries: c.retries,
        batchBars: c.batch_bars,
      });
    }
  }
}
