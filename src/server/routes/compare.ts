/** Several finished runs side by side. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { RunRecord } from '../../results/store/index.js';
import { jsonNumbers, type ServerContext } from '../context.js';
import { HttpError } from '../errors.js';
import { qInt, qList, routeSchema } from '../validation.js';
import { RunIdParams, getRunOr404 } from './backtests.js';

const CompareQuery = z
  .object({
    ids: qList(8, RunIdParams.shape.id).describe('2 to 8 run ids, comma-separated'),
    points: qInt(2, 20_000).optional().describe('points per series (default 500)'),
  })
  .strict();

export function registerCompareRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get<{ Querystring: z.infer<typeof CompareQuery> }>(
    '/api/compare',
    {
      schema: routeSchema({
        summary:
          'Several finished runs side by side: headline figures, PnL by source, time-weighted index and drawdown',
        querystring: CompareQuery,
      }),
    },
    async (req) => {
      const ids = [...new Set(req.query.ids)];
      if (ids.length < 2) throw new HttpError(400, 'query.ids: expected 2 to 8 different run ids');
      const runs: RunRecord[] = [];
      for (const id of ids) {
        const r = await getRunOr404(ctx, id);
        if (r.status !== 'done')
          throw new HttpError(409, `backtest ${id} is ${r.status}; only finished runs can be compared`);
        runs.push(r);
      }
      const points = req.query.points ?? 500;
      const out = [];
      for (const r of runs) {
        const s = (await ctx.store.getSeries(r.id, { names: ['twr_index', 'drawdown', 'equity'], points }))!;
        out.push({
          id: r.id,
          mode: r.mode,
          share_class: r.share_class,
          synthetic: r.synthetic,
          overrides: r.request.overrides,
          summary: r.summary,
          series: {
            t: Array.from(s.timestamps),
            ...Object.fromEntries(s.columns.map((c) => [c.name, jsonNumbers(c.values)])),
          },
        });
      }
      return { runs: out };
    },
  );
}
