/**
 * `basis run`: trade a mode on a wall clock — paper (simulation), testnet or live — with a durable
 * journal; `basis run status|deposit|withdraw|stop` talk to a running (or stopped) run.
 */
import type { Command } from 'commander';
import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseDecimal } from '../../domain/decimal.js';
import { InputError } from '../../domain/errors.js';
import { RunControl, runPaths } from '../../engine/live/control.js';
import { parseWebhook } from '../../engine/live/notify.js';
import { parseDuration } from '../../engine/live/options.js';
import { parseTime } from '../../engine/time.js';
import type { LiveRunner } from '../../engine/live/runner.js';
import { formatSummary } from '../table.js';
import { STORE_OPTION, checkStoreFromOptions, storeFromOptions } from './store-options.js';
import { collect, out } from './util.js';

/**
 * The end of a replay, as the end of a backtest: the summary table, the summary / series / events files
 * and the results store entry (the backtest's writers; its results folder carries the `replay` variant).
 */
async function saveReplay(runner: LiveRunner, o: Record<string, unknown>): Promise<void> {
  const run = runner.replayRun();
  if (!run) return;
  const [{ summariseRun }, { writeRunFiles }, { saveCliRun }] = await Promise.all([
    import('../../results/run.js'),
    import('../../results/files.js'),
    import('./backtest-store.js'),
  ]);
  const done = summariseRun(run);
  const set = o.set as string[];
  const variant = [
    'replay',
    ...set.map((x) => `set ${x}`),
    ...(o.capital === undefined ? [] : [`capital ${o.capital}`]),
  ];
  const files = writeRunFiles(done, {
    jsonPath: o.json as string | undefined,
    outDir: o.out as string,
    variant,
  });
  const request = {
    mode: o.mode as string,
    start: o.from as string | undefined,
    end: o.to as string | undefined,
    capital: o.capital as string | undefined,
    set,
    deposit: [],
    withdraw: [],
  };
  const saved =
    o.store === false ? null : await saveCliRun(await storeFromOptions(o), request, done, done.summary.error);
  if (o.quiet) return;
  out(formatSummary(done.summary));
  out(`summary: ${files.summary}\nseries:  ${files.series}\nevents:  ${files.events}`);
  if (saved) out(`run:     ${saved.id} (results store ${saved.location}; \`basis runs show ${saved.id}\`)`);
}

export interface RunListing {
  runId: string;
  mode: string | null;
  /** The state of its last status, `no status` before its first tick. */
  state: string;
  alive: boolean;
  tick: number | null;
  time: string | null;
  equity: number | null;
  shareClass: string | null;
}

/** The runs (directories with a journal) under `runsDir`, by run id. */
export function listRuns(runsDir: string): RunListing[] {
  if (!existsSync(runsDir)) return [];
  const runs: RunListing[] = [];
  for (const name of readdirSync(runsDir).sort()) {
    let c: RunControl;
    try {
      c = new RunControl(runPaths(runsDir, name));
    } catch {
      continue; // not a run id
    }
    if (!existsSync(c.paths.journal)) continue;
    const st = c.status() ?? {};
    const str = (k: string) => (typeof st[k] === 'string' ? (st[k] as string) : null);
    const numOf = (k: string) => (typeof st[k] === 'number' ? (st[k] as number) : null);
    runs.push({
      runId: name,
      mode: str('mode'),
      state: str('state') ?? 'no status',
      alive: c.runnerPid() !== null,
      tick: numOf('tick'),
      time: str('time'),
      equity: numOf('equity'),
      shareClass: str('shareClass'),
    });
  }
  return runs;
}

