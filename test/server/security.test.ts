/**
 * The API as a trust boundary (docs/security.md), tried as a hostile caller would: overrides that point
 * signal sources at files, URLs or environment variables, traversal in names, SSRF targets, prototype
 * keys, oversized and unicode values, odd numbers. Every one answers 4xx, a listener on loopback receives
 * nothing, and no response carries a file's content, a secret or a server path. Ordinary launches with
 * allowed overrides and a registered signal source still run to done.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { callerOverrideKeys } from '../../src/config/caller.js';
import { ensureSampleDataset } from '../../src/data/index.js';
import { writePredictionsCsv } from '../../src/signals/index.js';
import { startTestServer, waitForRun, type TestServer } from './helpers.js';

const SECRET_ENV = 'BASIS_TEST_WALLET_PRIVATE_KEY';
const SECRET = '0x5ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7';
const ML = 'ml_usdt_directional_usdt_margin';
const SHIPPED_CONFIG = join(import.meta.dirname, '../../config');

let srv: TestServer;
let root: string;
let configDir: string;
let outside: string;
/** Requests the hostile listener received: must stay 0. */
let hits = 0;
let listener: Server;
let listenerPort = 0;
/** A registered endpoint that redirects to the hostile listener. */
let redirector: Server;
let redirectorPort = 0;

function listen(s: Server): Promise<number> {
  return new Promise((resolve) =>
    s.listen(0, '127.0.0.1', () => resolve((s.address() as { port: number }).port)),
  );
}

beforeAll(async () => {
  process.env[SECRET_ENV] = SECRET;
  listener = createServer((req, res) => {
    hits++;
    res.end('{}');
  });
  listenerPort = await listen(listener);
  redirector = createServer((_req, res) => {
    res.writeHead(307, { location: `http://127.0.0.1:${listenerPort}/stolen` }).end();
  });
  redirectorPort = await listen(redirector);

  root = mkdtempSync(join(tmpdir(), 'basis-security-'));
  configDir = join(root, 'config');
  cpSync(SHIPPED_CONFIG, configDir, { recursive: true });
  outside = join(root, 'outside');
  mkdirSync(outside);
  writeFileSync(join(outside, 'secret.csv'), `timestamp,signal,confidence,sd\nTOPSECRET-LINE,long,1,1\n`);
  const sources = join(configDir, 'signal_sources');
  mkdirSync(sources);
  // a registered predictions file inside the root: long with confidence 0.9 every hour of the window
  const n = 24 * 4;
  const t0 = Date.parse('2024-02-01T00:00:00Z');
  writePredictionsCsv(join(sources, 'preds.csv'), {
    timestampsMs: Float64Array.from({ length: n }, (_, i) => t0 + i * 3_600_000),
    direction: Int8Array.from({ length: n }, () => 1),
    confidence: Float64Array.from({ length: n }, () => 0.9),
    sd: Float64Array.from({ length: n }, () => 0.004),
    source: 'test',
  });
  writeFileSync(
    join(sources, 'house_model.yaml'),
    'name: house_model\ndescription: predictions kept by the operator\nsource: file\npath: preds.csv\n',
  );
  // a registered name whose file is a symlink out of the root
  symlinkSync(join(outside, 'secret.csv'), join(sources, 'escape.csv'));
  writeFileSync(join(sources, 'escape.yaml'), 'name: escape\nsource: file\npath: escape.csv\n');
  // a registered endpoint that redirects elsewhere
  writeFileSync(
    join(sources, 'redirecting.yaml'),
    `name: redirecting\nsource: http\nurl: http://127.0.0.1:${redirectorPort}/predict\n`,
  );
  // an operator mode file with an http source on a host nobody allowed
  const ml = parseYaml(readFileSync(join(configDir, 'modes', `${ML}.yaml`), 'utf8')) as Record<
    string,
    unknown
  >;
  ml.mode = 'ml_unlisted_host';
  ml.signals = { source: 'http', url: `http://127.0.0.1:${listenerPort}/predict` };
  writeFileSync(join(configDir, 'modes', 'ml_unlisted_host.yaml'), stringifyYaml(ml));
  srv = await startTestServer({ configDir, dataDir: ensureSampleDataset() });
});

afterAll(async () => {
  await srv?.close();
  listener?.close();
  redirector?.close();
  delete process.env[SECRET_ENV];
  rmSync(root, { recursive: true, force: true });
});

