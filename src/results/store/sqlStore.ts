/**
 * ResultsStore on SQL: the same statements run on PGlite and PostgreSQL. Series are one row per column
 * (little-endian float64 blob), events one row each (inserted in batches through `unnest`), runs one
 * row with JSON for what was asked, the resolved config, dataset identity, code version and summary.
 */
import { randomBytes } from 'node:crypto';
import { InputError } from '../../domain/errors.js';
import { F64LE, decodeF64, encodeF64, eventData, eventJson, toJson } from './codec.js';
import { bucketSize, cumulative, downsample, downsampleTimes } from './downsample.js';
import { migrate } from './ddl.js';
import { copyField, type SqlClient, type SqlDriver } from './sql.js';
import { codeVersion } from './version.js';
import { isoOrNull, toListItem, toRecord } from './rows.js';
import {
  RUN_STATUSES,
  type Aggregation,
  type EventPage,
  type EventQuery,
  type NewRun,
  type ResultsStore,
  type RunListItem,
  type RunListQuery,
  type RunRecord,
  type RunRequest,
  type RunResult,
  type RunSource,
  type RunTimings,
  type SeriesColumn,
  type SeriesColumnInfo,
  type SeriesGroup,
  type SeriesQuery,
  type StoredEvent,
  type StoredSeries,
} from './types.js';

/** Name of the timestamps column (not listed among the series). */
const TIME_COLUMN = '_time';
const EVENT_BATCH = 1000;
/** Column data per multi-row series insert, bytes (before base64). */
const SERIES_BATCH_BYTES = 1024 * 1024;

/**
 * One event-loop turn between the statements of a large save: the embedded store (PGlite) computes on
 * this thread and its promises resolve without a turn, so a server would stop answering for the whole
 * save (seconds for a full-window 5-minute run) instead of for one statement.
 */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
/** At most this many events from one `allEvents` call (exports, the tearsheet). */
export const MAX_ALL_EVENTS = 2_000_000;
export const MAX_EVENT_PAGE = 1000;
export const MAX_RUN_PAGE = 500;

/** `20250114-093012-a3f9c1`: creation time (UTC) and 24 random bits, sortable and short enough to type. */
export function newRunId(now = new Date()): string {
  const p = now.toISOString().replace(/[-:]/g, '').slice(0, 15).replace('T', '-');
  return `${p}-${randomBytes(3).toString('hex')}`;
}

type Row = Record<string, unknown>;

export class SqlResultsStore implements ResultsStore {
  readonly kind: 'embedded' | 'postgres';
  readonly location: string;
  private readonly s: string;

  private constructor(
    private readonly db: SqlDriver,
    schema: string,
  ) {
    this.kind = db.kind;
    this.location = db.location;
    this.s = schema;
  }

  static async open(db: SqlDriver, schema: string): Promise<SqlResultsStore> {
    try {
      await migrate(db, schema);
    } catch (err) {
      await db.close().catch(() => undefined);
      throw err;
    }
    return new SqlResultsStore(db, schema);
  }

  async createRun(run: NewRun): Promise<string> {
    return this.insertRun(this.db, run.source, run.request, run.status ?? 'queued');
  }

  private async insertRun(
    q: SqlClient,
    source: RunSource,
    request: RunRequest,
    status: string,
  ): Promise<string> {
    const id = newRunId();
    const now = new Date().toISOString();
    await q.query(
      `insert into ${this.s}.runs (id, created_at, started_at, status, source, mode, capital, window_start, window_end, request, code_version)
       values ($1, $2::text::timestamptz, $3::text::timestamptz, $4, $5, $6, $7, $8::text::timestamptz, $9::text::timestamptz, $10::text::json, $11::text::json)`,
      [
        id,
        now,
        status === 'running' ? now : null,
        status,
        source,
        request.mode,
        request.capital,
        request.start,
        request.end,
        toJson(request),
        toJson(codeVersion()),
      ],
    );
    return id;
  }

  async markRunning(id: string): Promise<void> {
    await this.db.query(
      `update ${this.s}.runs set status = 'running', started_at = $2::text::timestamptz where id = $1 and status = 'queued'`,
      [id, new Date().toISOString()],
    );
  }

  async completeRun(id: string, result: RunResult, timings: RunTimings): Promise<void> {
    await this.db.transaction((tx) => this.writeResult(tx, id, result, timings));
  }

