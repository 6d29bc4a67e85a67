/**
 * The HTTP server: REST API under /api (OpenAPI at /openapi.json, interactive docs at /docs, both
 * served from the installed packages), the web UI at /. Request bodies and query strings are
 * validated by zod; errors become status codes only in errors.ts.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { readDatasetMarker } from '../data/index.js';
import { InputError } from '../domain/errors.js';
import { resolveDataDir } from '../engine/backtest.js';
import { codeVersion, type ResultsStore } from '../results/store/index.js';
import { resolveConfigDir } from '../config/index.js';
import { ModeCatalogue } from './catalogue.js';
import { ReadCache, invalidatingStore } from './read-cache.js';
import { pathRedactor, rootRedactor } from './redact.js';
import type { ServerContext } from './context.js';
import { HttpError, installErrorHandlers } from './errors.js';
import { JobQueue } from './jobs.js';
import { registerBacktestRoutes } from './routes/backtests.js';
import { registerCompareRoutes } from './routes/compare.js';
import { registerModeRoutes } from './routes/modes.js';
import { registerSweepRoutes } from './routes/sweeps.js';
import { registerWebRoutes } from './routes/web.js';
import { registerWorkbenchRoutes } from './routes/workbench.js';
import { localTokenMatches, registerImportRoutes } from './routes/import.js';
import { LOCAL_TOKEN_HEADER } from '../results/store/server-info.js';
import { zodValidatorCompiler } from './validation.js';
import { TOKEN_ENV } from './token.js';

export const BODY_LIMIT_BYTES = 64 * 1024;
export { TOKEN_ENV };
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export interface ServerOptions {
  store: ResultsStore;
  /** Dataset root for API backtests; default env BASIS_DATA_DIR, else the generated synthetic sample. */
  dataDir?: string;
  configDir?: string;
  /** Address the server will listen on; anything but loopback requires `token`. Default 127.0.0.1. */
  host?: string;
  /** API token required for requests that change state (default env BASIS_API_TOKEN). */
  token?: string;
  concurrency?: number;
  maxQueued?: number;
  logger?: FastifyServerOptions['logger'];
  /**
   * Directories a registered file signal source may read from (besides config/signal_sources/);
   * the operator's, never a caller's (docs/security.md).
   */
  signalRoots?: string[];
  /** Hosts (`host` or `host:port`) outbound requests may reach besides those of registered sources. */
  allowHosts?: string[];
  /**
   * The session's local token (`basis serve` with the embedded store writes it beside the store for the
   * CLI): enables POST /api/backtests/import and stands for the API token (src/server/routes/import.ts).
   */
  localToken?: string;
  /** Journals of the sweeps launched through the API; default `<cwd>/results/sweeps` (as `basis sweep`). */
  sweepsDir?: string;
}

export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * The checks made before anything is opened: beyond loopback a token is required (and must be long
 * enough), and the dataset directory must exist. Returns the token in force and the dataset root.
 */
export function checkServerOptions(opts: Pick<ServerOptions, 'host' | 'token' | 'dataDir'>): {
  host: string;
  token: string | undefined;
  dataDir: string;
} {
  const host = opts.host ?? '127.0.0.1';
  const token = (opts.token ?? process.env[TOKEN_ENV]) || undefined;
  if (!isLoopback(host) && !token) {
    throw new InputError(
      `listening on ${host} exposes the API beyond this machine: set ${TOKEN_ENV} to a secret token (required for requests that change state), or bind to 127.0.0.1`,
    );
  }
  if (token !== undefined && token.length < 16) {
    throw new InputError(`${TOKEN_ENV} must be at least 16 characters long`);
  }
  const { dir: dataDir } = resolveDataDir(opts.dataDir);
  if (!existsSync(dataDir) || !statSync(dataDir).isDirectory()) {
    throw new InputError(`data directory ${dataDir} does not exist (--data or BASIS_DATA_DIR)`);
  }
  return { host, token, dataDir };
}

export async function buildServer(
  opts: ServerOptions,
): Promise<{ app: FastifyInstance; ctx: ServerContext }> {
  const { host, token, dataDir } = checkServerOptions(opts);
  const loopback = isLoopback(host);
  const catalogue = new ModeCatalogue(dataDir, opts.configDir, {
    signalRoots: (opts.signalRoots ?? []).map((d) => resolve(d)),
    allowHosts: opts.allowHosts ?? [],
  });
  const redact = pathRedactor([
    { dir: dataDir, label: '<data>' },
    { dir: resolveConfigDir(opts.configDir), label: '<config>' },
  ]);
  // the run list is polled by every open UI: served from a cache the server's own writes invalidate
  const reads = new ReadCache(opts.store.kind === 'embedded' ? Infinity : 1000);
  const store = invalidatingStore(opts.store, () => reads.invalidate());
  const queue = new JobQueue(store, {
    concurrency: opts.concurrency,
    maxQueued: opts.maxQueued,
    redact,
  });
  const ctx: ServerContext = {
    store,
    reads,
    queue,
    catalogue,
    dataDir,
    synthetic: readDatasetMarker(dataDir).synthetic,
    authRequired: token !== undefined,
    redact,
  };

  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: BODY_LIMIT_BYTES,
    routerOptions: { maxParamLength: 200 },
    return503OnClosing: true,
  });
  app.setValidatorCompiler(zodValidatorCompiler);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  installErrorHandlers(app, redact);
  // no response carries a server path (a run's config names its registered signals file, …)
  const roots = rootRedactor([
    { dir: dataDir, label: '<data>' },
    { dir: resolveConfigDir(opts.configDir), label: '<config>' },
  ]);
  app.addHook('onSend', async (_req, _reply, payload) =>
    typeof payload === 'string' ? roots(payload) : payload,
  );

  app.addHook('onRequest', async (req) => {
    // DNS rebinding: a loopback server answers only requests addressed to a loopback name
    if (loopback) {
      const name = (req.headers.host ?? '').replace(/:\d+$/, '');
      if (!isLoopback(name))
        throw new HttpError(403, `host "${name.slice(0, 100)}" is not this server's address`);
    }
    const config = req.routeOptions.config as { changesState?: boolean } | undefined;
    const local = localTokenMatches(req.headers[LOCAL_TOKEN_HEADER], opts.localToken);
    if (token !== undefined && config?.changesState && !local) {
      const auth = req.headers.authorization ?? '';
      const given = auth.startsWith('Bearer ')
        ? auth.slice(7)
        : ((req.headers['x-api-key'] as string | undefined) ?? '');
      if (!timingSafeEqual(digest(given), digest(token))) {
        throw new HttpError(
          401,
          'this request changes state and needs the API token: Authorization: Bearer <token>',
        );
      }
    }
  });
  app.addHook('onClose', async () => {
    await queue.close();
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'basis API',
        version: codeVersion().package,
        description:
          'Launch backtests, follow their progress, read summaries, series and events, compare runs. Errors answer 4xx with `{error, kind, issues?}`.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  registerModeRoutes(app, ctx);
  registerCompareRoutes(app, ctx);
  registerBacktestRoutes(app, ctx);
  registerWorkbenchRoutes(app, ctx);
  if (opts.localToken !== undefined) registerImportRoutes(app, ctx, opts.localToken);
  registerSweepRoutes(app, ctx, resolve(opts.sweepsDir ?? 'results/sweeps'));
  registerWebRoutes(app);
  return { app, ctx };
}