async function call(path: string, init: { method?: string; json?: unknown; raw?: string } = {}) {
  const res = await fetch(`${srv.url}${path}`, {
    method: init.method ?? 'GET',
    headers: init.json !== undefined || init.raw !== undefined ? { 'content-type': 'application/json' } : {},
    body: init.raw ?? (init.json !== undefined ? JSON.stringify(init.json) : undefined),
  });
  return { status: res.status, text: await res.text() };
}

/** Nothing of a file, a secret or a server path in a response. */
function expectClean(text: string): void {
  expect(text).not.toContain(SECRET);
  expect(text).not.toContain(SECRET.slice(2, 18));
  expect(text).not.toContain('root:x:0:0');
  expect(text).not.toContain('TOPSECRET');
  expect(text).not.toContain(root);
  expect(text).not.toContain(SHIPPED_CONFIG);
  expect(text).not.toContain(ensureSampleDataset());
}

const base = { mode: ML, start: '2024-02-01', end: '2024-02-03', capital: 100_000 };
const L = () => `127.0.0.1:${listenerPort}`;

/** Overrides a caller may not send, each with what it tries. */
const hostileOverrides: [string, () => string[]][] = [
  [
    'issue request 1: env var to any URL',
    () => ['signals.source=http', `signals.url=http://${L()}/x`, `signals.token_env=${SECRET_ENV}`],
  ],
  ['issue request 2: /etc/passwd', () => ['signals.source=file', 'signals.path=/etc/passwd']],
  ['issue request 3: venue traversal', () => ['venues.spot=../../../../etc/passwd']],
  ['url alone', () => [`signals.url=http://${L()}/x`]],
  ['token_env alone', () => [`signals.token_env=${SECRET_ENV}`]],
  ['path alone', () => ['signals.path=/etc/passwd']],
  ['relative path', () => ['signals.path=../../../../etc/passwd']],
  ['source switch to file', () => ['signals.source=file']],
  ['source switch to http', () => ['signals.source=http']],
  [
    'cloud metadata SSRF',
    () => ['signals.source=http', 'signals.url=http://169.254.169.254/latest/meta-data'],
  ],
  ['IPv6 loopback SSRF', () => ['signals.source=http', `signals.url=http://[::1]:${listenerPort}/`]],
  ['localhost SSRF', () => ['signals.source=http', `signals.url=http://localhost:${listenerPort}/`]],
  ['0.0.0.0 SSRF', () => ['signals.source=http', `signals.url=http://0.0.0.0:${listenerPort}/`]],
  ['decimal IP SSRF', () => ['signals.source=http', 'signals.url=http://2130706433/']],
  ['file URL', () => ['signals.source=http', 'signals.url=file:///etc/passwd']],
  ['use: traversal', () => ['signals.use=../../etc/passwd']],
  ['use: absolute path', () => ['signals.use=/etc/passwd']],
  ['use: unregistered', () => ['signals.use=not_registered']],
  ['use: env name', () => [`signals.use=${SECRET_ENV}`]],
  ['venue absolute path', () => ['venues.spot=/etc/passwd']],
  ['venue encoded traversal', () => ['venues.lending=..%2f..%2fetc%2fpasswd']],
  ['venue dot segments', () => ['venues.spot=binance/../../x']],
  ['venue unicode homoglyph', () => ['venues.spot=bınance']],
  ['venue NUL byte', () => ['venues.spot=bin\u0000ance']],
  ['venue backslash traversal', () => ['venues.spot=..\\..\\etc']],
  ['hedge key traversal', () => ['hedge_allocation....=1']],
  ['hedge key unknown venue', () => ['hedge_allocation.etc_passwd=1']],
  ['prototype key', () => ['__proto__.polluted=1']],
  ['nested prototype key', () => ['strategy.__proto__=1']],
  ['constructor.prototype', () => ['constructor.prototype.x=1']],
  ['constructor in block', () => ['strategy.constructor=1']],
  ['identity: mode', () => ['mode=evil']],
  ['identity: family', () => ['family=lending']],
  ['identity: share_class', () => ['share_class=BTC']],
  ['identity: description', () => ['description=x']],
  ['free text: lending_asset', () => ['strategy.lending_asset=../../etc']],
  ['block as scalar: placeholder list', () => ['data_policy.placeholder_values=/etc/passwd']],
  ['venue environments block', () => ['environments.live.api_key=x']],
  ['whole signals block', () => ['signals=x']],
  ['whole strategy block', () => ['strategy=x']],
  ['duration that is a path', () => ['signals.baseline.train_window=/etc/passwd']],
  ['bar interval that is a path', () => ['strategy.bar_interval=../../x']],
  ['oversized value', () => [`strategy.perp_leverage=${'9'.repeat(400)}`]],
  ['unicode key', () => ['strätegy.perp_leverage=2']],
  ['hex number', () => ['execution.max_retries=0x5']],
  ['octal number', () => ['execution.max_retries=0o7']],
  ['infinite number', () => ['strategy.perp_leverage=.inf']],
  ['CRLF in a url', () => ['signals.url=http://127.0.0.1/\r\nX-Injected: 1']],
  ['too many overrides', () => Array.from({ length: 51 }, () => 'strategy.perp_leverage=2')],
  ['env reference in value', () => ['strategy.lending_asset=${WALLET_LIVE_PRIVATE_KEY}']],
];

