/**
 * Sweeps through the API: `POST /api/sweeps` launches one (parameters only — modes, a grid of caller
 * override keys, random ranges, windows, objective, constraints, walk-forward; never a path or URL: every
 * key is checked against the caller allow-list, docs/security.md), `GET /api/sweeps/{id}` answers its
 * progress and results table. A sweep runs on the server's own worker threads, streams each run to the
 * store (tagged with the sweep id) and keeps its journal under the server's sweeps directory, where a
 * `basis sweep --out` of the same directory is readable too.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { InputError } from '../../domain/errors.js';
import { METRICS, checkObjective, parseConstraint } from '../../sweep/objective.js';
import {
  SWEEP_ID_RE,
  SweepJournal,
  newSweepId,
  type RunRecord,
  type SweepHeader,
} from '../../sweep/journal.js';
import { runLocal } from '../../sweep/local.js';
import { formatValue, parseGridAxis, parseWalkForward, type SweepSpec } from '../../sweep/spec.js';
import { prepareSweep, rankRecords, walkForwardReport } from '../../sweep/sweep.js';
import type { ServerContext } from '../context.js';
import { HttpError } from '../errors.js';
import { checkLaunch, OverrideText } from '../launch.js';
import { responseOf, routeSchema } from '../validation.js';

export const MAX_SWEEP_RUNS = 5000;

const Key = z
  .string()
  .min(1)
  .max(120)
  .regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'expected an override key path like strategy.perp_leverage');
const Value = z.union([z.string().min(1).max(60), z.number(), z.boolean(), z.null()]);
const DateText = z.string().min(10).max(40);
const Mode = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9_]+$/, 'expected a mode name');

export const SweepLaunchSchema = z
  .object({
    modes: z.array(Mode).min(1).max(10).describe('strategy modes, see GET /api/modes'),
    grid: z
      .record(Key, z.array(Value).min(1).max(100))
      .optional()
      .describe(
        'override key → values; the sweep takes their product, e.g. {"strategy.perp_leverage": [2, 3, 4]}',
      ),
    random: z
      .object({
        n: z.number().int().min(1).max(MAX_SWEEP_RUNS),
        seed: z.number().int().min(0).max(4294967295).optional(),
        ranges: z.record(Key, z.tuple([z.number(), z.number()])),
      })
      .strict()
      .optional()
      .describe('N seeded uniform draws of each key in [low, high] (integers when both ends are)'),
    windows: z
      .array(z.object({ start: DateText.optional(), end: DateText.optional() }).strict())
      .min(1)
      .max(50)
      .optional()
      .describe('windows (UTC); default the data coverage'),
    capital: z.number().positive().max(1e12).optional(),
    overrides: z.array(OverrideText).max(50).optional().describe('overrides applied to every run'),
    objective: z.string().max(40).optional().describe('apy (default), total_return, sharpe, calmar, …'),
    constraints: z.array(z.string().max(60)).max(10).optional().describe('e.g. max_drawdown<0.02'),
    walk_forward: z
      .object({ train: z.string().max(10), test: z.string().max(10) })
      .strict()
      .optional()
      .describe('e.g. {"train": "90d", "test": "30d"}: choose in-sample, report out-of-sample'),
  })
  .strict();
export type SweepLaunchBody = z.infer<typeof SweepLaunchSchema>;

const SweepIdParams = z
  .object({ id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'expected a sweep id') })
  .strict();

const valueText = (v: string | number | boolean | null): string =>
  typeof v === 'number' ? formatValue(v) : String(v);

/** The spec of an API sweep (the same checks as the command line's flags). */
export function specOfBody(b: SweepLaunchBody): SweepSpec {
  const grid = Object.entries(b.grid ?? {}).map(([k, vs]) =>
    parseGridAxis(`${k}=${vs.map(valueText).join(',')}`),
  );
  const ranges = Object.entries(b.random?.ranges ?? {}).map(([key, [lo, hi]]) => {
    if (!(hi > lo)) throw new InputError(`random.ranges.${key}: high must be above low`);
    return { key, lo, hi, integer: Number.isInteger(lo) && Number.isInteger(hi) };
  });
  return {
    modes: [...new Set(b.modes)],
    grid,
    windows: (b.windows ?? [{}]).map((w) => ({ start: w.start ?? null, end: w.end ?? null })),
    fixed: b.overrides ?? [],
    objective: checkObjective(b.objective ?? 'apy'),
    constraints: (b.constraints ?? []).map((c) => parseConstraint(c).text),
    ...(b.random ? { random: { n: b.random.n, seed: b.random.seed ?? 1, ranges } } : {}),
    ...(b.capital !== undefined ? { capital: b.capital } : {}),
    ...(b.walk_forward
      ? { walkForward: parseWalkForward(`train=${b.walk_forward.train},test=${b.walk_forward.test}`) }
      : {}),
  };
}

