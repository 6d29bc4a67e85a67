/** Backtests: launch (async, 202), history, status with progress, summary, series, events, delete, report. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseTime } from '../../engine/time.js';
import { renderReport } from '../../results/report/index.js';
import {
  MAX_EVENT_PAGE,
  MAX_RUN_PAGE,
  RUN_STATUSES,
  type RunRecord,
  type StoredEvent,
  type StoredSeries,
} from '../../results/store/index.js';
import { csvRows } from '../../results/tearsheet/csv.js';
import { jsonNumbers, type ServerContext } from '../context.js';
import { HttpError } from '../errors.js';
import { LaunchSchema, checkLaunch, type LaunchBody } from '../launch.js';
import { qInt, qList, responseOf, routeSchema } from '../validation.js';

/** At most this many values (points × series) in one series answer (~20 MB of JSON). */
export const MAX_SERIES_VALUES = 1_000_000;
/** At most this many values in one CSV export (a full-window ML run at every step, ~60 MB). */
export const MAX_CSV_VALUES = 8_000_000;
/** At most this many events in one CSV export without offset/limit. */
export const MAX_CSV_EVENTS = 500_000;

/** Series as CSV: `timestamp` (ISO) then one column per series, the numbers as in series.csv. */
export function seriesCsv(s: StoredSeries): string {
  return csvRows(
    ['timestamp', ...s.columns.map((c) => c.name)],
    Array.from(s.timestamps, (t, i) => [new Date(t).toISOString(), ...s.columns.map((c) => c.values[i])]),
  );
}

/** Events as CSV: seq, time, type, venue, then the event's data as one JSON cell. */
export function eventsCsv(events: readonly StoredEvent[]): string {
  return csvRows(
    ['seq', 't', 'type', 'venue', 'data'],
    events.map((e) => [e.seq, e.t, e.type, e.venue, e.data]),
  );
}

export const RunIdParams = z
  .object({
    id: z.string().regex(/^[0-9]{8}-[0-9]{6}-[0-9a-f]{6}$/, 'expected a run id like 20250114-093012-a3f9c1'),
  })
  .strict();

const SeriesName = z
  .string()
  .max(200)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'expected a series name (see GET /api/backtests/{id}/series without names)');

const SeriesQuery = z
  .object({
    names: qList(200, SeriesName).optional().describe('comma-separated series names; default all'),
    points: qInt(2, 1_000_000)
      .optional()
      .describe('at most this many points per series (default 2000; every step with format=csv)'),
    format: z.enum(['json', 'csv']).optional().describe('json (default) or csv (one row per point)'),
  })
  .strict();

const EventsQuery = z
  .object({
    type: qList(
      20,
      z
        .string()
        .max(40)
        .regex(/^[a-z_]+$/, 'expected an event type'),
    ).optional(),
    venue: z
      .string()
      .max(64)
      .regex(/^[a-z0-9_]+$/, 'expected a venue name')
      .optional(),
    from: z.string().max(40).optional().describe('UTC date or time, inclusive'),
    to: z.string().max(40).optional().describe('UTC date or time, inclusive'),
    offset: qInt(0, 1_000_000_000).optional(),
    limit: qInt(1, MAX_EVENT_PAGE).optional(),
    format: z
      .enum(['json', 'csv'])
      .optional()
      .describe('json (default, paged) or csv (every matching event unless offset/limit are given)'),
  })
  .strict();

const ListQuery = z
  .object({
    mode: z
      .string()
      .max(64)
      .regex(/^[a-z0-9_]+$/, 'expected a mode name')
      .optional(),
    status: z.enum(RUN_STATUSES).optional(),
    offset: qInt(0, 1_000_000_000).optional(),
    limit: qInt(1, MAX_RUN_PAGE).optional(),
  })
  .strict();

const Created = z.object({
  id: z.string(),
  status: z.literal('queued'),
  links: z.record(z.string(), z.string()),
});
const Status = z.object({
  id: z.string(),
  status: z.enum(RUN_STATUSES),
  progress: z.object({ done: z.number(), total: z.number(), fraction: z.number() }),
  queue_position: z.number().nullable(),
  summary: z.record(z.string(), z.unknown()).nullable(),
  error: z.string().nullable(),
});
const Problem = responseOf(
  z.object({
    error: z.string(),
    kind: z.string(),
    issues: z.array(z.object({ path: z.string(), problem: z.string() })).optional(),
  }),
  'the problem, in one line',
);

