/**
 * The HTTP signal source against a local server: bearer token from the environment, batching, retries of
 * 5xx / timeouts with backoff, immediate failure on 4xx, validation of the payload, no secret in errors.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignalsSchema } from '../../src/config/signalsSchema.js';
import { createSignalSource, HttpSignalSource } from '../../src/signals/index.js';

const T0 = Date.UTC(2024, 0, 1);
const STEP = 300_000;
const TOKEN = 'tok-3f9a-very-secret';

type Handler = (body: Record<string, string>, req: IncomingMessage, res: ServerResponse) => void;
let handler: Handler = () => undefined;
const seen: { auth?: string; body: Record<string, string> }[] = [];
let server: Server;
let url = '';

function predictions(start: string, end: string) {
  const out = [];
  for (let t = Date.parse(start); t <= Date.parse(end); t += STEP) {
    const k = (t - T0) / STEP;
    out.push({
      timestamp: new Date(t).toISOString(),
      signal: k % 2 ? 'short' : 'long',
      confidence: 0.6 + k / 1000,
      sd: 0.004,
    });
  }
  return out;
}

const serveOk: Handler = (body, _req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ predictions: predictions(body.start, body.end) }));
};

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const body = JSON.parse(raw) as Record<string, string>;
      seen.push({ auth: req.headers.authorization, body });
      handler(body, req, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/predict?key=x`;
});
afterAll(async () => {
  for (const res of unanswered) res.destroy();
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});
/** Requests the server never answers (the client's timeout ends them, whatever its length). */
const unanswered: ServerResponse[] = [];

const req = { symbol: 'BTCUSDT', startMs: T0, endMs: T0 + 9 * STEP, stepMs: STEP, dataDir: '/nonexistent' };
const source = (o: Partial<ConstructorParameters<typeof HttpSignalSource>[0]> = {}) =>
  // a generous timeout: a loaded machine never turns an answer into a timeout; the timeout test overrides it
  new HttpSignalSource({
    url,
    token: TOKEN,
    timeoutMs: 30_000,
    retries: 2,
    batchBars: 4,
    backoffMs: 5,
    ...o,
  });

describe('HttpSignalSource', () => {
  it('asks in batches with the bearer token and validates the predictions', async () => {
    handler = serveOk;
    seen.length = 0;
    const { predictions, report } = await source().load(req);
    expect(predictions.timestampsMs.length).toBe(10);
    expect([...predictions.direction.slice(0, 3)]).toEqual([1, -1, 1]);
    expect(seen.map((s) => [s.body.start, s.body.end])).toEqual([
      ['2024-01-01T00:00:00Z', '2024-01-01T00:15:00Z'],
      ['2024-01-01T00:20:00Z', '2024-01-01T00:35:00Z'],
      ['2024-01-01T00:40:00Z', '2024-01-01T00:45:00Z'],
    ]);
    expect(seen[0].auth).toBe(`Bearer ${TOKEN}`);
    expect(seen[0].body).toMatchObject({ symbol: 'BTCUSDT', interval: '5m' });
    expect(report).toMatchObject({ source: 'http', requests: 3, retries: 0, rows: 10 });
  });

  it('retries 503 and timeouts with backoff, then succeeds', async () => {
    let calls = 0;
    handler = (body, r, res) => {
      calls++;
      if (calls === 1) {
        res.writeHead(503, { 'retry-after': '0' });
        res.end('busy');
      } else if (calls === 2)
        unanswered.push(res); // never answered: the client's timeout fires, however long it is
      else serveOk(body, r, res);
    };
    const { predictions, report } = await source({ batchBars: 100, timeoutMs: 2_000 }).load(req);
    expect(predictions.timestampsMs.length).toBe(10);
    expect(report).toMatchObject({ requests: 3, retries: 2 });
  });

  it('gives up after the retries with one line naming the endpoint, never the token', async () => {
    handler = (_b, _r, res) => {
      res.writeHead(502);
      res.end();
    };
    const err = await source({ retries: 1 })
      .load(req)
      .catch((e: Error) => e);
    expect((err as Error).message).toMatch(
      /^signals http http:\/\/127\.0\.0\.1:\d+\/predict: failed after 2 attempts: HTTP 502 Bad Gateway$/,
    );
    expect((err as Error).message).not.toContain(TOKEN);
    expect((err as Error).message).not.toContain('key=x');
  });

  it('fails at once on 401 and on a payload that breaks the rules', async () => {
    let calls = 0;
    handler = (_b, _r, res) => {
      calls++;
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end('{"error":"bad token"}');
    };
    await expect(source().load(req)).rejects.toThrow(/HTTP 401 Unauthorized: \{"error":"bad token"\}$/);
    expect(calls).toBe(1);
    handler = (_b, _r, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          predictions: [{ timestamp: '2024-01-01T00:00:00Z', signal: 'long', confidence: 0.7, sd: 0 }],
        }),
      );
    };
    await expect(source().load(req)).rejects.toThrow(/predictions\[0\]: column sd: 0 must be a number > 0/);
    handler = (_b, _r, res) => {
      res.writeHead(200);
      res.end(JSON.stringify({ data: [] }));
    };
    await expect(source().load(req)).rejects.toThrow(/unexpected response .*predictions: /);
  });

  it('the token comes from the environment variable named in config; a missing one is a config error', () => {
    const cfg = SignalsSchema.parse({ source: 'http', url, token_env: 'BASIS_TEST_ML_TOKEN' });
    expect(() => createSignalSource(cfg, { modeFile: 'config/modes/m.yaml', env: {} })).toThrow(
      'config/modes/m.yaml: signals.token_env: environment variable BASIS_TEST_ML_TOKEN is not set',
    );
    const src = createSignalSource(cfg, { modeFile: 'm', env: { BASIS_TEST_ML_TOKEN: TOKEN } });
    expect(src.name).toMatch(/^http http:\/\/127\.0\.0\.1:\d+\/predict$/);
    expect(JSON.stringify(cfg)).not.toContain(TOKEN);
  });
});