  async saveRun(
    source: RunSource,
    request: RunRequest,
    result: RunResult,
    timings: RunTimings,
    failed?: string,
  ): Promise<string> {
    return this.db.transaction(async (tx) => {
      const id = await this.insertRun(tx, source, request, 'running');
      await this.writeResult(tx, id, result, timings, failed ?? null);
      return id;
    });
  }

  private async writeResult(
    tx: SqlClient,
    id: string,
    result: RunResult,
    timings: RunTimings,
    failed: string | null = null,
  ): Promise<void> {
    const s = this.s;
    const t0 = performance.now();
    await tx.query(`delete from ${s}.series where run_id = $1`, [id]);
    await tx.query(`delete from ${s}.events where run_id = $1`, [id]);
    const cols: SeriesColumn[] = [
      { name: TIME_COLUMN, group: 'equity', agg: 'last', unit: 'ms', values: result.timestampsMs },
      ...result.columns,
    ];
    // multi-row inserts of up to SERIES_BATCH_BYTES of column data each (one statement for a short run,
    // a few for a full-window 5-minute one, so no single statement holds the thread for long)
    for (let from = 0; from < cols.length; ) {
      const rows: string[] = [];
      const params: unknown[] = [id, F64LE];
      let bytes = 0;
      let i = from;
      for (
        ;
        i < cols.length && (i === from || bytes + cols[i].values.length * 8 <= SERIES_BATCH_BYTES);
        i++
      ) {
        const c = cols[i];
        bytes += c.values.length * 8;
        const p = params.length;
        rows.push(
          `($1, $${p + 1}, $${p + 2}, $${p + 3}, $${p + 4}, $${p + 5}, $2, decode($${p + 6}, 'base64'))`,
        );
        params.push(c.name, i, c.group, c.agg, c.unit, encodeF64(c.values).toString('base64'));
      }
      await tx.query(
        `insert into ${s}.series (run_id, name, position, grp, agg, unit, encoding, data) values ${rows.join(', ')}`,
        params,
      );
      await turn();
      from = i;
    }
    // Events: COPY where the driver streams it (PGlite), else batches of one JSON text each (array
    // parameters are slow to serialise); batches either way, a turn between them
    const ev = result.events;
    for (let from = 0; from < ev.length && tx.copyFrom; from += EVENT_BATCH) {
      let text = '';
      const end = Math.min(ev.length, from + EVENT_BATCH);
      for (let i = from; i < end; i++) {
        const { t: time, type: kind, ...rest } = ev[i];
        const venue = typeof ev[i].venue === 'string' ? (ev[i].venue as string) : null;
        text += `${copyField(id)}\t${i}\t${copyField(time)}\t${copyField(kind)}\t${copyField(venue)}\t${copyField(eventJson(rest))}\n`;
      }
      await tx.copyFrom(`${s}.events`, ['run_id', 'seq', 't', 'type', 'venue', 'data'], text);
      await turn();
    }
    for (let from = 0; from < ev.length && !tx.copyFrom; from += EVENT_BATCH) {
      const rows = ev.slice(from, from + EVENT_BATCH).map((e, i) => {
        const { t: time, type: kind, ...rest } = e;
        return { s: from + i, t: time, k: kind, v: typeof e.venue === 'string' ? e.venue : null, d: rest };
      });
      await tx.query(
        `insert into ${s}.events (run_id, seq, t, type, venue, data)
         select $1, r.s, r.t::timestamptz, r.k, r.v, r.d
         from json_to_recordset($2::text::json) as r(s int, t text, k text, v text, d json)`,
        [id, eventJson(rows)],
      );
      await turn();
    }
    const sum = result.summary;
    const saveMs = Math.round((performance.now() - t0) * 10) / 10;
    await tx.query(
      `update ${s}.runs set status = $13, finished_at = $2::text::timestamptz, family = $3, share_class = $4,
         window_start = $5::text::timestamptz, window_end = $6::text::timestamptz, synthetic = $7, steps = $8,
         config = $9::text::json, dataset = $10::text::json, timings = $11::text::json, summary = $12::text::json,
         error = $14
       where id = $1`,
      [
        id,
        new Date().toISOString(),
        sum.family,
        sum.share_class,
        sum.start,
        sum.end,
        sum.data.synthetic,
        sum.steps,
        toJson(sum.config),
        toJson(sum.data),
        toJson({
          runtime_ms: timings.runtime_ms,
          load_ms: timings.load_ms,
          loop_ms: timings.loop_ms,
          save_ms: saveMs,
        }),
        toJson(sum),
        failed === null ? 'done' : 'failed',
        failed,
      ],
    );
  }

