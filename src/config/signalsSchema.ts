/**
 * The `signals:` block of an ml_directional mode: where the model's predictions come from.
 *
 * ```yaml
 * signals:
 *   source: baseline        # baseline | file | http
 *   path: preds.csv         # file: a predictions CSV (timestamp,signal,confidence,sd)
 *   url: http://127.0.0.1:8080/predict   # http: the inference endpoint (POST, JSON)
 *   token_env: BASIS_ML_TOKEN            # http: environment variable holding the bearer token
 *   timeout_ms: 10000       # http: per request
 *   retries: 3              # http: retries of timeouts, network errors, 429 and 5xx
 *   batch_bars: 5000        # http: bars asked for per request
 *   baseline: { seed: 42, train_window: 30d, retrain_every: 1d, min_history: 7d, l2: 1, sample_fraction: 0.8 }
 * ```
 *
 * Keys of the other sources may stay in the block (so `--set signals.source=file --set signals.path=x.csv`
 * works on a mode that ships with the baseline); only the chosen source's keys are read. Details: docs/ml.md.
 */
import { z } from 'zod';
import { DURATION_RE } from '../domain/duration.js';

const duration = z
  .string()
  .regex(DURATION_RE, 'expected a duration like 5m, 12h or 30d')
  .meta({ caller: 'duration' });

export const BaselineParamsSchema = z
  .object({
    /** Seed of the training-row subsample drawn at each retrain. Default 42. */
    seed: z.number().int().min(0).max(4294967295).default(42),
    /** Rows of this much history (before the retrain time) train the model. Default 30d. */
    train_window: duration.default('30d'),
    /** The model is refitted on this schedule (aligned to UTC). Default 1d. */
    retrain_every: duration.default('1d'),
    /** No prediction (neutral) until this much history with labels exists. Default 7d. */
    min_history: duration.default('7d'),
    /** L2 penalty on the standardised weights (not the intercept). Default 1. */
    l2: z.number().nonnegative().default(1),
    /** Fraction of the window's rows drawn (seeded) to fit each model. Default 0.8. */
    sample_fraction: z.number().gt(0).max(1).default(0.8),
  })
  .strict();
export type BaselineParams = z.infer<typeof BaselineParamsSchema>;

const envName = z
  .string()
  .regex(/^[A-Z_][A-Z0-9_]*$/, 'expected an environment variable name like BASIS_ML_TOKEN');

/** A file source needs its path, an http source its url (in a mode's block and in a registered source). */
function requireSourceKeys(
  s: { source: string; path?: string | null; url?: string | null },
  ctx: z.RefinementCtx,
): void {
  if (s.source === 'file' && (s.path ?? null) === null)
    ctx.addIssue({ code: 'custom', path: ['path'], message: 'required when source is file' });
  if (s.source === 'http' && (s.url ?? null) === null)
    ctx.addIssue({ code: 'custom', path: ['url'], message: 'required when source is http' });
}

/** Name of a signal source the operator registered in `config/signal_sources/<name>.yaml`. */
export const SIGNAL_SOURCE_NAME = /^[a-z0-9_]{1,64}$/;

export const SignalsSchema = z
  .object({
    /**
     * A source the operator registered by name (`config/signal_sources/<name>.yaml`): its source, path,
     * url and token_env replace this block's. The only way an API caller chooses a file or http source.
     */
    use: z
      .string()
      .regex(SIGNAL_SOURCE_NAME, 'expected a registered signal source name (lower-case letters, digits, "_")')
      .nullable()
      .default(null)
      .meta({ caller: 'signal_source' }),
    /** Where predictions come from; an operator's setting (API callers pick a registered source with `use`). */
    source: z.enum(['baseline', 'file', 'http']).default('baseline').meta({ caller: false }),
    /** file: path of the predictions CSV (relative paths from the working directory). */
    path: z.string().min(1).nullable().default(null),
    /** http: URL of the inference endpoint. */
    url: z
      .url({ protocol: /^https?$/ })
      .nullable()
      .default(null),
    /** http: name of the environment variable holding the bearer token (never the token itself). */
    token_env: envName.nullable().default(null),
    /** http: timeout of one request, ms. Default 10000. */
    timeout_ms: z.number().int().min(100).max(600_000).default(10_000),
    /** http: retries of a timed-out, failed, 429 or 5xx request (exponential backoff). Default 3. */
    retries: z.number().int().min(0).max(10).default(3),
    /** http: bars per request. Default 5000. */
    batch_bars: z.number().int().min(1).max(1_000_000).default(5000),
    baseline: BaselineParamsSchema.default(BaselineParamsSchema.parse({})),
  })
  .strict()
  .superRefine(requireSourceKeys);
export type SignalsConfig = z.infer<typeof SignalsSchema>;

/**
 * `config/signal_sources/<name>.yaml`: a file or http source the operator makes available by name.
 * A relative `path` is resolved from the folder of this file.
 */
export const SignalSourceFileSchema = z
  .object({
    name: z.string().regex(SIGNAL_SOURCE_NAME),
    description: z.string().default(''),
    source: z.enum(['file', 'http']),
    path: z.string().min(1).optional(),
    url: z.url({ protocol: /^https?$/ }).optional(),
    token_env: envName.optional(),
  })
  .strict()
  .superRefine(requireSourceKeys);
export type SignalSourceFile = z.infer<typeof SignalSourceFileSchema>;
