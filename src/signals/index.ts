/**
 * Signal sources for the ml_directional family: a predictions file, an HTTP inference endpoint, or the
 * built-in baseline model trained walk-forward on the candles. All produce a validated PredictionSet that
 * `alignPredictions` lays on a run's grid. Formats and rules: docs/ml.md.
 */
import { SignalsSchema, type SignalsConfig } from '../config/signalsSchema.js';
import { realpathSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import { ConfigError, InputError } from '../domain/errors.js';
import { BaselineSignalSource } from './baseline/source.js';
import { FileSignalSource } from './file.js';
import { HttpSignalSource } from './http.js';
import type { SignalSandbox, SignalSource } from './types.js';

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

/** Checks a signals block against a sandbox before a run is queued (InputError naming the source). */
export function checkSignalSandbox(config: SignalsConfig | undefined, sandbox: SignalSandbox): void {
  if (!config) return;
  const shown = sourceName(config);
  if (config.source === 'file') containedFile(config.path!, sandbox, shown);
  if (config.source === 'http') checkHost(config.url!, sandbox, shown);
}

function sourceName(c: SignalsConfig): string {
  return c.use !== null ? `signal source ${c.use}` : `the ${c.source} signal source of the mode`;
}

function containedFile(path: string, sandbox: SignalSandbox, shown: string): string {
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    throw new InputError(`${shown}: its predictions file cannot be found on the server`);
  }
  for (const root of sandbox.fileRoots) {
    let r: string;
    try {
      r = realpathSync(root);
    } catch {
      continue;
    }
    const rel = relative(r, real);
    if (rel !== '' && !rel.startsWith('..') && !isAbsolute(rel)) return real;
  }
  throw new InputError(
    `${shown}: its predictions file is outside the server's signal roots (the operator registers files under them)`,
  );
}

function checkHost(url: string, sandbox: SignalSandbox, shown: string): void {
  const u = new URL(url);
  const ok = sandbox.allowedHosts.some((h) => {
    const x = h.toLowerCase();
    return x === u.host.toLowerCase() || x === u.hostname.toLowerCase();
  });
  if (!ok)
    throw new InputError(
      `${shown}: host ${u.host} is not one the operator allowed for outbound requests (basis serve --allow-host)`,
    );
}

/**
 * The source a mode's `signals:` block names (absent = the baseline with its defaults). `modeFile` is
 * named in configuration errors; `env` supplies the bearer token of the http source.
 */
export function createSignalSource(
  config: SignalsConfig | undefined,
  opts: { modeFile: string; spotVenue?: string; env?: NodeJS.ProcessEnv; sandbox?: SignalSandbox },
): SignalSource {
  const c = config ?? SignalsSchema.parse({});
  const sandbox = opts.sandbox;
  const shown = sourceName(c);
  switch (c.source) {
    case 'baseline':
      return new BaselineSignalSource(c.baseline, opts.spotVenue);
    case 'file':
      if (sandbox) return new FileSignalSource(containedFile(c.path!, sandbox, shown), shown);
      return new FileSignalSource(c.path!);
    case 'http': {
      if (sandbox) checkHost(c.url!, sandbox, shown);
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
        ...(sandbox ? { noRedirects: true } : {}),
      });
    }
  }
}
