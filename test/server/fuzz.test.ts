/**
 * Malformed, oversized and out-of-range requests, generated from a valid one by seeded mutation plus
 * hand-picked edge cases, sent over real HTTP: every one answers 4xx with a one-line error, and the
 * server is healthy afterwards (answers, and still runs a valid backtest to the end).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestServer, waitForRun, type TestServer } from './helpers.js';

interface Case {
  name: string;
  method: string;
  path: string;
  body?: string;
  contentType?: string;
}

/** mulberry32: the same cases on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const VALID = {
  mode: 'btc_basis',
  start: '2024-03-01',
  end: '2024-03-05',
  capital: 10_000,
  deposits: [{ time: '2024-03-02', amount: 100 }],
  withdrawals: [{ time: '2024-03-03', amount: 1000 }],
  overrides: ['strategy.perp_leverage=2'],
};

/** Values that are wrong for every field of the launch body in some way. */
const BAD_VALUES: unknown[] = [
  null,
  true,
  -1,
  0,
  1e13,
  'x'.repeat(5000),
  '',
  [],
  {},
  [1, 2],
  { nested: { deeper: 1 } },
  '2024-02-30',
  '../../etc/passwd',
  '<script>alert(1)</script>',
  "1' or '1'='1",
  -1e308,
];

const json = (v: unknown): string => JSON.stringify(v);

function generatedCases(): Case[] {
  const next = rng(20240601);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)];
  const cases: Case[] = [];
  const fields = Object.keys(VALID) as (keyof typeof VALID)[];
  // Each field set to each kind of wrong value (sampled), and removed when required
  for (const field of fields) {
    const used = new Set<number>();
    while (used.size < 6) {
      const i = Math.floor(next() * BAD_VALUES.length);
      if (used.has(i)) continue;
      used.add(i);
      const v = BAD_VALUES[i];
      if (field === 'capital' && typeof v === 'number' && v > 0 && v <= 1e12) continue;
      // An empty list of flows or overrides is valid
      if (Array.isArray(v) && v.length === 0 && ['deposits', 'withdrawals', 'overrides'].includes(field))
        continue;
      cases.push({
        name: `${field}=${json(v).slice(0, 30)}`,
        method: 'POST',
        path: '/api/backtests',
        body: json({ ...VALID, [field]: v }),
      });
    }
  }
  // (capital may be left out: it defaults to the mode's default_capital)
  for (const field of ['mode'] as const) {
    const { [field]: _drop, ...rest } = VALID;
    cases.push({ name: `missing ${field}`, method: 'POST', path: '/api/backtests', body: json(rest) });
  }
  // Nested flow fields
  for (let i = 0; i < 8; i++) {
    const flow = {
      time: pick(['2024-03-02', '2019-01-01', '2099-01-01', 'tomorrow', '2024-03-02T25:00']),
      amount: pick([100, -5, 0, '100', null, 1e15]),
    };
    if (flow.time === '2024-03-02' && flow.amount === 100) flow.amount = -5;
    cases.push({
      name: `deposit ${json(flow)}`,
      method: 'POST',
      path: '/api/backtests',
      body: json({ ...VALID, deposits: [flow] }),
    });
  }
  // Out-of-range windows and overrides
  const windows: [string, string][] = [
    ['2019-01-01', '2024-03-05'],
    ['2024-03-01', '2099-01-01'],
    ['2024-03-05', '2024-03-01'],
    ['2024-03-01T00:30', '2024-03-05'],
    ['2024-03-01', '2024-03-01'],
    ['2024-02-30', '2024-03-05'],
    ['2024-03-01', '20240305'],
  ];
  for (const [start, end] of windows)
    cases.push({
      name: `window ${start}..${end}`,
      method: 'POST',
      path: '/api/backtests',
      body: json({ ...VALID, start, end }),
    });
  for (const o of [
    'strategy.perp_leverage=abc',
    'strategy.nope=1',
    'strategy.perp_leverage=500',
    '=1',
    'a..b=1',
    '__proto__.x=1',
    'hedge_allocation.okx=2',
    'x'.repeat(400) + '=1',
  ])
    cases.push({
      name: `override ${o.slice(0, 30)}`,
      method: 'POST',
      path: '/api/backtests',
      body: json({ ...VALID, overrides: [o] }),
    });
  cases.push({
    name: 'unknown mode',
    method: 'POST',
    path: '/api/backtests',
    body: json({ ...VALID, mode: 'no_such_mode' }),
  });
  cases.push({
    name: 'unknown field',
    method: 'POST',
    path: '/api/backtests',
    body: json({ ...VALID, leverage: 10 }),
  });
  cases.push({
    name: '101 deposits',
    method: 'POST',
    path: '/api/backtests',
    body: json({ ...VALID, deposits: Array(101).fill({ time: '2024-03-02', amount: 1 }) }),
  });
  cases.push({
    name: '51 overrides',
    method: 'POST',
    path: '/api/backtests',
    body: json({ ...VALID, overrides: Array(51).fill('strategy.perp_leverage=2') }),
  });
  return cases;
}

