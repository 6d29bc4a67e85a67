/** A real server on a free loopback port with an embedded store in a temp dir and the synthetic sample. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { ensureSampleDataset } from '../../src/data/index.js';
import { openStore, type ResultsStore } from '../../src/results/store/index.js';
import { buildServer, type ServerOptions } from '../../src/server/app.js';
import type { ServerContext } from '../../src/server/context.js';

export interface TestServer {
  app: FastifyInstance;
  ctx: ServerContext;
  store: ResultsStore;
  url: string;
  close(): Promise<void>;
}

export async function startTestServer(opts: Partial<ServerOptions> = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'basis-server-'));
  const store = opts.store ?? (await openStore({ dir: join(dir, 'store') }));
  const { app, ctx } = await buildServer({ dataDir: ensureSampleDataset(), ...opts, store });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address() as { port: number };
  return {
    app,
    ctx,
    store,
    url: `http://127.0.0.1:${addr.port}`,
    async close() {
      await app.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls GET /api/backtests/{id} until the run is done or failed. */
export async function waitForRun(
  url: string,
  id: string,
  timeoutMs = 60_000,
): Promise<Record<string, unknown>> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const r = (await (await fetch(`${url}/api/backtests/${id}`)).json()) as Record<string, unknown>;
    if (r.status === 'done' || r.status === 'failed') return r;
    if (Date.now() > until) throw new Error(`run ${id} still ${String(r.status)} after ${timeoutMs} ms`);
    await new Promise((res) => setTimeout(res, 50));
  }
}
