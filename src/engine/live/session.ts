/**
 * Opening a wall-clock run, in two phases:
 * 1. `openSession` — no network: resolves the mode, plans and validates every venue's environment
 *    (credentials, URLs, live confirmation), checks every series has a live source, builds the clients
 *    without connecting, opens the journal, reads back what a previous start left, and takes the run
 *    directory's lock. Any misconfiguration fails here with one line.
 * 2. `connect` — loads the exchanges' markets, builds the run's parts on a live grid (the same
 *    buildRun as a backtest, with real CEX clients where the environment says so, each wrapped in the
 *    execution policy), and restores the local state the journal recorded.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { resolveMode, type ResolvedMode } from '../../config/index.js';
import { LiveGrid } from '../../data/live-grid.js';
import { InputError, VenueError } from '../../domain/errors.js';
import type { IntentClock, IntentLog } from '../../execution/intents.js';
import { ResilientCex, resiliencePolicy } from '../../execution/resilient.js';
import { seededRandom } from '../../domain/retry.js';
import { planEnvironments, type EnvironmentPlan } from '../../venues/environment.js';
import { requestWindowMs } from '../../venues/cex/exchange.js';
import { createVenueClients, type VenueClients } from '../../venues/factory.js';
import { LiveMarketSource } from '../../venues/feeds/market-source.js';
import { familyOf } from '../../strategies/index.js';
import { checkAvailable } from '../backtest.js';
import { seriesPlan } from '../requirements.js';
import { buildRun, type RunParts } from '../setup.js';
import { RunControl, runPaths, type RunPaths } from './control.js';
import { FileJournal, type Journal } from './journal.js';
import { wallClock, type Clock, type LiveRunOptions } from './options.js';
import { recover, type Recovered, type RunHeader } from './recovery.js';

/** Market rows kept from the journal to seed a restarted run's grid (funding lookback and bar extremes). */
export const SEED_ROWS = 200;

export interface LiveSession {
  opts: LiveRunOptions;
  clock: Clock;
  resolved: ResolvedMode;
  plan: EnvironmentPlan;
  clients: VenueClients;
  ids: string[];
  /** Hedge weights as configured (a wall-clock run has no coverage rule: a venue without data is down). */
  weights: Record<string, number>;
  paths: RunPaths;
  control: RunControl;
  journal: Journal;
  recovered: Recovered;
  header: RunHeader;
  intentClock: IntentClock;
  intentLog: IntentLog;
  /** Set by connect(). */
  grid?: LiveGrid;
  source?: LiveMarketSource;
  parts?: RunParts;
  /** Real-exchange venues, wrapped in the execution policy. */
  live: Map<string, ResilientCex>;
  release(): void;
}

export function defaultRunId(mode: string, opts: Pick<LiveRunOptions, 'environment' | 'preset'>): string {
  return `${mode}-${opts.preset ?? opts.environment ?? 'run'}`;
}

