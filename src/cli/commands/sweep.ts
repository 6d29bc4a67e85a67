/** `basis sweep`: a grid or random search over config overrides × modes × windows, ranked; `basis worker`. */
import type { Command } from 'commander';
import { availableParallelism } from 'node:os';
import { parseDecimal } from '../../domain/decimal.js';
import { InputError } from '../../domain/errors.js';
import { ProgressBar } from '../progress.js';
import { STORE_OPTION, checkStoreFromOptions, storeFromOptions } from './store-options.js';
import { collect, out } from './util.js';
import type { SpecTexts } from '../../sweep/cli-spec.js';

/** The sweep spec's texts (src/sweep/cli-spec.ts) and the command's own options. */
interface SweepCliOptions extends SpecTexts {
  workers?: string;
  json?: string;
  id?: string;
  out: string;
  data?: string;
  config?: string;
  store?: string | boolean;
  queue?: string;
  quiet?: boolean;
  top: string;
}

export function registerSweep(program: Command): void {
  program
    .command('sweep')
    .description('grid or random search over config overrides × modes × windows, ranked by an objective')
    .requiredOption('--mode <mode>', 'strategy mode (repeatable: the sweep covers each)', collect, [])
    .option(
      '--grid <key=v1,v2,...>',
      'values of one override key, as --set takes them (repeatable: the product)',
      collect,
      [],
    )
    .option('--random <n>', 'draw N random parameter sets from the --range keys (combined with the grid)')
    .option(
      '--range <key=low:high>',
      'uniform range of a key for --random; integers when both ends are',
      collect,
      [],
    )
    .option('--seed <n>', 'seed of the random draws', '1')
    .option('--windows <list>', 'windows START..END, comma-separated (default: the data coverage)')
    .option(
      '--walk-forward <train=90d,test=30d>',
      'choose the parameters in-sample on rolling train windows, report the test windows',
    )
    .option('--capital <amount>', 'initial capital of every run (default: the mode share class default)')
    .option('--set <key.path=value>', 'override applied to every run (repeatable)', collect, [])
    .option(
      '--objective <metric>',
      'apy | total_return | sharpe | calmar | final_equity | max_drawdown | volatility',
      'apy',
    )
    .option(
      '--constraint <metric<value>',
      "e.g. 'max_drawdown<0.02' (repeatable; every one must hold)",
      collect,
      [],
    )
    .option('--workers <n>', 'worker threads (default: the cores; 0 = this thread)')
    .option('--queue <redis://host:port>', 'put the runs on a BullMQ queue for `basis worker` processes')
    .option('--id <id>', 'sweep id; a sweep restarted with the same id runs only what is left')
    .option('--json <file>', 'write every run (overrides, window, summary) and the ranking here')
    .option('--out <dir>', 'results directory; the sweep journal goes to <dir>/sweeps/<id>', 'results')
    .option('--data <dir>', 'dataset root (default: $BASIS_DATA_DIR, else the generated synthetic sample)')
    .option('--config <dir>', 'config directory (default: $BASIS_CONFIG_DIR, else ./config of the package)')
    .option('--top <n>', 'rows of the ranking to print', '20')
    .option('--quiet', 'no progress bar or table')
    .option('--no-store', 'do not save the runs in the results store')
    .option(STORE_OPTION.flags, STORE_OPTION.description)
    .action(async (o: SweepCliOptions) => {
      await sweepCommand(o);
    });
}