export function links(id: string): Record<string, string> {
  const base = `/api/backtests/${id}`;
  return {
    self: base,
    summary: `${base}/summary`,
    series: `${base}/series`,
    events: `${base}/events`,
    report: `${base}/report`,
    tearsheet: `${base}/tearsheet`,
    trades: `${base}/trades`,
    ui: `/#/runs/${id}`,
  };
}

/** Done, or failed mid-way with the steps it recorded. */
export function hasResults(run: RunRecord): boolean {
  return run.status === 'done' || (run.status === 'failed' && (run.steps ?? 0) > 0);
}

export async function getRunOr404(ctx: ServerContext, id: string): Promise<RunRecord> {
  const run = await ctx.store.getRun(id);
  if (!run) throw new HttpError(404, `no backtest ${id}`);
  return run;
}

function statusOf(ctx: ServerContext, run: RunRecord) {
  const live = ctx.queue.get(run.id);
  const progress =
    run.status === 'done'
      ? { done: run.steps ?? 0, total: run.steps ?? 0, fraction: 1 }
      : (live?.progress ?? { done: 0, total: 0, fraction: 0 });
  return {
    ...run,
    progress,
    queue_position: live?.position ?? null,
    // a run that stopped mid-way keeps the summary of the steps it recorded (status failed)
    summary: run.status === 'done' || (run.status === 'failed' && run.steps) ? run.summary : null,
    error: run.status === 'failed' && run.error !== null ? ctx.redact(run.error) : null,
    links: links(run.id),
  };
}

function timeParam(text: string | undefined, what: string): number | undefined {
  return text === undefined ? undefined : parseTime(text, what);
}

