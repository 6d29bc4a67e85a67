/**
 * The `basis` command. Every failure prints one line on stderr and exits non-zero.
 */
import { Command, CommanderError } from 'commander';
import { listModes, loadMode, validateConfigDir } from '../config/index.js';
import { ensureSampleDataset, generateSampleDataset } from '../data/index.js';
import { BasisError, InputError } from '../domain/errors.js';
import { runBacktest } from '../engine/backtest.js';
import { parseFlow } from '../engine/flows.js';
import { parseTime } from '../engine/time.js';
import { writeRunFiles } from '../results/files.js';
import { formatSummary } from './table.js';
import { ProgressBar } from './progress.js';

const collect = (v: string, acc: string[]) => [...acc, v];

export async function main(argv: string[]): Promise<number> {
  const out = (s: string): void => {
    process.stdout.write(s.endsWith('\n') ? s : s + '\n');
  };
  const program = new Command('basis')
    .description('Backtest and run multi-venue crypto yield strategies')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  program
    .command('backtest')
    .description('backtest a strategy mode over historical (or the synthetic sample) data')
    .requiredOption('--mode <mode>', 'strategy mode (see `basis modes`)')
    .option(
      '--start <date>',
      'window start, UTC (YYYY-MM-DD or YYYY-MM-DDTHH:MM); default: start of data coverage',
    )
    .option('--end <date>', 'window end, UTC, inclusive; default: end of data coverage')
    .option('--capital <amount>', 'initial capital in share-class units', '100000')
    .option('--data <dir>', 'dataset root (default: $BASIS_DATA_DIR, else the generated synthetic sample)')
    .option('--config <dir>', 'config directory (default: $BASIS_CONFIG_DIR, else ./config of the package)')
    .option('--set <key.path=value>', 'override a mode config value (repeatable)', collect, [])
    .option('--deposit <date=amount>', 'deposit on a date (repeatable)', collect, [])
    .option('--withdraw <date=amount>', 'withdraw on a date (repeatable)', collect, [])
    .option('--json <file>', 'write the summary JSON here (series CSV and events JSONL beside it)')
    .option('--out <dir>', 'results directory when --json is not given', 'results')
    .option('--quiet', 'no progress bar or table')
    .action(async (o) => {
      const capital = Number(o.capital);
      if (!Number.isFinite(capital) || capital <= 0)
        throw new InputError(`--capital must be a positive number, was "${o.capital}"`);
      const bar = new ProgressBar(!o.quiet);
      const run = await runBacktest({
        mode: o.mode,
        startMs: o.start === undefined ? undefined : parseTime(o.start, '--start'),
        endMs: o.end === undefined ? undefined : parseTime(o.end, '--end'),
        capital,
        dataDir: o.data,
        configDir: o.config,
        overrides: o.set,
        deposits: (o.deposit as string[]).map((d) => parseFlow(d, '--deposit')),
        withdrawals: (o.withdraw as string[]).map((d) => parseFlow(d, '--withdraw')),
        onProgress: (done, total) => bar.update(done, total),
      });
      bar.done();
      const files = writeRunFiles(run, { jsonPath: o.json, outDir: o.out });
      if (!o.quiet) {
        out(formatSummary(run.summary));
        out(`summary: ${files.summary}\nseries:  ${files.series}\nevents:  ${files.events}`);
      }
    });

  program
    .command('modes')
    .description('list strategy modes with their descriptions')
    .option('--config <dir>', 'config directory')
    .action((o) => {
      for (const name of listModes(o.config)) {
        const m = loadMode(name, { configDir: o.config });
        out(
          `${name.padEnd(36)} ${m.share_class.padEnd(5)} ${m.family.padEnd(15)} ${m.description.split('\n')[0]}`,
        );
      }
    });

  const config = program.command('config').description('configuration tools');
  config
    .command('validate')
    .description('validate every mode, venue, share class and environment file')
    .option('--config <dir>', 'config directory')
    .action((o) => {
      const r = validateConfigDir(o.config);
      for (const c of r.checked) out(`ok  ${c}`);
      for (const p of r.problems) process.stderr.write(`ERR ${p}\n`);
      if (!r.ok) throw new InputError(`${r.problems.length} configuration problem(s) found`);
      out(`${r.checked.length} files valid`);
    });
  config
    .command('show')
    .description('print a mode config as resolved (defaults and overrides applied) as JSON')
    .argument('<mode>')
    .option('--config <dir>', 'config directory')
    .option('--set <key.path=value>', 'override (repeatable)', collect, [])
    .action((mode: string, o) => {
      out(JSON.stringify(loadMode(mode, { configDir: o.config, overrides: o.set }), null, 2));
    });

  const data = program.command('data').description('dataset tools');
  data
    .command('sample')
    .description('generate the deterministic synthetic sample dataset')
    .option('--dir <dir>', 'target directory (default .basis/sample-data)')
    .option('--seed <n>', 'PRNG seed', '42')
    .action((o) => {
      if (o.dir) {
        generateSampleDataset(o.dir, { seed: Number(o.seed) });
        out(`synthetic sample written to ${o.dir}`);
      } else out(`synthetic sample at ${ensureSampleDataset()}`);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof BasisError) {
      process.stderr.write(`basis: ${err.message.split('\n')[0]}\n`);
      return 1;
    }
    throw err;
  }
}