async function sweepCommand(o: SweepCliOptions): Promise<void> {
  // the engine loads only when the command runs (`basis --help` stays instant)
  const { buildSpec } = await import('../../sweep/cli-spec.js');
  const spec = buildSpec(o);
  const workers =
    o.workers === undefined
      ? availableParallelism()
      : parseDecimal(o.workers, '--workers', { min: 0, integer: true });
  const useStore = o.store !== false && o.queue === undefined;
  if (useStore) await checkStoreFromOptions(o);
  const [
    { prepareSweep, sweepDocument, rankRecords, walkForwardReport },
    { SweepJournal, newSweepId },
    table,
    objective,
  ] = await Promise.all([
    import('../../sweep/sweep.js'),
    import('../../sweep/journal.js'),
    import('../../sweep/table.js'),
    import('../../sweep/objective.js'),
  ]);
  const constraints = spec.constraints.map(objective.parseConstraint);
  const runs = prepareSweep(spec, { dataDir: o.data, configDir: o.config });
  const { join } = await import('node:path');
  const id = o.id ?? newSweepId();
  const journal = SweepJournal.open(join(o.out, 'sweeps'), id, spec, runs);
  const before = journal.done.size;
  const where = o.queue
    ? `queue ${o.queue}`
    : workers === 0
      ? 'this thread'
      : `${workers} worker thread${workers === 1 ? '' : 's'}`;
  if (!o.quiet)
    out(
      `sweep ${id}: ${runs.length} runs${before > 0 ? ` (${before} done before, ${runs.length - before} to run)` : ''} on ${where}`,
    );
  const bar = new ProgressBar(!o.quiet);
  const ac = new AbortController();
  const onSignal = (): void => ac.abort();
  process.once('SIGINT', onSignal);
  const t0 = performance.now();
  let executed = 0;
  try {
    if (o.queue) {
      const { runOnQueue } = await import('../../sweep/queue.js');
      executed = await runOnQueue(runs, journal, {
        url: o.queue,
        sweepId: id,
        signal: ac.signal,
        onRun: (_rec, done, total) => bar.update(done, total),
      });
    } else {
      const { runLocal } = await import('../../sweep/local.js');
      const store = useStore ? await storeFromOptions(o) : null;
      try {
        executed = await runLocal(runs, journal, {
          workers,
          dataDir: o.data,
          configDir: o.config,
          store,
          sweepId: id,
          signal: ac.signal,
          onRun: (_rec, done, total) => bar.update(done, total),
        });
      } finally {
        await store?.close();
      }
    }
  } finally {
    process.off('SIGINT', onSignal);
    bar.done();
  }
  const wallS = (performance.now() - t0) / 1000;
  const records = runs.map((r) => journal.done.get(r.key)).filter((r) => r !== undefined);
  if (o.json) {
    const { mkdirSync, writeFileSync } = await import('node:fs');
    const { dirname } = await import('node:path');
    mkdirSync(dirname(o.json), { recursive: true });
    writeFileSync(
      o.json,
      JSON.stringify(sweepDocument(id, spec, runs, journal.done, constraints), null, 2) + '\n',
    );
  }
  if (!o.quiet) {
    const top = parseDecimal(o.top, '--top', { min: 1, integer: true });
    if (spec.walkForward)
      out(table.formatWalkForward(walkForwardReport(records, spec.objective, constraints)));
    else {
      const ranking = rankRecords(records, spec.objective, constraints);
      out(table.formatRanking(ranking, spec.objective, top));
      // the guard rail: the best of many trials overstates what to expect out of sample
      out(
        `trials: ${ranking.length} parameter sets${spec.windows.length > 1 ? ` × ${spec.windows.length} windows` : ''}, ${ranking.filter((r) => r.feasible).length} feasible; the best of many trials is optimistic: --walk-forward measures it out of sample`,
      );
    }
    const failed = records.filter((r) => r.error).length;
    out(
      `ran ${executed} runs in ${wallS.toFixed(1)} s${failed > 0 ? `; ${failed} failed (errors in the table and --json)` : ''}; journal ${journal.dir}`,
    );
    if (o.json) out(`json:    ${o.json}`);
  }
  if (records.length < runs.length)
    throw new InputError(
      `sweep ${id} stopped with ${runs.length - records.length} of ${runs.length} runs left; resume with --id ${id}`,
    );
}

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('process sweep runs from a BullMQ queue (`basis sweep --queue`)')
    .requiredOption('--queue <redis://host:port>', 'the Redis server of the queue')
    .option('--concurrency <n>', 'runs at a time in this process', '1')
    .option('--name <name>', 'worker name recorded with each run (default: host:pid)')
    .option('--data <dir>', 'dataset root (default: $BASIS_DATA_DIR, else the generated synthetic sample)')
    .option('--config <dir>', 'config directory (default: $BASIS_CONFIG_DIR, else ./config of the package)')
    .option(
      '--lock-ms <ms>',
      'job lock duration: a worker silent this long has its job retried elsewhere',
      '30000',
    )
    .option('--stalled-ms <ms>', 'how often to look for jobs of workers that died', '30000')
    .option('--quiet', 'no line per job')
    .action(async (o) => {
      const { startQueueWorker } = await import('../../sweep/queue.js');
      const worker = await startQueueWorker({
        url: o.queue,
        concurrency: parseDecimal(o.concurrency, '--concurrency', { min: 1, integer: true }),
        name: o.name,
        dataDir: o.data,
        configDir: o.config,
        lockDurationMs: parseDecimal(o.lockMs, '--lock-ms', { min: 100, integer: true }),
        stalledIntervalMs: parseDecimal(o.stalledMs, '--stalled-ms', { min: 100, integer: true }),
        log: o.quiet ? undefined : (line: string) => out(line),
      });
      await new Promise<void>((resolve) => {
        const stop = (): void => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await worker.close();
    });
}
