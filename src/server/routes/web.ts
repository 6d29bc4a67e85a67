/**
 * The web UI: the files under `<package>/web` served as they are (no build step), and chart.js from
 * node_modules at /vendor/chart.umd.min.js. Only files that exist at start-up are routed, so no path
 * from a request ever reaches the file system.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, relative, sep } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { packageRoot } from '../../results/store/index.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
};

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

export function webDir(): string {
  return join(packageRoot(), 'web');
}

/** chart.js's UMD build (defines `window.Chart`), from the installed package. */
export function chartJsPath(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('chart.js')), 'chart.umd.min.js');
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listFiles(p));
    else if (TYPES[extname(name)] && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

export function registerWebRoutes(app: FastifyInstance): void {
  const root = webDir();
  const files = new Map<string, string>();
  for (const f of listFiles(root)) files.set(`/${relative(root, f).split(sep).join('/')}`, f);
  files.set('/vendor/chart.umd.min.js', chartJsPath());
  const send = (file: string) => ({
    body: readFileSync(file),
    type: TYPES[extname(file)] ?? 'application/octet-stream',
  });
  const hide = { schema: { hide: true } };
  app.get('/', hide, async (_req, reply) => {
    const f = send(join(root, 'index.html'));
    return reply
      .type(f.type)
      .header('cache-control', 'no-cache')
      .header('content-security-policy', CSP)
      .send(f.body);
  });
  for (const [url, file] of files) {
    if (url === '/index.html') continue;
    app.get(url, hide, async (_req, reply) => {
      const f = send(file);
      return reply.type(f.type).header('cache-control', 'no-cache').send(f.body);
    });
  }
}