const ID = '20250101-000000-abcdef';

function handPicked(): Case[] {
  const c = (name: string, method: string, path: string, body?: string, contentType?: string): Case => ({
    name,
    method,
    path,
    body,
    contentType,
  });
  return [
    c('not JSON', 'POST', '/api/backtests', '{"mode": "btc_basis",'),
    c('JSON array', 'POST', '/api/backtests', '[1,2,3]'),
    c('JSON string', 'POST', '/api/backtests', '"btc_basis"'),
    c('empty body', 'POST', '/api/backtests', ''),
    c('text/plain', 'POST', '/api/backtests', json(VALID), 'text/plain'),
    c(
      'form encoded',
      'POST',
      '/api/backtests',
      'mode=btc_basis&capital=5',
      'application/x-www-form-urlencoded',
    ),
    c('oversized body (200 kB)', 'POST', '/api/backtests', json({ ...VALID, pad: 'x'.repeat(200_000) })),
    c(
      'proto pollution',
      'POST',
      '/api/backtests',
      '{"__proto__": {"admin": true}, "mode": "btc_basis", "capital": 5}',
    ),
    c('deep nesting', 'POST', '/api/backtests', '['.repeat(5000) + ']'.repeat(5000)),
    c('capital as string', 'POST', '/api/backtests', '{"mode":"btc_basis","capital":"100000"}'),
    c('capital 1e999 (not a JSON number)', 'POST', '/api/backtests', '{"mode":"btc_basis","capital":1e999}'),
    c('bad id', 'GET', '/api/backtests/not-an-id'),
    c('unknown id', 'GET', `/api/backtests/${ID}`),
    c('unknown id summary', 'GET', `/api/backtests/${ID}/summary`),
    c('unknown id series', 'GET', `/api/backtests/${ID}/series`),
    c('unknown id events', 'GET', `/api/backtests/${ID}/events`),
    c('unknown id report', 'GET', `/api/backtests/${ID}/report`),
    c('delete unknown', 'DELETE', `/api/backtests/${ID}`),
    c('id too long', 'GET', `/api/backtests/${'9'.repeat(300)}`),
    c('path traversal id', 'GET', '/api/backtests/..%2F..%2Fetc%2Fpasswd'),
    c('list limit 0', 'GET', '/api/backtests?limit=0'),
    c('list limit huge', 'GET', '/api/backtests?limit=100000'),
    c('list limit text', 'GET', '/api/backtests?limit=ten'),
    c('list offset negative', 'GET', '/api/backtests?offset=-1'),
    c('list unknown status', 'GET', '/api/backtests?status=paused'),
    c('list unknown param', 'GET', '/api/backtests?sort=desc'),
    c('list repeated limit', 'GET', '/api/backtests?limit=1&limit=2'),
    c('compare one id', 'GET', `/api/compare?ids=${ID}`),
    c('compare nine ids', 'GET', `/api/compare?ids=${Array(9).fill(ID).join(',')}`),
    c('compare bad ids', 'GET', '/api/compare?ids=a,b'),
    c('compare unknown ids', 'GET', `/api/compare?ids=${ID},20250101-000000-abcde0`),
    c('compare no ids', 'GET', '/api/compare'),
    c('modes bad name', 'GET', '/api/modes/BTC-BASIS'),
    c('modes unknown', 'GET', '/api/modes/unknown_mode'),
    c('modes bad override', 'GET', '/api/modes/btc_basis?set=strategy.perp_leverage%3Dabc'),
    c('modes override without =', 'GET', '/api/modes/btc_basis?set=strategy.perp_leverage'),
    c(
      'validate mode and document',
      'POST',
      '/api/config/validate',
      json({ mode: 'btc_basis', document: 'mode: x' }),
    ),
    c(
      'validate overrides without mode',
      'POST',
      '/api/config/validate',
      json({ overrides: ['strategy.perp_leverage=2'] }),
    ),
    c('validate huge document', 'POST', '/api/config/validate', json({ document: 'a: 1\n'.repeat(20_000) })),
    c('validate number document', 'POST', '/api/config/validate', json({ document: 5 })),
    c('unknown route', 'GET', '/api/nothing'),
    c('wrong method', 'PUT', '/api/backtests'),
    c('PATCH a run', 'PATCH', `/api/backtests/${ID}`),
    c('very long URL', 'GET', `/api/backtests?mode=${'a'.repeat(7000)}`),
  ];
}

