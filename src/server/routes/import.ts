/**
 * `POST /api/backtests/import`: a run computed by the CLI on this machine, saved into the store this
 * server holds (the embedded store opens in one process at a time). Only with the session's local token
 * (`x-basis-local-token`, written by `basis serve` into `<store>.server.json`, mode 0600): whoever can
 * read the store's directory may write into it, nobody else. The body is data (summary, series as
 * base64 float64, events), never a path. Not in the OpenAPI document: it is the CLI's, not a caller's.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { decodeF64 } from '../../results/store/codec.js';
import { LOCAL_TOKEN_HEADER } from '../../results/store/server-info.js';
import { AGGREGATIONS, SERIES_GROUPS, type RunResult, type SeriesColumn } from '../../results/store/index.js';
import type { BacktestSummary } from '../../results/summary.js';
import type { ServerContext } from '../context.js';
import { HttpError } from '../errors.js';
import { routeSchema } from '../validation.js';

/** A full-window ML run is ~60 MB of base64 series plus its events. */
export const IMPORT_BODY_LIMIT = 512 * 1024 * 1024;

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'expected base64');
const Flow = z.object({ time: z.string().max(40), amount: z.number() }).strict();

export const ImportSchema = z
  .object({
    request: z
      .object({
        mode: z.string().regex(/^[a-z0-9_]{1,64}$/),
        start: z.string().max(40).nullable(),
        end: z.string().max(40).nullable(),
        capital: z.number(),
        deposits: z.array(Flow).max(10_000),
        withdrawals: z.array(Flow).max(10_000),
        overrides: z.array(z.string().max(300)).max(1000),
      })
      .strict(),
    summary: z.record(z.string(), z.unknown()),
    timestamps: base64,
    columns: z
      .array(
        z
          .object({
            name: z
              .string()
              .max(200)
              .regex(/^[A-Za-z0-9_.:-]+$/),
            group: z.enum(SERIES_GROUPS),
            agg: z.enum(AGGREGATIONS),
            unit: z.string().max(64),
            values: base64,
          })
          .strict(),
      )
      .max(10_000),
    events: z.array(z.object({ t: z.string().max(40), type: z.string().max(64) }).loose()),
    timings: z.object({ runtime_ms: z.number(), load_ms: z.number(), loop_ms: z.number() }).loose(),
    failed: z.string().max(2000).optional(),
  })
  .strict();
export type ImportBody = z.infer<typeof ImportSchema>;

const digest = (s: string) => createHash('sha256').update(s).digest();

export function localTokenMatches(given: unknown, token: string | undefined): boolean {
  return token !== undefined && typeof given === 'string' && timingSafeEqual(digest(given), digest(token));
}

/** The import body back into the shape the store saves. */
export function importedResult(body: ImportBody): RunResult {
  const decode = (b64: string) => decodeF64(Buffer.from(b64, 'base64'));
  const timestampsMs = decode(body.timestamps);
  const columns: SeriesColumn[] = body.columns.map((c) => {
    const values = decode(c.values);
    if (values.length !== timestampsMs.length) {
      throw new HttpError(
        400,
        `body.columns: ${c.name} has ${values.length} values for ${timestampsMs.length} steps`,
      );
    }
    return { name: c.name, group: c.group, agg: c.agg, unit: c.unit, values };
  });
  return {
    summary: body.summary as unknown as BacktestSummary,
    timestampsMs,
    columns,
    events: body.events as RunResult['events'],
  };
}

export function registerImportRoutes(app: FastifyInstance, ctx: ServerContext, localToken: string): void {
  app.post<{ Body: ImportBody }>(
    '/api/backtests/import',
    {
      bodyLimit: IMPORT_BODY_LIMIT,
      // checked before the body is read: without the token nothing is parsed
      onRequest: async (req) => {
        if (!localTokenMatches(req.headers[LOCAL_TOKEN_HEADER], localToken)) {
          throw new HttpError(
            401,
            `importing a run needs this server session's local token (${LOCAL_TOKEN_HEADER}); the CLI reads it from the store's .server.json`,
          );
        }
      },
      schema: {
        ...routeSchema({ summary: 'Save a run computed by the CLI', body: ImportSchema }),
        hide: true,
      },
    },
    async (req, reply) => {
      const body = req.body;
      const result = importedResult(body);
      const id = await ctx.store.saveRun(
        'cli',
        body.request,
        result,
        {
          runtime_ms: body.timings.runtime_ms,
          load_ms: body.timings.load_ms,
          loop_ms: body.timings.loop_ms,
        },
        body.failed,
      );
      return reply.code(201).send({ id, location: ctx.store.location });
    },
  );
}
