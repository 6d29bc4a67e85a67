/** Health, modes (list, resolve with overrides) and config validation. */
import { existsSync, mkdtempSync, rmSync, symlinkSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import {
  checkCallerNames,
  checkCallerOverrides,
  issuesOf,
  listSignalSources,
  listVenues,
  resolveConfigDir,
  resolveMode,
  validateConfigDir,
  type ConfigIssue,
} from '../../config/index.js';
import { ConfigError } from '../../domain/errors.js';
import { codeVersion } from '../../results/store/index.js';
import type { ServerContext } from '../context.js';
import { HttpError } from '../errors.js';
import { OverrideText, MAX_OVERRIDES } from '../launch.js';
import { qRepeated, routeSchema } from '../validation.js';

const ModeParams = z
  .object({
    mode: z
      .string()
      .max(64)
      .regex(/^[a-z0-9_]+$/, 'expected a mode name of lower-case letters, digits and "_"'),
  })
  .strict();
const ResolveQuery = z
  .object({
    set: qRepeated(MAX_OVERRIDES, OverrideText).optional().describe('override key.path=value (repeatable)'),
  })
  .strict();

const ValidateBody = z
  .object({
    mode: ModeParams.shape.mode.optional().describe('validate this shipped mode (with overrides)'),
    overrides: z.array(OverrideText).max(MAX_OVERRIDES).optional(),
    document: z
      .string()
      .min(1)
      .max(60_000)
      .optional()
      .describe('a mode file (YAML text) to validate against the shipped venues'),
  })
  .strict()
  .refine(
    (b) => !(b.document !== undefined && b.mode !== undefined),
    'give either mode or document, not both',
  );

/** Validates a mode document in a scratch config dir beside links to the shipped venues and classes. */
function validateDocument(
  text: string,
  configDir: string,
): { ok: boolean; mode: string | null; problems: ConfigIssue[] } {
  let data: unknown;
  try {
    data = parseYaml(text, { maxAliasCount: 50 });
  } catch (err) {
    return {
      ok: false,
      mode: null,
      problems: [
        { file: 'document', path: '', problem: `not valid YAML: ${(err as Error).message.split('\n')[0]}` },
      ],
    };
  }
  const name = (data as { mode?: unknown } | null)?.mode;
  if (typeof name !== 'string' || !/^[a-z0-9_]{1,64}$/.test(name)) {
    return {
      ok: false,
      mode: null,
      problems: [
        {
          file: 'document',
          path: 'mode',
          problem: 'expected a mode name of lower-case letters, digits and "_"',
        },
      ],
    };
  }
  const named = checkCallerNames(data, {
    venues: listVenues(configDir),
    signalSources: listSignalSources(configDir),
  });
  if (named.length > 0) {
    return { ok: false, mode: name, problems: named.map((p) => ({ file: 'document', ...p })) };
  }
  const root = mkdtempSync(join(tmpdir(), 'basis-validate-'));
  try {
    const dir = join(root, 'config');
    mkdirSync(join(dir, 'modes'), { recursive: true });
    for (const sub of ['venues', 'share_classes', 'environments', 'signal_sources'])
      if (existsSync(join(configDir, sub))) symlinkSync(join(configDir, sub), join(dir, sub), 'dir');
    writeFileSync(join(dir, 'modes', `${name}.yaml`), text);
    resolveMode(name, { configDir: dir });
    return { ok: true, mode: name, problems: [] };
  } catch (err) {
    if (err instanceof ConfigError) return { ok: false, mode: name, problems: issuesOf(err) };
    throw err;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

export function registerModeRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get(
    '/api/health',
    { schema: routeSchema({ summary: 'Server, store, data and queue state', tags: ['server'] }) },
    async () => ({
      status: 'ok',
      version: codeVersion(),
      store: { kind: ctx.store.kind, location: ctx.redact(ctx.store.location) },
      // the data set by its folder name: a server path never leaves the server
      data: { dir: basename(ctx.dataDir), synthetic: ctx.synthetic },
      queue: { ...ctx.queue.counts(), concurrency: ctx.queue.concurrency, max_queued: ctx.queue.maxQueued },
      auth_required: ctx.authRequired,
    }),
  );

  app.get(
    '/api/modes',
    {
      schema: routeSchema({
        summary: 'Modes with descriptions, availability and data coverage',
        tags: ['modes'],
      }),
    },
    async () => ({
      data: { dir: basename(ctx.dataDir), synthetic: ctx.synthetic },
      modes: ctx.catalogue.list(),
    }),
  );

  app.get<{ Params: { mode: string }; Querystring: z.infer<typeof ResolveQuery> }>(
    '/api/modes/:mode',
    {
      schema: routeSchema({
        summary:
          'A mode resolved: the effective config with overrides (?set=key.path=value) applied and checked',
        params: ModeParams,
        querystring: ResolveQuery,
        tags: ['modes'],
      }),
    },
    async (req) => {
      const info = ctx.catalogue.info(req.params.mode);
      const resolved = ctx.catalogue.resolve(req.params.mode, req.query.set ?? []);
      return {
        ...info,
        overrides: req.query.set ?? [],
        config: resolved.mode,
        required_venues: resolved.requiredVenues,
      };
    },
  );

  app.post<{ Body: z.infer<typeof ValidateBody> }>(
    '/api/config/validate',
    {
      schema: routeSchema({
        summary:
          'Validate a mode (with overrides), a mode document, or (empty body) the whole config directory',
        body: ValidateBody,
        tags: ['config'],
      }),
    },
    async (req) => {
      const b = req.body;
      if (b.document !== undefined)
        return validateDocument(b.document, resolveConfigDir(ctx.catalogue.configDir));
      if (b.mode !== undefined) {
        // overrides a caller may not send are refused (400), not reported as problems of the mode
        ctx.catalogue.load(b.mode);
        checkCallerOverrides(b.overrides ?? [], ctx.catalogue.callerCatalogue());
        try {
          ctx.catalogue.resolve(b.mode, b.overrides ?? []);
          return { ok: true, mode: b.mode, problems: [] };
        } catch (err) {
          if (err instanceof ConfigError) return { ok: false, mode: b.mode, problems: issuesOf(err) };
          throw err;
        }
      }
      if (b.overrides !== undefined) throw new HttpError(400, 'body.overrides: give the mode they apply to');
      const r = validateConfigDir(ctx.catalogue.configDir);
      return { ok: r.ok, checked: r.checked, problems: r.problems };
    },
  );
}