let srv: TestServer;
let doneId = '';

beforeAll(async () => {
  srv = await startTestServer();
  const r = await fetch(`${srv.url}/api/backtests`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: json({ mode: 'pure_lending_usdt', start: '2024-03-01', end: '2024-03-03', capital: 1000 }),
  });
  doneId = ((await r.json()) as { id: string }).id;
  await waitForRun(srv.url, doneId);
});
afterAll(async () => {
  await srv.close();
});

describe('API fuzz: bad requests answer 4xx, never 5xx', () => {
  const cases = [...generatedCases(), ...handPicked()];
  // Cases that need a finished run: filled in once it exists
  cases.push(
    { name: 'series unknown name', method: 'GET', path: '/series?names=equity,bogus' },
    { name: 'series cum of a level', method: 'GET', path: '/series?names=cum.equity' },
    { name: 'series points 1', method: 'GET', path: '/series?points=1' },
    { name: 'series points huge', method: 'GET', path: '/series?points=99999999999' },
    { name: 'series 201 names', method: 'GET', path: `/series?names=${Array(201).fill('equity').join(',')}` },
    { name: 'events bad type', method: 'GET', path: '/events?type=FILL;drop' },
    { name: 'events bad from', method: 'GET', path: '/events?from=yesterday' },
    { name: 'events to before from', method: 'GET', path: '/events?from=2024-03-02&to=2024-03-01' },
    { name: 'events limit 1001', method: 'GET', path: '/events?limit=1001' },
    { name: 'compare with itself', method: 'GET', path: '/compare-self' },
  );

  test(`${cases.length} generated and hand-picked cases`, async () => {
    expect(cases.length).toBeGreaterThanOrEqual(50);
    const failures: string[] = [];
    for (const c of cases) {
      let path = c.path;
      if (path === '/compare-self') path = `/api/compare?ids=${doneId},${doneId}`;
      else if (path.startsWith('/series') || path.startsWith('/events'))
        path = `/api/backtests/${doneId}${path}`;
      const headers: Record<string, string> = {};
      if (c.body !== undefined) headers['content-type'] = c.contentType ?? 'application/json';
      const res = await fetch(`${srv.url}${path}`, { method: c.method, headers, body: c.body });
      const text = await res.text();
      let error = '';
      try {
        error = (JSON.parse(text) as { error?: string }).error ?? '';
      } catch {
        // not JSON
      }
      const ok = res.status >= 400 && res.status < 500 && error.length > 0 && !error.includes('\n');
      if (!ok) failures.push(`${c.name}: ${res.status} ${text.slice(0, 200)}`);
    }
    expect(failures).toEqual([]);
  });

  test('the server is healthy afterwards and still runs a backtest to the end', async () => {
    const health = await fetch(`${srv.url}/api/health`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { queue: { queued: number } }).queue.queued).toBe(0);
    const r = await fetch(`${srv.url}/api/backtests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: json(VALID),
    });
    expect(r.status).toBe(202);
    const done = await waitForRun(srv.url, ((await r.json()) as { id: string }).id);
    expect(done.status).toBe('done');
  });
});
