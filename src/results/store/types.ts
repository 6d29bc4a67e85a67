/**
 * The results store contract: runs (what was asked, the config as resolved, dataset identity, code
 * version, timings, status, summary), per-step series (columnar) and events. One interface, two
 * backends on the same SQL: embedded PGlite (default) and PostgreSQL (`DATABASE_URL`).
 */
import type { BacktestSummary } from '../summary.js';

export const RUN_STATUSES = ['queued', 'running', 'done', 'failed'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const RUN_SOURCES = ['cli', 'api'] as const;
export type RunSource = (typeof RUN_SOURCES)[number];

/** What the user asked for, as given (times as ISO strings, amounts in share-class units). */
export interface RunRequest {
  mode: string;
  /** ISO; null = start of the data coverage. */
  start: string | null;
  end: string | null;
  capital: number;
  deposits: { time: string; amount: number }[];
  withdrawals: { time: string; amount: number }[];
  overrides: string[];
  /** A run of a parameter sweep (`basis sweep`): the sweep's id and the run's key in it. */
  sweep?: { id: string; key: string };
}

export interface CodeVersion {
  /** package.json version. */
  package: string;
  /** Commit of the working tree, when it is a git checkout. */
  git: string | null;
  /** Uncommitted changes to tracked files (null when unknown). */
  dirty: boolean | null;
}

export interface RunTimings {
  runtime_ms: number;
  load_ms: number;
  loop_ms: number;
  /** Time to write the run into the store. */
  save_ms?: number;
}

export interface DatasetIdentity {
  dir: string;
  dataset_id: string;
  synthetic: boolean;
}

/** One row of the run history. */
export interface RunListItem {
  id: string;
  status: RunStatus;
  source: RunSource;
  mode: string;
  family: string | null;
  share_class: string | null;
  /** Effective window (from the summary when done, else as requested; null = data coverage). */
  start: string | null;
  end: string | null;
  capital: number;
  synthetic: boolean | null;
  created_at: string;
  finished_at: string | null;
  /** Headline figures when done. */
  total_return: number | null;
  apy: number | null;
  max_drawdown: number | null;
  final_equity: number | null;
  error: string | null;
  /** The request's config overrides (`key.path=value`), what tells variants of a mode apart. */
  overrides: string[];
}

/** Everything the store holds about a run except its series and events. */
export interface RunRecord extends RunListItem {
  started_at: string | null;
  request: RunRequest;
  config: unknown;
  dataset: DatasetIdentity | null;
  code_version: CodeVersion;
  timings: RunTimings | null;
  summary: BacktestSummary | null;
  steps: number | null;
}

/** Column groups, for pickers and charts. */
export const SERIES_GROUPS = ['equity', 'pnl', 'risk', 'exposure', 'amount', 'value'] as const;
export type SeriesGroup = (typeof SERIES_GROUPS)[number];

/**
 * How a column is reduced when downsampled: levels keep the bucket's last value, per-step flows sum,
 * floors (health factor, margin ratio) keep the worst (min), ceilings (drawdown, LTV, drift) the max,
 * signed levels (net delta) the value furthest from zero.
 */
export const AGGREGATIONS = ['last', 'sum', 'min', 'max', 'absmax'] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

export interface SeriesColumnInfo {
  name: string;
  group: SeriesGroup;
  agg: Aggregation;
  /** Unit: the share class, an asset, `ratio`, `fraction`. */
  unit: string;
}

export interface SeriesColumn extends SeriesColumnInfo {
  values: Float64Array;
}

export interface SeriesQuery {
  /** Column names (stored, or `cum.<flow column>` for a running sum); default every stored column. */
  names?: string[];
  /** At most this many points per column (bucketed by `agg`); default every step. */
  points?: number;
}

export interface StoredSeries {
  /** Epoch ms of each returned point (a bucket's last step when downsampled). */
  timestamps: Float64Array;
  /** Steps per point (1 = not downsampled). */
  bucket: number;
  totalSteps: number;
  columns: SeriesColumn[];
}

export interface StoredEvent {
  seq: number;
  t: string;
  type: string;
  venue: string | null;
  data: Record<string, unknown>;
}

export interface EventQuery {
  types?: string[];
  venue?: string;
  /** Inclusive bounds, epoch ms. */
  fromMs?: number;
  toMs?: number;
  offset?: number;
  /** Default 100, at most 1000. */
  limit?: number;
}

export interface EventPage {
  total: number;
  offset: number;
  limit: number;
  events: StoredEvent[];
}

export interface RunListQuery {
  mode?: string;
  status?: RunStatus;
  offset?: number;
  /** Default 50, at most 500. */
  limit?: number;
}

/** A finished backtest in the shape the store saves: summary, columns on the step grid, events. */
export interface RunResult {
  summary: BacktestSummary;
  timestampsMs: Float64Array;
  columns: SeriesColumn[];
  events: { t: string; type: string; [k: string]: unknown }[];
}

export interface NewRun {
  source: RunSource;
  request: RunRequest;
  /** Default 'queued'. */
  status?: 'queued' | 'running';
}

export interface ResultsStore {
  /** `embedded` (PGlite) or `postgres`. */
  readonly kind: 'embedded' | 'postgres';
  /** Data directory or the database URL without credentials. */
  readonly location: string;
  createRun(run: NewRun): Promise<string>;
  markRunning(id: string): Promise<void>;
  /** Saves series, events and summary and marks the run done, in one transaction. */
  completeRun(id: string, result: RunResult, timings: RunTimings): Promise<void>;
  /** Marks a run failed; with `partial`, also keeps the steps it recorded before it stopped. */
  failRun(id: string, error: string, partial?: { result: RunResult; timings: RunTimings }): Promise<void>;
  /** Creates and completes a run in one transaction (the CLI's path). */
  saveRun(
    source: RunSource,
    request: RunRequest,
    result: RunResult,
    timings: RunTimings,
    /** The error of a run that stopped mid-way: saved as failed with what it recorded. */
    failed?: string,
  ): Promise<string>;
  /** Runs left queued or running by a process that stopped are marked failed; returns how many. */
  failInterrupted(reason: string): Promise<number>;
  getRun(id: string): Promise<RunRecord | null>;
  /** Resolves a full id or a unique prefix (≥ 4 characters); null when none or ambiguous. */
  resolveId(idOrPrefix: string): Promise<string | null>;
  /** Ids starting with `prefix` (≥ 4 characters), newest first, at most `limit` (default 10), and how many match. */
  matchIds(prefix: string, limit?: number): Promise<{ total: number; ids: string[] }>;
  listRuns(q?: RunListQuery): Promise<{ total: number; runs: RunListItem[] }>;
  deleteRun(id: string): Promise<boolean>;
  seriesInfo(id: string): Promise<SeriesColumnInfo[]>;
  getSeries(id: string, q?: SeriesQuery): Promise<StoredSeries | null>;
  getEvents(id: string, q?: EventQuery): Promise<EventPage>;
  /** Every matching event in recorded order, in one read (exports, the tearsheet); at most `max`. */
  allEvents(id: string, q?: Omit<EventQuery, 'offset' | 'limit'>, max?: number): Promise<StoredEvent[]>;
  /** Event count per type, for filters. */
  eventTypes(id: string): Promise<Record<string, number>>;
  close(): Promise<void>;
}
