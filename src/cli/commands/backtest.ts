/** `basis backtest`: one backtest, summary table, files. */
import type { Command } from 'commander';
import { parseDecimal } from '../../domain/decimal.js';
import { parseFlow } from '../../engine/flows.js';
import { parseTime } from '../../engine/time.js';
import { STORE_OPTION, checkStoreFromOptions, storeFromOptions } from './store-options.js';
import { ProgressBar } from '../progress.js';
import { formatSummary } from '../table.js';
import { collect, out } from './util.js';

export function registerBacktest(program: Command): void {
  program
    .command('backtest')
    .description('backtest a strategy mode over historical (or the synthetic sample) data')
    .requiredOption('--mode <mode>', 'strategy mode (see `basis modes`)')
    .option(
      '--start <date>',
      'window start, UTC (YYYY-MM-DD or YYYY-MM-DDTHH:MM); default: start of data coverage',
    )
    .option('--end <date>', 'window end, UTC, inclusive; default: end of data coverage')
    .option(
      '--capital <amount>',
      'initial capital in share-class units (default: 100000 USDT, 50 ETH or 2 BTC by the mode)',
    )
    .option('--data <dir>', 'dataset root (default: $BASIS_DATA_DIR, else the generated synthetic sample)')
    .option('--config <dir>', 'config directory (default: $BASIS_CONFIG_DIR, else ./config of the package)')
    .option('--set <key.path=value>', 'override a mode config value (repeatable)', collect, [])
    .option('--deposit <date=amount>', 'deposit on a date (repeatable)', collect, [])
    .option('--withdraw <date=amount>', 'withdraw on a date (repeatable)', collect, [])
    .option('--json <file>', 'write the summary JSON here (series CSV and events JSONL beside it)')
    .option('--out <dir>', 'results directory when --json is not given', 'results')
    .option('--quiet', 'no progress bar or table')
    .option('--no-store', 'do not save the run in the results store')
    .option(STORE_OPTION.flags, STORE_OPTION.description)
    .action(async (o) => {
      const capital =
        o.capital === undefined
          ? undefined
          : parseDecimal(o.capital, '--capital', { min: 0, exclusiveMin: true });
      if (o.store !== false) await checkStoreFromOptions(o);
      // the engine and the writers load only when the command runs (`basis --help` stays instant)
      const [{ runBacktest, partialRunOf }, { writeRunFiles }, { saveCliRun }] = await Promise.all([
        import('../../results/run.js'),
        import('../../results/files.js'),
        import('./backtest-store.js'),
      ]);
      const bar = new ProgressBar(!o.quiet);
      const options = {
        mode: o.mode,
        startMs: o.start === undefined ? undefined : parseTime(o.start, '--start'),
        endMs: o.end === undefined ? undefined : parseTime(o.end, '--end'),
        capital,
        dataDir: o.data,
        configDir: o.config,
        overrides: o.set,
        deposits: (o.deposit as string[]).map((d) => parseFlow(d, '--deposit')),
        withdrawals: (o.withdraw as string[]).map((d) => parseFlow(d, '--withdraw')),
        onProgress: (done: number, total: number) => bar.update(done, total),
        onPhase: (phase: string, done: number, total: number) => bar.phase(phase, done, total),
      };
      // what makes this run a variant of the mode: its results folder carries a hash of it
      const variant = [
        ...(o.set as string[]).map((x) => `set ${x}`),
        ...(o.capital === undefined ? [] : [`capital ${capital}`]),
        ...(o.deposit as string[]).map((x) => `deposit ${x}`),
        ...(o.withdraw as string[]).map((x) => `withdraw ${x}`),
      ];
      let run;
      try {
        run = await runBacktest(options);
      } catch (err) {
        bar.done();
        // a run that stopped mid-way is written (files and store, status failed) with what it recorded
        const partial = partialRunOf(err);
        if (partial) {
          const files = writeRunFiles(partial, { jsonPath: o.json, outDir: o.out, variant });
          const saved =
            o.store === false
              ? null
              : await saveCliRun(await storeFromOptions(o), o, partial, partial.summary.error);
          out(
            `run failed after ${partial.summary.steps} steps (up to ${partial.summary.end}); what it recorded: ${files.summary}${saved ? `, run ${saved.id} (status failed)` : ''}`,
          );
        }
        throw err;
      }
      bar.done();
      const files = writeRunFiles(run, { jsonPath: o.json, outDir: o.out, variant });
      const saved = o.store === false ? null : await saveCliRun(await storeFromOptions(o), o, run);
      if (!o.quiet) {
        out(formatSummary(run.summary));
        out(`summary: ${files.summary}\nseries:  ${files.series}\nevents:  ${files.events}`);
        if (saved)
          out(`run:     ${saved.id} (results store ${saved.location}; \`basis runs show ${saved.id}\`)`);
      }
    });
}