/** Left-aligned columns separated by two spaces. */
function formatRows(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

const DEFAULT_RUNS_DIR = 'runs';

function positive(text: string, what: string): number {
  return parseDecimal(text, what, { min: 0, exclusiveMin: true });
}

function control(o: { runId: string; runsDir: string }): RunControl {
  return new RunControl(runPaths(resolve(o.runsDir), o.runId));
}

export function registerRun(program: Command): void {
  const run = program
    .command('run')
    .description('trade a mode on a wall clock: paper (simulation), testnet or live, with a durable journal')
    .option('--mode <mode>', 'strategy mode (see `basis modes`)')
    .option('--environment <env>', 'simulation | testnet | live for every venue (default: $ENVIRONMENT)')
    .option('--preset <name>', 'per-venue environments from config/environments/<name>.yaml')
    .option('--venue-env <venue=env>', 'environment of one venue, applied last (repeatable)', collect, [])
    .option('--confirm-live', 'required when any venue trades live (real money)')
    .option('--capital <amount>', 'share-class capital deposited at the first tick of a new run')
    .option('--tick <duration>', 'tick length, e.g. 1h, 5m, 30s', '1h')
    .option('--run-id <id>', 'run id (a run with a journal resumes); default <mode>-<environment|preset>')
    .option('--runs-dir <dir>', 'directory of run journals', DEFAULT_RUNS_DIR)
    .option('--max-ticks <n>', 'stop cleanly after this many ticks')
    .option('--no-websocket', 'read prices over REST only')
    .option('--config <dir>', 'config directory (default: $BASIS_CONFIG_DIR, else ./config of the package)')
    .option('--set <key.path=value>', 'override a mode config value (repeatable)', collect, [])
    .option('--replay', 'replay recorded history (every venue simulated, no network) on a simulated clock')
    .option('--from <date>', 'replay window start, UTC (default: start of data coverage)')
    .option('--to <date>', 'replay window end, UTC, inclusive (default: end of data coverage)')
    .option('--speed <n>', 'replay speed: 0 as fast as the runner goes, N N× real time', '0')
    .option('--data <dir>', 'replay dataset root (default: $BASIS_DATA_DIR, else the generated sample)')
    .option('--json <file>', 'replay: write the summary JSON here (series CSV and events JSONL beside it)')
    .option('--out <dir>', 'replay: results directory when --json is not given', 'results')
    .option('--webhook <url>', 'POST JSON notifications here (default: $BASIS_WEBHOOK_URL)')
    .option('--webhook-events <types>', 'notified types, comma-separated: alert,fill,failure,liquidation')
    .option('--webhook-liquidation <fraction>', 'warn when the liquidation distance falls below this', '0.1')
    .option('--quiet', 'no line per tick, no summary table')
    .option('--no-store', 'replay: do not save the run in the results store')
    .option(STORE_OPTION.flags, STORE_OPTION.description)
    // the options above belong to `basis run` itself; a subcommand's own (--run-id, --runs-dir) follow it
    .enablePositionalOptions()
    .action(async (o) => {
      if (!o.mode)
        throw new InputError(
          'basis run needs --mode (or a subcommand: list, status, deposit, withdraw, stop)',
        );
      // the live engine (venue clients, ccxt, viem) is loaded only by the command that trades
      const [{ LiveRunner }, { parseVenueEnvironment }] = await Promise.all([
        import('../../engine/live/runner.js'),
        import('../../venues/environment.js'),
      ]);
      const venueEnv = Object.fromEntries((o.venueEnv as string[]).map(parseVenueEnvironment));
      const replaying = o.replay === true;
      if (!replaying)
        for (const flag of ['from', 'to', 'data', 'json'] as const)
          if (o[flag] !== undefined) throw new InputError(`--${flag} needs --replay`);
      if (replaying && o.store !== false) await checkStoreFromOptions(o);
      const hookUrl = (o.webhook as string | undefined) ?? process.env.BASIS_WEBHOOK_URL;
      if (hookUrl === undefined && o.webhookEvents !== undefined)
        throw new InputError('--webhook-events needs --webhook (or $BASIS_WEBHOOK_URL)');
      const webhook =
        hookUrl === undefined
          ? undefined
          : {
              ...parseWebhook(hookUrl, o.webhookEvents),
              liquidationBelow: positive(o.webhookLiquidation, '--webhook-liquidation'),
            };
      const runner = await LiveRunner.open({
        mode: o.mode,
        environment: o.environment,
        preset: o.preset,
        venueEnv,
        confirmLive: o.confirmLive === true,
        capital: o.capital === undefined ? undefined : positive(o.capital, '--capital'),
        tickMs: parseDuration(o.tick, '--tick'),
        runId: o.runId,
        runsDir: resolve(o.runsDir),
        maxTicks:
          o.maxTicks === undefined
            ? undefined
            : parseDecimal(o.maxTicks, '--max-ticks', { integer: true, min: 1 }),
        websocket: o.websocket !== false,
        configDir: o.config,
        overrides: o.set,
        ...(webhook ? { webhook } : {}),
        log: (line) => {
          if (!o.quiet || !/^tick \d/.test(line)) out(line);
        },
        ...(replaying
          ? {
              replay: {
                fromMs: o.from === undefined ? undefined : parseTime(o.from, '--from'),
                toMs: o.to === undefined ? undefined : parseTime(o.to, '--to'),
                speed: parseDecimal(o.speed, '--speed', { min: 0 }),
                dataDir: o.data,
              },
            }
          : {}),
      });
      const stop = (signal: string) => runner.requestStop(`signal ${signal}`);
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
      let summary;
      try {
        summary = await runner.run();
      } catch (err) {
        // a replay that failed is written (files and store, status failed) with what it recorded
        if (replaying) await saveReplay(runner, o);
        throw err;
      }
      out(`run ${summary.runId}: ${summary.state} after tick ${summary.ticks}`);
      if (replaying) await saveReplay(runner, o);
    });

  const target = (c: Command) =>
    c
      .requiredOption('--run-id <id>', 'run id')
      .option('--runs-dir <dir>', 'directory of run journals', DEFAULT_RUNS_DIR);

  target(
    run.command('status').description('the last status a run wrote, and whether its runner is alive'),
  ).action((o) => {
    const c = control(o);
    const status = c.status();
    if (!status) throw new InputError(`run ${o.runId} has no status yet (${c.paths.status})`);
    const pid = c.runnerPid();
    out(JSON.stringify({ ...status, alive: pid !== null }, null, 2));
  });
  for (const verb of ['deposit', 'withdraw'] as const) {
    target(
      run
        .command(verb)
        .description(
          verb === 'deposit'
            ? 'record a deposit into the run (credited to its wallet at the next tick)'
            : 'ask the run to free an amount and withdraw it from its wallet',
        )
        .requiredOption('--amount <amount>', 'share-class amount'),
    ).action((o) => {
      const id = control(o).send({ command: verb, amount: positive(o.amount, '--amount') });
      out(`${verb} ${o.amount} queued for run ${o.runId} (command ${id})`);
    });
  }
  run
    .command('list')
    .description('the runs under the runs directory with their last status')
    .option('--runs-dir <dir>', 'directory of run journals', DEFAULT_RUNS_DIR)
    .option('--json', 'one JSON array instead of the table')
    .action((o) => {
      const runs = listRuns(resolve(o.runsDir));
      if (o.json) return out(JSON.stringify(runs, null, 2));
      if (runs.length === 0) return out(`no runs in ${resolve(o.runsDir)}`);
      out(
        formatRows([
          ['run id', 'mode', 'state', 'alive', 'tick', 'time', 'equity'],
          ...runs.map((r) => [
            r.runId,
            r.mode ?? '',
            r.state,
            r.alive ? 'yes' : 'no',
            r.tick === null ? '' : String(r.tick),
            r.time ?? '',
            r.equity === null
              ? ''
              : `${r.equity.toFixed(r.shareClass === 'USDT' ? 2 : 6)} ${r.shareClass ?? ''}`.trim(),
          ]),
        ]),
      );
    });
  target(run.command('stop').description('stop a run cleanly after its current tick')).action((o) => {
    const c = control(o);
    const id = c.send({ command: 'stop' });
    out(
      `stop queued for run ${o.runId} (command ${id})${c.runnerPid() === null ? '; no runner is alive' : ''}`,
    );
  });
}