  async failRun(
    id: string,
    error: string,
    partial?: { result: RunResult; timings: RunTimings },
  ): Promise<void> {
    if (partial) {
      await this.db.transaction((tx) => this.writeResult(tx, id, partial.result, partial.timings, error));
      return;
    }
    await this.db.query(
      `update ${this.s}.runs set status = 'failed', error = $2, finished_at = $3::text::timestamptz where id = $1`,
      [id, error, new Date().toISOString()],
    );
  }

  async failInterrupted(reason: string): Promise<number> {
    const rows = await this.db.query(
      `update ${this.s}.runs set status = 'failed', error = $1, finished_at = $2::text::timestamptz
       where status in ('queued', 'running') returning id`,
      [reason, new Date().toISOString()],
    );
    return rows.length;
  }

  async getRun(id: string): Promise<RunRecord | null> {
    const rows = await this.db.query(`select * from ${this.s}.runs where id = $1`, [id]);
    return rows.length === 0 ? null : toRecord(rows[0]);
  }

  async resolveId(idOrPrefix: string): Promise<string | null> {
    if (!/^[0-9a-z-]{4,64}$/.test(idOrPrefix)) return null;
    const rows = await this.db.query<{ id: string }>(
      `select id from ${this.s}.runs where id = $1 or id like $1 || '%' order by (id = $1) desc limit 2`,
      [idOrPrefix],
    );
    if (rows.length === 0) return null;
    if (rows[0].id === idOrPrefix || rows.length === 1) return rows[0].id;
    return null;
  }

  async matchIds(prefix: string, limit = 10): Promise<{ total: number; ids: string[] }> {
    if (!/^[0-9a-z-]{4,64}$/.test(prefix)) return { total: 0, ids: [] };
    const [{ n }] = await this.db.query<{ n: number }>(
      `select count(*)::int as n from ${this.s}.runs where id like $1 || '%'`,
      [prefix],
    );
    const rows = await this.db.query<{ id: string }>(
      `select id from ${this.s}.runs where id like $1 || '%' order by id desc limit ${Math.max(1, Math.min(100, Math.floor(limit)))}`,
      [prefix],
    );
    return { total: Number(n), ids: rows.map((r) => r.id) };
  }

