/**
 * The research workbench: a run's tearsheet (figures computed from its recorded series and events),
 * its trade list (JSON or CSV), and id prefix matching for clients (the CLI) that accept a prefix.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  SUGGESTED_BENCHMARKS,
  TRADE_COLUMNS,
  buildTearsheet,
  resolveBenchmark,
  csvRows,
  runTrades,
  tradeStats,
} from '../../results/tearsheet/index.js';
import type { ServerContext } from '../context.js';
import { HttpError } from '../errors.js';
import { routeSchema } from '../validation.js';
import { RunIdParams, getRunOr404, hasResults } from './backtests.js';

const TradesQuery = z
  .object({
    format: z.enum(['json', 'csv']).optional().describe('json (default) or csv'),
  })
  .strict();

const TearsheetQuery = z
  .object({
    benchmark: z
      .string()
      .max(120)
      .optional()
      .describe(
        'susde (default) or a price/index series id of the dataset, e.g. cex.binance.BTCUSDT.spot.price',
      ),
  })
  .strict();

const PrefixQuery = z
  .object({
    prefix: z
      .string()
      .regex(/^[0-9a-f-]{4,22}$/, 'expected the first 4 or more characters of a run id')
      .describe('the start of a run id'),
  })
  .strict();

async function finished(ctx: ServerContext, id: string, what: string) {
  const run = await getRunOr404(ctx, id);
  if (!hasResults(run) || !run.summary)
    throw new HttpError(409, `backtest ${run.id} is ${run.status}; its ${what} exists once it is done`);
  return run;
}

export function registerWorkbenchRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get(
    '/api/benchmarks',
    { schema: routeSchema({ summary: 'Benchmark names a tearsheet suggests' }) },
    async () => ({
      benchmarks: [...SUGGESTED_BENCHMARKS],
    }),
  );

  app.get<{ Params: { id: string }; Querystring: z.infer<typeof TearsheetQuery> }>(
    '/api/backtests/:id/tearsheet',
    {
      schema: routeSchema({
        summary:
          'Tearsheet: volatility, Sortino, Calmar, turnover, monthly returns, rolling Sharpe/drawdown, underwater and time-weighted equity, PnL by venue and source, funding APR by venue, trade statistics, benchmark (sUSDe or a dataset series)',
        params: RunIdParams,
        querystring: TearsheetQuery,
      }),
    },
    async (req, reply) => {
      let benchmark;
      try {
        benchmark = resolveBenchmark(req.query.benchmark ?? 'susde');
      } catch (e) {
        throw new HttpError(400, (e as Error).message);
      }
      const run = await finished(ctx, req.params.id, 'tearsheet');
      const body = await buildTearsheet(ctx.store, run, { dataDir: ctx.dataDir, benchmark });
      return reply.type('application/json; charset=utf-8').send(JSON.stringify(body, finiteJson));
    },
  );

  app.get<{ Params: { id: string }; Querystring: z.infer<typeof TradesQuery> }>(
    '/api/backtests/:id/trades',
    {
      schema: routeSchema({
        summary:
          'Trades: ML positions (entry/exit, side, reason, fees, net PnL) or, for the other families, one row per decision with its fees and the PnL until the next',
        params: RunIdParams,
        querystring: TradesQuery,
      }),
    },
    async (req, reply) => {
      const run = await finished(ctx, req.params.id, 'trade list');
      const trades = await runTrades(ctx.store, run.id);
      if (req.query.format === 'csv') {
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="basis-${run.id}-trades.csv"`)
          .send(
            csvRows(
              TRADE_COLUMNS,
              trades.map((t) => TRADE_COLUMNS.map((k) => t[k])),
            ),
          );
      }
      return reply
        .type('application/json; charset=utf-8')
        .send(
          JSON.stringify(
            { id: run.id, share_class: run.share_class, stats: tradeStats(trades), trades },
            finiteJson,
          ),
        );
    },
  );

  app.get<{ Querystring: z.infer<typeof PrefixQuery> }>(
    '/api/run-ids',
    {
      schema: routeSchema({
        summary: 'Run ids starting with a prefix (newest first, at most 10) and how many match',
        querystring: PrefixQuery,
      }),
    },
    async (req) => {
      const exact = await ctx.store.getRun(req.query.prefix);
      if (exact) return { total: 1, ids: [exact.id] };
      return ctx.store.matchIds(req.query.prefix, 10);
    },
  );
}

/** JSON has no NaN or Infinity: null. */
function finiteJson(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? null : value;
}