/** Whole bodies a caller may not send. */
const hostileBodies: [string, () => unknown][] = [
  ['capital 5e-324', () => ({ ...base, capital: 5e-324 })],
  ['capital below the smallest USDT unit', () => ({ ...base, capital: 1e-7 })],
  ['capital below the minimum order', () => ({ ...base, mode: 'btc_basis', capital: 1 })],
  ['capital as a string', () => ({ ...base, capital: '100000' })],
  ['capital as hex text', () => ({ ...base, capital: '0x10' })],
  ['negative capital', () => ({ ...base, capital: -1 })],
  ['mode traversal', () => ({ ...base, mode: '../../etc/passwd' })],
  ['mode with slash', () => ({ ...base, mode: 'btc_basis/../x' })],
  ['mode unicode', () => ({ ...base, mode: 'btc_básis' })],
  ['mode unknown', () => ({ ...base, mode: 'no_such_mode' })],
  ['extra key configDir', () => ({ ...base, configDir: '/etc' })],
  ['extra key dataDir', () => ({ ...base, dataDir: '/etc' })],
  ['extra key signals', () => ({ ...base, signals: { source: 'file', path: '/etc/passwd' } })],
  ['flow time traversal', () => ({ ...base, deposits: [{ time: '../../etc/passwd', amount: 1 }] })],
  ['flow amount as hex text', () => ({ ...base, deposits: [{ time: '2024-02-02', amount: '0x10' }] })],
  ['override not key=value', () => ({ ...base, overrides: ['/etc/passwd'] })],
];

