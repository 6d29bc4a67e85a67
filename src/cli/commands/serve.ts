/** `basis serve`: the REST API and the web UI on one port, with the results store. */
import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { parseDecimal } from '../../domain/decimal.js';
import { InputError } from '../../domain/errors.js';
import { TOKEN_ENV } from '../../server/token.js';
import { addStoreOption, storeFromOptions } from './store-options.js';
import { collect, out } from './util.js';

function intOption(text: string, what: string, min: number, max: number): number {
  return parseDecimal(text, what, { integer: true, min, max });
}

export function registerServe(program: Command): void {
  addStoreOption(
    program
      .command('serve')
      .description('serve the REST API (/api, OpenAPI at /openapi.json, docs at /docs) and the web UI (/)')
      .option('--port <port>', 'port (0 = any free port)', '8080')
      .option(
        '--host <address>',
        `address to listen on; anything but loopback requires $${TOKEN_ENV}`,
        '127.0.0.1',
      )
      .option(
        '--data <dir>',
        'dataset root for backtests (default: $BASIS_DATA_DIR, else the generated synthetic sample)',
      )
      .option('--config <dir>', 'config directory (default: $BASIS_CONFIG_DIR, else ./config of the package)')
      .option('--concurrency <n>', 'backtests run at the same time', '1')
      .option('--max-queued <n>', 'backtests waiting at most', '100')
      .option('--log', 'log every request as JSON lines on stdout')
      .option(
        '--signal-root <dir>',
        'a directory registered file signal sources may read (repeatable; config/signal_sources/ always is)',
        collect,
        [],
      )
      .option(
        '--allow-host <host>',
        'a host[:port] outbound requests of API runs may reach, besides registered sources (repeatable)',
        collect,
        [],
      ),
  ).action(async (o) => {
    const port = intOption(o.port, '--port', 0, 65535);
    const concurrency = intOption(o.concurrency, '--concurrency', 1, 16);
    const maxQueued = intOption(o.maxQueued, '--max-queued', 0, 10_000);
    // fastify and the API are loaded only when the server starts
    const { buildServer, checkServerOptions } = await import('../../server/app.js');
    checkServerOptions({ host: o.host, dataDir: o.data });
    const store = await storeFromOptions(o, { local: true });
    // the CLI finds this server through <store>.server.json while it holds the embedded store
    const localToken = store.kind === 'embedded' ? randomBytes(24).toString('hex') : undefined;
    let app;
    let ctx;
    try {
      if (store.kind === 'embedded') {
        const n = await store.failInterrupted(
          'interrupted: the server stopped while this run was queued or running',
        );
        if (n > 0) out(`marked ${n} interrupted run(s) as failed`);
      }
      ({ app, ctx } = await buildServer({
        store,
        dataDir: o.data,
        configDir: o.config,
        host: o.host,
        concurrency,
        maxQueued,
        logger: o.log ? true : false,
        signalRoots: o.signalRoot,
        allowHosts: o.allowHost,
        localToken,
      }));
      await app.listen({ port, host: o.host });
      // Work out every mode's data coverage now rather than on the first page load
      const catalogue = ctx.catalogue;
      setImmediate(() => {
        try {
          catalogue.list();
        } catch {
          // reported when the modes are asked for
        }
      });
    } catch (err) {
      await app?.close().catch(() => undefined);
      await store.close();
      if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE')
        throw new InputError(`port ${port} on ${o.host} is already in use (--port)`);
      throw err;
    }
    const addr = app.server.address();
    const shownPort = typeof addr === 'object' && addr ? addr.port : port;
    const host = o.host.includes(':') ? `[${o.host}]` : o.host;
    out(`basis serving http://${host}:${shownPort}/  (API /api, docs /docs, OpenAPI /openapi.json)`);
    out(`results store: ${store.kind} ${store.location}`);
    if (localToken !== undefined) {
      const { writeServerInfo } = await import('../../results/store/server-info.js');
      const reach = o.host === '0.0.0.0' || o.host === '::' ? '127.0.0.1' : host;
      writeServerInfo({
        pid: process.pid,
        url: `http://${reach}:${shownPort}`,
        token: localToken,
        store: store.location,
      });
    }
    let stopping = false;
    const stop = async () => {
      if (stopping) process.exit(130);
      stopping = true;
      out('stopping: waiting for the running backtest to finish (Ctrl-C again to quit now)');
      await app.close();
      const { removeServerInfo } = await import('../../results/store/server-info.js');
      if (store.kind === 'embedded') removeServerInfo(store.location);
      await store.close();
      process.exit(0);
    };
    process.on('SIGINT', () => void stop());
    process.on('SIGTERM', () => void stop());
  });
}