interface Live {
  /** While it runs (then the journal file is read, and cached). */
  journal: SweepJournal | null;
  state: 'running' | 'done' | 'failed' | 'stopped';
  error: string | null;
  total: number;
  abort: AbortController;
  finished: Promise<void>;
}

const row = (r: RunRecord) => ({
  index: r.index,
  key: r.key,
  mode: r.mode,
  params: r.params,
  window: r.window,
  ...(r.fold ? { fold: r.fold } : {}),
  run_id: r.run_id,
  error: r.error,
  apy: r.summary?.apy ?? null,
  total_return: r.summary?.total_return ?? null,
  sharpe: r.summary?.sharpe ?? null,
  max_drawdown: r.summary?.max_drawdown ?? null,
  volatility: r.summary?.volatility ?? null,
  final_equity: r.summary?.final_equity ?? null,
  trades: r.summary?.trades ?? null,
});

export function registerSweepRoutes(app: FastifyInstance, ctx: ServerContext, sweepsDir: string): void {
  const live = new Map<string, Live>();
  // a sweep's records: from memory while this server runs it, else its journal (re-read when it grows)
  const readCache = new Map<string, { stamp: string; read: { header: SweepHeader; records: RunRecord[] } }>();
  const readSweep = (id: string): { header: SweepHeader; records: RunRecord[] } | null => {
    const l = live.get(id);
    if (l?.journal) return { header: l.journal.header, records: [...l.journal.done.values()] };
    const file = join(sweepsDir, id, 'runs.jsonl');
    const stamp = existsSync(file) ? `${statSync(file).size}:${statSync(file).mtimeMs}` : '-';
    const hit = readCache.get(id);
    if (hit && hit.stamp === stamp) return { header: hit.read.header, records: [...hit.read.records] };
    const read = SweepJournal.read(sweepsDir, id);
    if (read) readCache.set(id, { stamp, read });
    return read;
  };
  app.addHook('onClose', async () => {
    for (const l of live.values()) l.abort.abort();
    await Promise.all([...live.values()].map((l) => l.finished));
  });

  app.post<{ Body: SweepLaunchBody }>(
    '/api/sweeps',
    {
      config: { changesState: true },
      schema: routeSchema({
        summary: 'Launch a parameter sweep; it runs asynchronously (poll GET /api/sweeps/{id})',
        tags: ['sweeps'],
        changesState: true,
        body: SweepLaunchSchema,
        response: {
          202: responseOf(
            z.object({ id: z.string(), runs: z.number(), links: z.record(z.string(), z.string()) }),
            'started',
          ),
        },
      }),
    },
    async (req, reply) => {
      const spec = specOfBody(req.body);
      // each mode and window as POST /api/backtests would check it (caller keys, coverage, sandbox)
      for (const mode of spec.modes)
        for (const w of spec.windows)
          checkLaunch(
            {
              mode,
              start: w.start ?? undefined,
              end: w.end ?? undefined,
              capital: spec.capital,
              overrides: spec.fixed,
            },
            ctx.catalogue,
            ctx.dataDir,
          );
      const runs = prepareSweep(spec, {
        dataDir: ctx.dataDir,
        configDir: ctx.catalogue.configDir,
        catalogue: ctx.catalogue.callerCatalogue(),
      });
      if (runs.length > MAX_SWEEP_RUNS)
        throw new InputError(`the sweep has ${runs.length} runs, more than ${MAX_SWEEP_RUNS} per request`);
      const id = newSweepId();
      const journal = SweepJournal.open(sweepsDir, id, spec, runs);
      const abort = new AbortController();
      const l: Live = {
        journal,
        state: 'running',
        error: null,
        total: runs.length,
        abort,
        finished: Promise.resolve(),
      };
      l.finished = runLocal(runs, journal, {
        workers: ctx.queue.concurrency,
        dataDir: ctx.dataDir,
        configDir: ctx.catalogue.configDir,
        sandbox: ctx.catalogue.sandbox(),
        store: ctx.store,
        sweepId: id,
        signal: abort.signal,
      })
        .then(
          () => {
            l.state = abort.signal.aborted && journal.done.size < runs.length ? 'stopped' : 'done';
          },
          (err: unknown) => {
            l.state = 'failed';
            l.error = ctx.redact(err instanceof Error ? err.message.split('\n')[0] : String(err));
          },
        )
        .finally(() => {
          l.journal = null; // its records are in the journal file
        });
      live.set(id, l);
      return reply
        .code(202)
        .header('location', `/api/sweeps/${id}`)
        .send({ id, runs: runs.length, links: { self: `/api/sweeps/${id}` } });
    },
  );

  app.get(
    '/api/sweeps',
    {
      schema: routeSchema({
        summary: 'The sweeps in the sweeps directory, newest first (at most 200)',
        tags: ['sweeps'],
      }),
    },
    async () => {
      const ids = existsSync(sweepsDir)
        ? readdirSync(sweepsDir).filter(
            (d) => SWEEP_ID_RE.test(d) && existsSync(join(sweepsDir, d, 'sweep.json')),
          )
        : [];
      const sweeps = ids.map((id) => {
        const { header, records } = readSweep(id)!;
        const l = live.get(id);
        const total = header.keys.length;
        return {
          id,
          created_at: header.created_at,
          status: l?.state ?? (records.length === total ? 'done' : 'stopped'),
          modes: header.spec.modes,
          keys: [
            ...header.spec.grid.map((g) => g.key),
            ...(header.spec.random?.ranges ?? []).map((r) => r.key),
          ],
          objective: header.spec.objective,
          walk_forward: header.spec.walkForward !== undefined,
          progress: { done: records.length, total },
        };
      });
      sweeps.sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : 0));
      return { sweeps: sweeps.slice(0, 200) };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/sweeps/:id',
    {
      schema: routeSchema({
        summary:
          'Progress of a sweep, its ranking (feasible sets first, best objective first) and every finished run',
        tags: ['sweeps'],
        params: SweepIdParams,
      }),
    },
    async (req) => {
      const { id } = req.params;
      const read = readSweep(id);
      if (!read) throw new HttpError(404, `no sweep ${id}`);
      const { header, records } = read;
      const l = live.get(id);
      const total = header.keys.length;
      const order = new Map(header.keys.map((k, i) => [k, i]));
      records.sort((a, b) => order.get(a.key)! - order.get(b.key)!);
      const constraints = header.spec.constraints.map(parseConstraint);
      return {
        id,
        status: l?.state ?? (records.length === total ? 'done' : 'stopped'),
        error: l?.error ?? null,
        created_at: header.created_at,
        progress: { done: records.length, total, fraction: total > 0 ? records.length / total : 1 },
        spec: header.spec,
        direction: METRICS[header.spec.objective] ?? 'max',
        trials: records.length,
        ranking: rankRecords(records, header.spec.objective, constraints),
        ...(header.spec.walkForward
          ? { walk_forward: walkForwardReport(records, header.spec.objective, constraints) }
          : {}),
        runs: records.map(row),
      };
    },
  );
}