describe('API trust boundary: hostile requests answer 4xx and leak nothing', () => {
  test('the allow-list is derived from the schema: parameters in, paths, URLs and env names out', () => {
    const keys = callerOverrideKeys();
    expect(keys).toContain('strategy.perp_leverage');
    expect(keys).toContain('hedge_allocation.<venue>');
    expect(keys).toContain('signals.use (signal source)');
    expect(keys).toContain('signals.baseline.train_window (duration)');
    for (const k of ['signals.path', 'signals.url', 'signals.token_env', 'signals.source', 'mode', 'family'])
      expect(keys.some((x) => x === k || x.startsWith(`${k} `))).toBe(false);
    expect(keys.some((k) => k.startsWith('strategy.lending_asset'))).toBe(false);
  });

  test.each(hostileOverrides)('launch with overrides: %s', async (_what, overrides) => {
    const r = await call('/api/backtests', { method: 'POST', json: { ...base, overrides: overrides() } });
    expect(r.status, r.text).toBeGreaterThanOrEqual(400);
    expect(r.status, r.text).toBeLessThan(500);
    expectClean(r.text);
  });

  test.each(hostileBodies)('launch body: %s', async (_what, body) => {
    const r = await call('/api/backtests', { method: 'POST', json: body() });
    expect(r.status, r.text).toBeGreaterThanOrEqual(400);
    expect(r.status, r.text).toBeLessThan(500);
    expectClean(r.text);
  });

  test('a body with a __proto__ key is refused', async () => {
    const raw = `{"mode":"${ML}","capital":1000,"__proto__":{"overrides":["signals.path=/etc/passwd"]}}`;
    const r = await call('/api/backtests', { method: 'POST', raw });
    expect(r.status).toBe(400);
    expectClean(r.text);
  });

  test.each(hostileOverrides.slice(0, 20))('mode resolve with ?set=: %s', async (_what, overrides) => {
    const q = overrides()
      .map((o) => `set=${encodeURIComponent(o)}`)
      .join('&');
    const r = await call(`/api/modes/${ML}?${q}`);
    expect(r.status, r.text).toBeGreaterThanOrEqual(400);
    expect(r.status, r.text).toBeLessThan(500);
    expectClean(r.text);
  });

  test.each(hostileOverrides.slice(0, 20))('config validate with overrides: %s', async (_what, overrides) => {
    const r = await call('/api/config/validate', {
      method: 'POST',
      json: { mode: ML, overrides: overrides() },
    });
    expect(r.status, r.text).toBeGreaterThanOrEqual(400);
    expect(r.status, r.text).toBeLessThan(500);
    expectClean(r.text);
  });

  test('a validated document naming a venue by a path is not resolved and shows no server path', async () => {
    const doc = readFileSync(join(configDir, 'modes', 'btc_basis.yaml'), 'utf8').replace(
      'spot: binance',
      'spot: ../../../../etc/passwd',
    );
    const r = await call('/api/config/validate', { method: 'POST', json: { document: doc } });
    expect(r.status).toBe(200);
    const body = JSON.parse(r.text) as { ok: boolean; problems: { path: string; problem: string }[] };
    expect(body.ok).toBe(false);
    expect(body.problems[0]).toMatchObject({ path: 'venues.spot' });
    expect(body.problems[0].problem).toMatch(/^unknown venue/);
    expectClean(r.text);
  });

  test('a registered source whose file is a symlink out of the roots is refused at launch', async () => {
    const r = await call('/api/backtests', {
      method: 'POST',
      json: { ...base, overrides: ['signals.use=escape'] },
    });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.text).error).toBe(
      "signal source escape: its predictions file is outside the server's signal roots (the operator registers files under them)",
    );
    expectClean(r.text);
  });

  test('an operator mode whose http host nobody allowed is refused at launch', async () => {
    const r = await call('/api/backtests', { method: 'POST', json: { ...base, mode: 'ml_unlisted_host' } });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.text).error).toContain(
      `host 127.0.0.1:${listenerPort} is not one the operator allowed`,
    );
  });

  test('a registered http source that redirects is not followed: the run fails, the target hears nothing', async () => {
    const r = await call('/api/backtests', {
      method: 'POST',
      json: { ...base, overrides: ['signals.use=redirecting', 'signals.retries=0'] },
    });
    expect(r.status).toBe(202);
    const run = await waitForRun(srv.url, JSON.parse(r.text).id);
    expect(run.status).toBe('failed');
    expect(String(run.error)).toContain('HTTP 307: redirects are not followed');
    expectClean(JSON.stringify(run));
  });

  test('ordinary launches still run to done: allowed overrides, a registered file source', async () => {
    const a = await call('/api/backtests', {
      method: 'POST',
      json: {
        mode: 'btc_basis',
        start: '2024-03-01',
        end: '2024-03-05',
        capital: 100_000,
        overrides: [
          'strategy.perp_leverage=2',
          'hedge_allocation.binance=0.5',
          'hedge_allocation.bybit=0.3',
          'hedge_allocation.okx=0.2',
        ],
      },
    });
    expect(a.status, a.text).toBe(202);
    const b = await call('/api/backtests', {
      method: 'POST',
      json: { ...base, overrides: ['signals.use=house_model', 'strategy.signal_threshold=0.5'] },
    });
    expect(b.status, b.text).toBe(202);
    const ra = await waitForRun(srv.url, JSON.parse(a.text).id);
    const rb = await waitForRun(srv.url, JSON.parse(b.text).id);
    expect(ra.status, String(ra.error)).toBe('done');
    expect(rb.status, String(rb.error)).toBe('done');
    // the registered predictions were read (every bar long at 0.9 ≥ 0.5): the run traded
    const summary = rb.summary as { notes?: string[]; signals?: { source: string; path: string } };
    expect(JSON.stringify(summary)).toContain('signal source house_model');
    expectClean(JSON.stringify(rb));
  });

  test('the hostile listener on loopback received nothing', () => {
    expect(hits).toBe(0);
  });
});
