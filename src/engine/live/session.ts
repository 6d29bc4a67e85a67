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
import { DEFAULT_CAPITAL } from '../../config/schema.js';
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
import { FileJournal, type Journal, type JournalRecord } from './journal.js';
import { wallClock, type Clock, type LiveRunOptions } from './options.js';
import { recover, type LocalState, type Recovered, type RunHeader } from './recovery.js';
import {
  loadReplayHistory,
  ReplayClock,
  ReplayGrid,
  ReplayMarketSource,
  type ReplayHistory,
} from './replay.js';

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
  grid?: LiveGrid | ReplayGrid;
  source?: LiveMarketSource | ReplayMarketSource;
  /** A replay's history and what its strategy's preparation noted (docs/live.md "Replay"). */
  replay?: ReplaySession;
  parts?: RunParts;
  /** Real-exchange venues, wrapped in the execution policy. */
  live: Map<string, ResilientCex>;
  release(): void;
}

export interface ReplaySession {
  history: ReplayHistory;
  clock: ReplayClock;
  /** Notes of the strategy's preparation (signals). */
  prepared: string[];
  /** Rows replayed before this start (the steps a resumed replay keeps). */
  resumedAt: number;
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function defaultRunId(mode: string, opts: Pick<LiveRunOptions, 'environment' | 'preset'>): string {
  return `${mode}-${opts.preset ?? opts.environment ?? 'run'}`;
}

export async function openSession(opts: LiveRunOptions): Promise<LiveSession> {
  let clock = opts.clock ?? wallClock;
  const env = opts.processEnv ?? process.env;
  let environment = opts.environment ?? (opts.preset === undefined ? env.ENVIRONMENT : undefined);
  if (opts.replay) {
    // a replay trades simulated venues only
    const other =
      (opts.environment !== undefined && opts.environment !== 'simulation') ||
      opts.preset !== undefined ||
      Object.values(opts.venueEnv ?? {}).some((e) => e !== 'simulation');
    if (other)
      throw new InputError(
        'a replay runs every venue in simulation: drop --environment, --preset and --venue-env (or run without --replay)',
      );
    environment = 'simulation';
  }
  if (!(opts.tickMs >= 10)) throw new InputError(`tick must be at least 10 ms, was ${opts.tickMs}`);
  if (opts.capital !== undefined && !(Number.isFinite(opts.capital) && opts.capital > 0))
    throw new InputError(`capital must be a positive number, was ${opts.capital}`);
  const resolved = resolveMode(opts.mode, { configDir: opts.configDir, overrides: opts.overrides });
  checkAvailable(resolved.mode);
  const probe = familyOf(resolved.mode.family).create(resolved.mode, {
    hedgeWeights: resolved.mode.hedge_allocation ?? {},
    venueConfigs: resolved.venues,
  });
  if (probe.prepare && !opts.replay)
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
  let weights = Object.fromEntries(
    Object.entries(resolved.mode.hedge_allocation ?? {}).filter(([, w]) => w > 0),
  );
  let ids = [...new Set([...sp.required, ...Object.keys(weights).flatMap((v) => sp.hedge[v] ?? [])])];
  let replay: ReplaySession | undefined;
  let clients: VenueClients;
  if (opts.replay) {
    // the window as a backtest loads it; the tick is its step; no client talks to anything
    const history = await loadReplayHistory(resolved, opts.replay);
    weights = history.weights;
    ids = [...history.data.series.keys()];
    const replayClock = new ReplayClock(history.data.startMs, opts.replay.speed);
    clock = replayClock;
    replay = { history, clock: replayClock, prepared: [], resumedAt: 0 };
    clients = offlineClients();
  } else {
    clients = await createVenueClients(plan, ids, {
      configDir: opts.configDir,
      feed: {
        websocket: opts.websocket ?? true,
        staleMs: Math.max(2 * opts.tickMs, 5_000),
        now: clock.now,
        sleep: clock.sleep,
      },
    });
  }
  const tickMs = replay ? replay.history.data.stepMs : opts.tickMs;

  const runId =
    opts.runId ??
    (replay
      ? `${resolved.mode.mode}-replay-${day(replay.history.data.startMs)}-${day(replay.history.data.timestampsMs[replay.history.data.length - 1])}`
      : defaultRunId(resolved.mode.mode, { environment, preset: opts.preset }));
  const paths = runPaths(opts.runsDir, runId);
  mkdirSync(paths.dir, { recursive: true });
  const control = new RunControl(paths);
  const other = control.runnerPid();
  if (other !== null && other !== process.pid)
    throw new InputError(`run ${runId} is already running (pid ${other})`);
  // a replay's journal survives a crash of the runner (not of the machine: replays are re-runnable)
  const journal = FileJournal.open(paths.journal, { durable: !replay });
  const recovered = recover(journal.records(), SEED_ROWS);
  const environments = Object.fromEntries(plan.venues.map((v) => [v.venue, v.environment]));
  const was = recovered.header;
  const changed = was?.environments
    ? Object.keys(environments).filter((v) => was.environments![v] !== environments[v])
    : [];
  const window = replay && {
    fromMs: replay.history.data.startMs,
    toMs: replay.history.data.timestampsMs[replay.history.data.length - 1],
  };
  const otherWindow =
    was !== null &&
    (window
      ? was.replay?.fromMs !== window.fromMs || was.replay?.toMs !== window.toMs
      : was.replay !== undefined);
  if (was && (was.mode !== resolved.mode.mode || changed.length > 0 || otherWindow)) {
    journal.close();
    throw new InputError(
      was.mode !== resolved.mode.mode
        ? `run ${runId} trades mode ${was.mode}, not ${resolved.mode.mode}`
        : otherWindow
          ? `run ${runId} ${was.replay ? `replays ${new Date(was.replay.fromMs).toISOString()} .. ${new Date(was.replay.toMs).toISOString()}` : 'is not a replay'}; it cannot resume as another (use another --run-id)`
          : `run ${runId} runs ${changed.map((v) => `${v} in ${was.environments![v]}`).join(', ')}; it cannot resume in another environment (use another --run-id)`,
    );
  }
  if (replay) {
    const k = replayResumePoint(journal.records(), recovered, replay.history.data.timestampsMs);
    replay.resumedAt = k;
    replay.clock.set(replay.history.data.timestampsMs[Math.min(k, replay.history.data.length - 1)]);
  }
  writeFileSync(paths.pid, String(process.pid));
  const header: RunHeader = recovered.header ?? {
    runId,
    mode: resolved.mode.mode,
    overrides: opts.overrides ?? [],
    tickMs,
    // a replay starts with a backtest's default capital
    capital: opts.capital ?? (replay ? DEFAULT_CAPITAL[resolved.mode.share_class] : 0),
    environments,
    ...(window ? { replay: window } : {}),
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
    opts: { ...opts, tickMs },
    clock,
    ...(replay ? { replay } : {}),
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

/**
 * Where a resumed replay goes on: the row after the last tick that ended; a tick cut by a crash (its
 * market row journaled, its end not) is replayed again from the local state journaled before it began —
 * its simulated venues are restored to that point, so nothing of the cut tick counts twice.
 */
function replayResumePoint(
  records: readonly JournalRecord[],
  recovered: Recovered,
  timestampsMs: Float64Array,
): number {
  let market = -1;
  let end = -1;
  records.forEach((r, i) => {
    if (r.type === 'market') market = i;
    else if (r.type === 'tick_end') end = i;
  });
  if (market < 0) return 0;
  const row = timestampsMs.indexOf(records[market].timeMs as number);
  if (row < 0)
    throw new InputError(
      `the journal's replay row at ${String(records[market].timeMs)} is not in the window`,
    );
  if (end > market) return row + 1;
  recovered.local = null;
  for (let i = market - 1; i >= 0; i--)
    if (records[i].type === 'local') {
      recovered.local = records[i].state as LocalState;
      break;
    }
  return row;
}

/** Connects (first network calls), builds the run's parts on a fresh grid seeded from the journal. */
export async function connect(s: LiveSession): Promise<void> {
  await s.clients.init();
  if (!s.replay) return buildParts(s, s.recovered.market);
  // a replay's grid holds every row replayed before (a resumed replay's steps are the backtest's steps)
  const r = s.replay;
  const grid = new ReplayGrid(r.history.data);
  grid.seed(r.resumedAt);
  s.grid = grid;
  s.source = new ReplayMarketSource(grid);
  s.parts = buildRun(s.resolved, grid, s.weights);
  const parts = s.parts;
  parts.ledger.setTime(grid.startMs);
  if (r.resumedAt === 0) {
    for (const note of r.history.coverageNotes) parts.ledger.event('coverage_rule', { note });
    for (const note of r.history.derivedNotes) parts.ledger.event('data_rule', { note });
  }
  // signals are prepared from history before the first tick, as a backtest prepares them
  if (parts.strategy.prepare)
    r.prepared = await parts.strategy.prepare({
      data: r.history.data,
      events: parts.ledger,
      modeFile: s.resolved.modeFile,
      cacheDir: s.opts.replay?.cacheDir,
    });
}

/** The clients of a replay: none (every venue simulated, market data from the dataset). */
function offlineClients(): VenueClients {
  return {
    apis: new Map(),
    feeds: new Map(),
    gas: null,
    onchain: null,
    cexClient: () => undefined,
    init: async () => {},
    close: async () => {},
  };
}

/** Builds (or rebuilds, when the grid is full) the run's parts on a grid seeded with `seed` rows. */
export function buildParts(s: LiveSession, seed: { timeMs: number; values: Record<string, number> }[]): void {
  if (s.replay) throw new InputError('a replay grid is never rebuilt'); // its grid holds the whole window
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