export async function openSession(opts: LiveRunOptions): Promise<LiveSession> {
  const clock = opts.clock ?? wallClock;
  const env = opts.processEnv ?? process.env;
  const environment = opts.environment ?? (opts.preset === undefined ? env.ENVIRONMENT : undefined);
  if (!(opts.tickMs >= 10)) throw new InputError(`tick must be at least 10 ms, was ${opts.tickMs}`);
  if (opts.capital !== undefined && !(Number.isFinite(opts.capital) && opts.capital > 0))
    throw new InputError(`capital must be a positive number, was ${opts.capital}`);
  const resolved = resolveMode(opts.mode, { configDir: opts.configDir, overrides: opts.overrides });
  checkAvailable(resolved.mode);
  const probe = familyOf(resolved.mode.family).create(resolved.mode, {
    hedgeWeights: resolved.mode.hedge_allocation ?? {},
    venueConfigs: resolved.venues,
  });
  if (probe.prepare)
    throw new InputError(
      `mode ${resolved.mode.mode} prepares its signals from history before a run; the ${resolved.mode.family} family cannot run on a wall clock in this version`,
    );
  const plan = planEnvironments({
    resolved,
    configDir: opts.configDir,
    environment,
    preset: opts.preset,
    overrides: opts.venueEnv,
    confirmLive: opts.confirmLive,
    processEnv: env,
    onchainClients: false, // the runner does not drive on-chain venues yet (docs/onchain.md)
  });
  const sp = seriesPlan(resolved.mode);
  const weights = Object.fromEntries(
    Object.entries(resolved.mode.hedge_allocation ?? {}).filter(([, w]) => w > 0),
  );
  const ids = [...new Set([...sp.required, ...Object.keys(weights).flatMap((v) => sp.hedge[v] ?? [])])];
  const clients = await createVenueClients(plan, ids, {
    configDir: opts.configDir,
    feed: {
      websocket: opts.websocket ?? true,
      staleMs: Math.max(2 * opts.tickMs, 5_000),
      now: clock.now,
      sleep: clock.sleep,
    },
  });

  const runId = opts.runId ?? defaultRunId(resolved.mode.mode, { environment, preset: opts.preset });
  const paths = runPaths(opts.runsDir, runId);
  mkdirSync(paths.dir, { recursive: true });
  const control = new RunControl(paths);
  const other = control.runnerPid();
  if (other !== null && other !== process.pid)
    throw new InputError(`run ${runId} is already running (pid ${other})`);
  const journal = FileJournal.open(paths.journal);
  const recovered = recover(journal.records(), SEED_ROWS);
  const environments = Object.fromEntries(plan.venues.map((v) => [v.venue, v.environment]));
  const was = recovered.header;
  const changed = was?.environments
    ? Object.keys(environments).filter((v) => was.environments![v] !== environments[v])
    : [];
  if (was && (was.mode !== resolved.mode.mode || changed.length > 0)) {
    journal.close();
    throw new InputError(
      was.mode !== resolved.mode.mode
        ? `run ${runId} trades mode ${was.mode}, not ${resolved.mode.mode}`
        : `run ${runId} runs ${changed.map((v) => `${v} in ${was.environments![v]}`).join(', ')}; it cannot resume in another environment (use another --run-id)`,
    );
  }
  writeFileSync(paths.pid, String(process.pid));
  const header: RunHeader = recovered.header ?? {
    runId,
    mode: resolved.mode.mode,
    overrides: opts.overrides ?? [],
    tickMs: opts.tickMs,
    capital: opts.capital ?? 0,
    environments,
  };
  const intentClock: IntentClock = { runId, tick: recovered.lastTick, seq: 0 };
  // The intent is synced before its order is sent; answers are written at once and synced by the next
  // synced record (a machine crash before that leaves the intent pending: it is looked up on restart).
  const intentLog: IntentLog = {
    intent: (intent) => journal.append({ type: 'intent', intent }),
    order: (order) => journal.append({ type: 'order', order }, { sync: false }),
    outcome: (outcome) => journal.append({ type: 'outcome', outcome }, { sync: false }),
  };
  return {
    opts,
    clock,
    resolved,
    plan,
    clients,
    ids,
    weights,
    paths,
    control,
    journal,
    recovered,
    header,
    intentClock,
    intentLog,
    live: new Map(),
    release() {
      journal.close();
      if (control.runnerPid() === process.pid) rmSync(paths.pid, { force: true });
    },
  };
}

/** Connects (first network calls), builds the run's parts on a fresh grid seeded from the journal. */
export async function connect(s: LiveSession): Promise<void> {
  await s.clients.init();
  buildParts(s, s.recovered.market);
}

/** Builds (or rebuilds, when the grid is full) the run's parts on a grid seeded with `seed` rows. */
export function buildParts(s: LiveSession, seed: { timeMs: number; values: Record<string, number> }[]): void {
  const capacity = Math.max(s.opts.gridCapacity ?? 10_000, seed.length + 2);
  const start = seed[0]?.timeMs ?? s.clock.now();
  const grid = new LiveGrid(s.ids, capacity, s.opts.tickMs, start);
  for (const row of seed) grid.append(row);
  const source = new LiveMarketSource(grid, s.clients.feeds, s.clients.gas);
  if (s.source) source.restore(s.source.state());
  else if (s.recovered.feed) source.restore(s.recovered.feed);
  const mode = s.resolved.mode;
  const random = seededRandom(s.opts.seed ?? Math.floor(Math.random() * 2 ** 31));
  const previous = s.live;
  s.live = new Map();
  const parts = buildRun(s.resolved, grid, s.weights, {
    real: (ledger) => ({
      cex: (req) =>
        s.clients.cexClient(req, {
          bookTransfers: true,
          fundingPollMs: Math.min(60_000, 5 * s.opts.tickMs),
          now: s.clock.now,
          carry: previous.get(req.name)?.inner,
        }),
      wrapCex: (client) => {
        const planned = s.plan.venues.find((v) => v.venue === client.name);
        const r = new ResilientCex(client, s.intentLog, s.intentClock, ledger, {
          ...resiliencePolicy(mode.execution),
          requestWindowMs: requestWindowMs(planned?.settings ?? {}),
          maxFollowUps: 3,
          random,
          sleep: s.clock.sleep,
          now: s.clock.now,
        });
        const before = previous.get(client.name);
        if (before) r.adoptPending(before);
        s.live.set(client.name, r);
        return r;
      },
    }),
  });
  s.grid = grid;
  s.source = source;
  s.parts = parts;
}

/**
 * A start-up step that must succeed before trading (configure, resolve, read): retried with backoff —
 * each request inside already retries — for up to ~10 rounds, while the error is retryable.
 */
export async function persist<T>(s: LiveSession, what: string, fn: () => Promise<T>): Promise<T> {
  for (let round = 1; ; round++) {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof VenueError) || !err.retryable || round >= 10) throw err;
      s.journal.append({ type: 'startup_retry', what, round, error: err.message });
      await s.clock.sleep(Math.min(30_000, 100 * 2 ** round));
    }
  }
}