  async listRuns(q: RunListQuery = {}): Promise<{ total: number; runs: RunListItem[] }> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.mode !== undefined) {
      params.push(q.mode);
      where.push(`mode = $${params.length}`);
    }
    if (q.status !== undefined) {
      if (!RUN_STATUSES.includes(q.status)) throw new InputError(`unknown status ${q.status}`);
      params.push(q.status);
      where.push(`status = $${params.length}`);
    }
    const w = where.length > 0 ? `where ${where.join(' and ')}` : '';
    const limit = Math.min(Math.max(1, q.limit ?? 50), MAX_RUN_PAGE);
    const offset = Math.max(0, q.offset ?? 0);
    const [{ n }] = await this.db.query<{ n: number }>(
      `select count(*)::int as n from ${this.s}.runs ${w}`,
      params,
    );
    const rows = await this.db.query(
      `select id, status, source, mode, family, share_class, window_start, window_end, capital, synthetic,
         created_at, finished_at, error, request, summary
       from ${this.s}.runs ${w} order by created_at desc, id desc limit ${limit} offset ${offset}`,
      params,
    );
    return { total: Number(n), runs: rows.map(toListItem) };
  }

  async deleteRun(id: string): Promise<boolean> {
    const rows = await this.db.query(`delete from ${this.s}.runs where id = $1 returning id`, [id]);
    return rows.length > 0;
  }

  async seriesInfo(id: string): Promise<SeriesColumnInfo[]> {
    const rows = await this.db.query<{ name: string; grp: string; agg: string; unit: string }>(
      `select name, grp, agg, unit from ${this.s}.series where run_id = $1 and name <> $2 order by position`,
      [id, TIME_COLUMN],
    );
    return rows.map((r) => ({
      name: r.name,
      group: r.grp as SeriesGroup,
      agg: r.agg as Aggregation,
      unit: r.unit,
    }));
  }

  async getSeries(id: string, q: SeriesQuery = {}): Promise<StoredSeries | null> {
    const info = await this.seriesInfo(id);
    if (info.length === 0) return null;
    const byName = new Map(info.map((c) => [c.name, c]));
    const wanted = q.names && q.names.length > 0 ? q.names : info.map((c) => c.name);
    const stored = new Set<string>();
    for (const name of wanted) {
      const base = name.startsWith('cum.') ? name.slice(4) : name;
      const col = byName.get(base);
      if (!col) {
        throw new InputError(
          `unknown series "${name}"; available: ${info.map((c) => c.name).join(', ')} (and cum.<name> for per-step flows)`,
        );
      }
      if (base !== name && col.agg !== 'sum') {
        throw new InputError(
          `series "${name}": a running sum is only defined for per-step flows, not ${base}`,
        );
      }
      stored.add(base);
    }
    // bytea travels as base64 text: PGlite's own bytea parsing is ~50x slower
    const rows = await this.db.query<{ name: string; data: string }>(
      `select name, encode(data, 'base64') as data from ${this.s}.series where run_id = $1 and name = any($2::text[])`,
      [id, [TIME_COLUMN, ...stored]],
    );
    const data = new Map(rows.map((r) => [r.name, decodeF64(Buffer.from(r.data, 'base64'))]));
    const times = data.get(TIME_COLUMN) ?? new Float64Array(0);
    const bucket = bucketSize(times.length, q.points);
    const columns: SeriesColumn[] = wanted.map((name) => {
      const cum = name.startsWith('cum.');
      const col = byName.get(cum ? name.slice(4) : name)!;
      const raw = data.get(col.name)!;
      const values = cum ? cumulative(raw) : raw;
      const agg: Aggregation = cum ? 'last' : col.agg;
      return { name, group: col.group, agg, unit: col.unit, values: downsample(values, bucket, agg) };
    });
    return { timestamps: downsampleTimes(times, bucket), bucket, totalSteps: times.length, columns };
  }

  async allEvents(
    id: string,
    q: Omit<EventQuery, 'offset' | 'limit'> = {},
    max = MAX_ALL_EVENTS,
  ): Promise<StoredEvent[]> {
    const { w, params } = this.eventWhere(id, q);
    const rows = await this.db.query<{
      seq: number;
      t: unknown;
      type: string;
      venue: string | null;
      data: Row;
    }>(
      `select seq, t, type, venue, data from ${this.s}.events where ${w} order by seq limit ${Math.max(1, Math.floor(Math.min(max, MAX_ALL_EVENTS)))}`,
      params,
    );
    return rows.map((r) => ({
      seq: r.seq,
      t: isoOrNull(r.t)!,
      type: r.type,
      venue: r.venue,
      data: eventData(r.data),
    }));
  }

  async getEvents(id: string, q: EventQuery = {}): Promise<EventPage> {
    const { w, params } = this.eventWhere(id, q);
    const limit = Math.min(Math.max(1, q.limit ?? 100), MAX_EVENT_PAGE);
    const offset = Math.max(0, q.offset ?? 0);
    const [{ n }] = await this.db.query<{ n: number }>(
      `select count(*)::int as n from ${this.s}.events where ${w}`,
      params,
    );
    const rows = await this.db.query<{
      seq: number;
      t: unknown;
      type: string;
      venue: string | null;
      data: Row;
    }>(
      `select seq, t, type, venue, data from ${this.s}.events where ${w} order by seq limit ${limit} offset ${offset}`,
      params,
    );
    const events: StoredEvent[] = rows.map((r) => ({
      seq: r.seq,
      t: isoOrNull(r.t)!,
      type: r.type,
      venue: r.venue,
      data: eventData(r.data),
    }));
    return { total: Number(n), offset, limit, events };
  }

  private eventWhere(id: string, q: EventQuery): { w: string; params: unknown[] } {
    const where = ['run_id = $1'];
    const params: unknown[] = [id];
    if (q.types && q.types.length > 0) {
      params.push(q.types);
      where.push(`type = any($${params.length}::text[])`);
    }
    if (q.venue !== undefined) {
      params.push(q.venue);
      where.push(`venue = $${params.length}`);
    }
    if (q.fromMs !== undefined) {
      params.push(new Date(q.fromMs).toISOString());
      where.push(`t >= $${params.length}::text::timestamptz`);
    }
    if (q.toMs !== undefined) {
      params.push(new Date(q.toMs).toISOString());
      where.push(`t <= $${params.length}::text::timestamptz`);
    }
    return { w: where.join(' and '), params };
  }

  async eventTypes(id: string): Promise<Record<string, number>> {
    const rows = await this.db.query<{ type: string; n: number }>(
      `select type, count(*)::int as n from ${this.s}.events where run_id = $1 group by type order by type`,
      [id],
    );
    return Object.fromEntries(rows.map((r) => [r.type, Number(r.n)]));
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
