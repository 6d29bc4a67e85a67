/** `basis signals generate|validate`: write the baseline model's predictions file; check a predictions file. */
import type { Command } from 'commander';
import { formatDuration, parseDurationMs } from '../../domain/duration.js';
import { parseDecimal } from '../../domain/decimal.js';
import { InputError } from '../../domain/errors.js';
import { iso, parseTime } from '../../engine/time.js';
import type { MlMode } from '../../strategies/ml/params.js';
import { out } from './util.js';

/** The config, data and model modules, loaded only when a signals command runs. */
async function deps() {
  const [config, schema, data, engine, ml, sig] = await Promise.all([
    import('../../strategies/modes.js'),
    import('../../config/signalsSchema.js'),
    import('../../data/index.js'),
    import('../../engine/backtest.js'),
    import('../../strategies/ml/plan.js'),
    import('../../signals/index.js'),
  ]);
  return {
    loadMode: config.loadMode,
    BaselineParamsSchema: schema.BaselineParamsSchema,
    describeCoverage: data.describeCoverage,
    readDatasetMarker: data.readDatasetMarker,
    resolveDataDir: engine.resolveDataDir,
    ML_SPOT_VENUE: ml.ML_SPOT_VENUE,
    BaselineSignalSource: sig.BaselineSignalSource,
    readPredictionsFile: sig.readPredictionsFile,
    writePredictionsCsv: sig.writePredictionsCsv,
  };
}

const MODELS = ['baseline'];

function duration(text: string | undefined, what: string): string | undefined {
  if (text === undefined) return undefined;
  if (parseDurationMs(text) === null)
    throw new InputError(`${what} "${text}" is not a duration like 5m, 12h or 30d`);
  return text;
}

export function registerSignals(program: Command): void {
  const signals = program.command('signals').description('ML signals: generate and check predictions files');
  signals
    .command('generate')
    .description(
      'train the built-in model walk-forward and write its predictions (timestamp,signal,confidence,sd)',
    )
    .requiredOption('--out <file>', 'predictions CSV to write')
    .option('--model <name>', `model (${MODELS.join(', ')})`, 'baseline')
    .option(
      '--mode <mode>',
      'ml_directional mode whose asset, bar_interval and signals.baseline to use',
      'ml_usdt_directional_usdt_margin',
    )
    .option('--start <date>', 'first bar, UTC (default: start of the candles)')
    .option('--end <date>', 'last bar, UTC (default: end of the candles)')
    .option('--data <dir>', 'dataset root (default: $BASIS_DATA_DIR, else the synthetic sample)')
    .option('--config <dir>', 'config directory')
    .option('--interval <duration>', 'bar interval (default: the mode’s bar_interval)')
    .option('--seed <n>', 'seed of the training subsample')
    .option('--train-window <duration>', 'history each fit uses, e.g. 30d')
    .option('--retrain-every <duration>', 'refit schedule, e.g. 1d')
    .option('--min-history <duration>', 'neutral until this much labelled history exists')
    .action(async (o) => {
      const {
        loadMode,
        BaselineParamsSchema,
        describeCoverage,
        readDatasetMarker,
        resolveDataDir,
        ML_SPOT_VENUE,
        BaselineSignalSource,
        writePredictionsCsv,
      } = await deps();
      if (!MODELS.includes(o.model))
        throw new InputError(
          `--model "${o.model}" is not available: the built-in model is ${MODELS.join(', ')} (bring your own model's predictions with signals.source file or http)`,
        );
      const mode = loadMode(o.mode, { configDir: o.config });
      if (mode.family !== 'ml_directional')
        throw new InputError(`--mode ${o.mode} is a ${mode.family} mode; expected an ml_directional mode`);
      const interval = duration(o.interval, '--interval') ?? (mode as MlMode).strategy.bar_interval ?? '5m';
      const stepMs = parseDurationMs(interval)!;
      if (stepMs % 300_000 !== 0 || 86_400_000 % stepMs !== 0)
        throw new InputError(`--interval ${interval}: expected a multiple of 5m that divides a day`);
      const seed =
        o.seed === undefined
          ? undefined
          : parseDecimal(o.seed, '--seed', { integer: true, min: 0, max: 4294967295 });
      const params = BaselineParamsSchema.parse({
        ...(mode.signals?.baseline ?? {}),
        ...(seed !== undefined ? { seed } : {}),
        ...(o.trainWindow ? { train_window: duration(o.trainWindow, '--train-window') } : {}),
        ...(o.retrainEvery ? { retrain_every: duration(o.retrainEvery, '--retrain-every') } : {}),
        ...(o.minHistory ? { min_history: duration(o.minHistory, '--min-history') } : {}),
      });
      const { dir } = resolveDataDir(o.data);
      const symbol = `${mode.asset}USDT`;
      const [meta] = describeCoverage(dir, [`cex.${ML_SPOT_VENUE}.${symbol}.spot.price`]);
      const startMs = o.start
        ? parseTime(o.start, '--start')
        : Math.ceil(meta.coverage.firstMs / stepMs) * stepMs;
      const endMs = o.end ? parseTime(o.end, '--end') : Math.floor(meta.coverage.lastMs / stepMs) * stepMs;
      for (const [what, ms] of [
        ['--start', startMs],
        ['--end', endMs],
      ] as const)
        if (ms % stepMs !== 0) throw new InputError(`${what} ${iso(ms)} is not on the ${interval} grid`);
      if (!(endMs > startMs)) throw new InputError(`the window ${iso(startMs)} .. ${iso(endMs)} is empty`);
      const src = new BaselineSignalSource(params, ML_SPOT_VENUE);
      const { predictions, report } = await src.load({ symbol, startMs, endMs, stepMs, dataDir: dir });
      const synthetic = readDatasetMarker(dir).synthetic;
      writePredictionsCsv(o.out, predictions, [
        `predictions of ${predictions.source}`,
        `window ${iso(startMs)} .. ${iso(endMs)}, ${formatDuration(stepMs)} bars; dataset ${dir}${synthetic ? ' (SYNTHETIC sample)' : ''}`,
        `each row: the decision at the bar opening at timestamp, from data known then; sd = 1-bar standard deviation (decimal)`,
      ]);
      out(
        `wrote ${predictions.timestampsMs.length} predictions to ${o.out} (${report.retrains} fits, first ${report.first_fit ?? 'none'}, ` +
          `direction accuracy ${typeof report.direction_accuracy === 'number' ? (report.direction_accuracy * 100).toFixed(2) + ' %' : 'n/a'}, ` +
          `training ${report.train_ms ?? 0} ms${report.cache === 'hit' ? ', from cache' : ''})`,
      );
    });
  signals
    .command('validate')
    .description('check a predictions file; one line naming the first problem')
    .argument('<file>')
    .action(async (file: string) => {
      const { readPredictionsFile } = await deps();
      const p = readPredictionsFile(file);
      const n = p.timestampsMs.length;
      let long = 0;
      let short = 0;
      for (const d of p.direction)
        if (d > 0) long++;
        else if (d < 0) short++;
      out(
        `${file}: ${n} predictions ${iso(p.timestampsMs[0])} .. ${iso(p.timestampsMs[n - 1])}: ${long} long, ${short} short, ${n - long - short} neutral`,
      );
    });
}