export function registerBacktestRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post<{ Body: LaunchBody }>(
    '/api/backtests',
    {
      config: { changesState: true },
      schema: routeSchema({
        summary: 'Launch a backtest; it runs asynchronously (poll GET /api/backtests/{id})',
        changesState: true,
        body: LaunchSchema,
        response: { 202: responseOf(Created, 'queued'), 400: Problem, 429: Problem },
      }),
    },
    async (req, reply) => {
      const checked = checkLaunch(req.body, ctx.catalogue, ctx.dataDir);
      const id = await ctx.queue.submit(checked.request, checked.options);
      return reply
        .code(202)
        .header('location', `/api/backtests/${id}`)
        .send({ id, status: 'queued', links: links(id) });
    },
  );

  app.get<{ Querystring: z.infer<typeof ListQuery> }>(
    '/api/backtests',
    { schema: routeSchema({ summary: 'Run history, newest first', querystring: ListQuery }) },
    async (req, reply) => {
      const q = req.query;
      const key = JSON.stringify([q.mode, q.status, q.offset, q.limit]);
      const body = await ctx.reads.get(key, () =>
        ctx.store.listRuns({ mode: q.mode, status: q.status, offset: q.offset, limit: q.limit }),
      );
      return reply.type('application/json; charset=utf-8').send(body);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/backtests/:id',
    {
      schema: routeSchema({
        summary: 'Status, progress, and the summary when done or the error when failed',
        params: RunIdParams,
        response: { 200: responseOf(Status, 'the run'), 404: Problem },
      }),
    },
    async (req) => statusOf(ctx, await getRunOr404(ctx, req.params.id)),
  );

  app.get<{ Params: { id: string } }>(
    '/api/backtests/:id/summary',
    { schema: routeSchema({ summary: "The run's summary (409 until it is done)", params: RunIdParams }) },
    async (req) => {
      const run = await getRunOr404(ctx, req.params.id);
      if (!hasResults(run))
        throw new HttpError(409, `backtest ${run.id} is ${run.status}; its summary exists once it is done`);
      return run.summary;
    },
  );

  app.get<{ Params: { id: string }; Querystring: z.infer<typeof SeriesQuery> }>(
    '/api/backtests/:id/series',
    {
      schema: routeSchema({
        summary:
          'Per-step series, downsampled to at most `points` points (levels: last, flows: sum, floors: min)',
        params: RunIdParams,
        querystring: SeriesQuery,
      }),
    },
    async (req, reply) => {
      const run = await getRunOr404(ctx, req.params.id);
      if (!hasResults(run))
        throw new HttpError(409, `backtest ${run.id} is ${run.status}; its series exist once it is done`);
      const csv = req.query.format === 'csv';
      const points = req.query.points ?? (csv ? (run.steps ?? 0) : 2000);
      const columns = req.query.names?.length ?? (await ctx.store.seriesInfo(run.id)).length;
      const values = Math.min(points, run.steps ?? 0) * columns;
      if (values > (csv ? MAX_CSV_VALUES : MAX_SERIES_VALUES)) {
        throw new HttpError(
          400,
          `query: ${columns} series × ${Math.min(points, run.steps ?? 0)} points is ${values} values, more than ${csv ? MAX_CSV_VALUES : MAX_SERIES_VALUES} per request; ask for fewer names or points`,
        );
      }
      const s = (await ctx.store.getSeries(run.id, { names: req.query.names, points: Math.max(2, points) }))!;
      if (csv) {
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="basis-${run.id}-series.csv"`)
          .send(seriesCsv(s));
      }
      return {
        id: run.id,
        share_class: run.share_class,
        total_steps: s.totalSteps,
        bucket_steps: s.bucket,
        t: Array.from(s.timestamps),
        columns: s.columns.map((c) => ({
          name: c.name,
          group: c.group,
          agg: c.agg,
          unit: c.unit,
          values: jsonNumbers(c.values),
        })),
      };
    },
  );

  app.get<{ Params: { id: string }; Querystring: z.infer<typeof EventsQuery> }>(
    '/api/backtests/:id/events',
    {
      schema: routeSchema({
        summary:
          'Events (decisions, fills, funding, interest, alerts…), paged, filtered by type, venue and time',
        params: RunIdParams,
        querystring: EventsQuery,
      }),
    },
    async (req, reply) => {
      const run = await getRunOr404(ctx, req.params.id);
      const q = req.query;
      const fromMs = timeParam(q.from, 'from');
      const toMs = timeParam(q.to, 'to');
      if (fromMs !== undefined && toMs !== undefined && toMs < fromMs) {
        throw new HttpError(400, `to ${q.to} is before from ${q.from}`);
      }
      const filter = { types: q.type, venue: q.venue, fromMs, toMs };
      if (q.format === 'csv') {
        const events =
          q.offset === undefined && q.limit === undefined
            ? await ctx.store.allEvents(run.id, filter, MAX_CSV_EVENTS)
            : (await ctx.store.getEvents(run.id, { ...filter, offset: q.offset, limit: q.limit })).events;
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="basis-${run.id}-events.csv"`)
          .send(eventsCsv(events));
      }
      const page = await ctx.store.getEvents(run.id, { ...filter, offset: q.offset, limit: q.limit });
      return { ...page, types: await ctx.store.eventTypes(run.id) };
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/backtests/:id',
    {
      config: { changesState: true },
      schema: routeSchema({
        changesState: true,
        summary: 'Delete a finished or failed run with its series and events',
        params: RunIdParams,
      }),
    },
    async (req, reply) => {
      const run = await getRunOr404(ctx, req.params.id);
      if (run.status === 'queued' || run.status === 'running') {
        throw new HttpError(
          409,
          `backtest ${run.id} is ${run.status}; it can be deleted once it has finished`,
        );
      }
      await ctx.store.deleteRun(run.id);
      return reply.code(204).send();
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/backtests/:id/report',
    {
      schema: routeSchema({ summary: 'The self-contained HTML report (opens offline)', params: RunIdParams }),
    },
    async (req, reply) => {
      const run = await getRunOr404(ctx, req.params.id);
      if (!hasResults(run))
        throw new HttpError(409, `backtest ${run.id} is ${run.status}; its report exists once it is done`);
      const html = await renderReport(ctx.store, run.id, { dataDir: ctx.dataDir });
      return reply
        .type('text/html; charset=utf-8')
        .header('content-disposition', `attachment; filename="basis-${run.mode}-${run.id}.html"`)
        .send(html);
    },
  );
}
