/**
 * The workbench endpoints over real HTTP: capital optional, every problem of a body in its one-line
 * error, events without "NaN" strings, the tearsheet and trades (JSON and CSV) equal to what the stored
 * series say, CSV exports of series and events, prefix matching, overrides in the run list.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestServer, waitForRun, type TestServer } from './helpers.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
let srv: TestServer;
let id = '';

const get = async (path: string) => {
  const r = await fetch(`${srv.url}${path}`);
  return { status: r.status, type: r.headers.get('content-type') ?? '', text: await r.text() };
};
const json = async (path: string) => JSON.parse((await get(path)).text) as any;
const post = async (body: unknown) => {
  const r = await fetch(`${srv.url}/api/backtests`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: r.status, body: (await r.json()) as any };
};

/** Parses the simple CSV the API writes (quoted cells only where needed). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  return rows;
}

beforeAll(async () => {
  srv = await startTestServer();
  // no capital: the mode's default applies
  const r = await post({
    mode: 'btc_basis',
    start: '2024-02-10',
    end: '2024-04-05',
    overrides: ['strategy.perp_leverage=2'],
  });
  expect(r.status).toBe(202);
  id = r.body.id;
  expect((await waitForRun(srv.url, id)).status).toBe('done');
});
afterAll(async () => {
  await srv?.close();
});

describe('launch checks', () => {
  test('capital is optional: the default of GET /api/modes', async () => {
    const modes = await json('/api/modes');
    const def = modes.modes.find((m: any) => m.mode === 'btc_basis').default_capital;
    const run = await json(`/api/backtests/${id}`);
    expect(run.request.capital).toBe(def);
    expect(run.summary.initial_capital).toBe(def);
  });

  test('a missing field does not hide the other problems of the body', async () => {
    const r = await post({ start: 5, capital: -1, deposits: [{ time: '2024-03-01' }] });
    expect(r.status).toBe(400);
    expect(r.body.issues.map((i: any) => i.path).sort()).toEqual(
      ['body.capital', 'body.deposits.0.amount', 'body.mode', 'body.start'].sort(),
    );
    for (const i of r.body.issues) expect(r.body.error).toContain(`${i.path}: ${i.problem}`);
    expect(r.body.error).not.toContain('\n');
  });
});

describe('window and flow checks', () => {
  test('every problem of the window and the flows in one line', async () => {
    const r = await post({
      mode: 'btc_basis',
      start: '2019-01-01',
      end: '2024-03-01',
      deposits: [{ time: '2025-12-01', amount: 1 }],
      withdrawals: [{ time: '2024-02-30', amount: 1 }],
    });
    expect(r.status).toBe(400);
    const parts = (r.body.error as string).split('; ');
    expect(parts).toHaveLength(3);
    expect(parts[0]).toMatch(/^start 2019-01-01T00:00:00Z is before the data coverage of mode btc_basis/);
    expect(parts[1]).toMatch(
      /^deposits\[0\]\.time 2025-12-01T00:00:00Z is outside the window 2019-01-01T00:00:00Z \.\. 2024-03-01T00:00:00Z$/,
    );
    expect(parts[2]).toMatch(/^withdrawals\[0\]\.time "2024-02-30" is not a valid calendar date/);
  });
});

describe('events', () => {
  test('a transfer fill has "price": null, never the string "NaN"', async () => {
    const text = (await get(`/api/backtests/${id}/events?type=fill&limit=1000`)).text;
    expect(text).not.toContain('"NaN"');
    const fills = JSON.parse(text).events as any[];
    const transfer = fills.find((e) => e.data.op === 'transfer');
    expect(transfer.data.price).toBeNull();
  });

  test('format=csv: every matching event, data as one JSON cell', async () => {
    const page = await json(`/api/backtests/${id}/events?type=funding,fill&limit=1000`);
    const r = await get(`/api/backtests/${id}/events?type=funding,fill&format=csv`);
    expect(r.type).toMatch(/^text\/csv/);
    const rows = parseCsv(r.text);
    expect(rows[0]).toEqual(['seq', 't', 'type', 'venue', 'data']);
    expect(rows.length - 1).toBe(page.total);
    expect(rows[1]).toEqual([
      String(page.events[0].seq),
      page.events[0].t,
      page.events[0].type,
      page.events[0].venue ?? '',
      JSON.stringify(page.events[0].data),
    ]);
  });
});

describe('series CSV', () => {
  test('every step by default, the same values as the JSON at full resolution', async () => {
    const full = await json(`/api/backtests/${id}/series?names=equity,pnl.funding&points=1000000`);
    const rows = parseCsv(
      (await get(`/api/backtests/${id}/series?names=equity,pnl.funding&format=csv`)).text,
    );
    expect(rows[0]).toEqual(['timestamp', 'equity', 'pnl.funding']);
    expect(rows.length - 1).toBe(full.total_steps);
    const last = rows.at(-1)!;
    expect(last[0]).toBe(new Date(full.t.at(-1)).toISOString());
    expect(Number(last[1])).toBeCloseTo(full.columns[0].values.at(-1), 4);
    const fundingCsv = rows.slice(1).reduce((s, r) => s + Number(r[2] || 0), 0);
    const fundingJson = full.columns[1].values.reduce((s: number, v: number | null) => s + (v ?? 0), 0);
    expect(fundingCsv).toBeCloseTo(fundingJson, 4);
  });
});

describe('tearsheet and trades', () => {
  test('the tearsheet agrees with the summary and the series', async () => {
    const t = await json(`/api/backtests/${id}/tearsheet`);
    const s = await json(`/api/backtests/${id}/summary`);
    expect(t.figures.volatility).toBe(s.volatility);
    expect(t.figures.sharpe).toBe(s.sharpe);
    expect(t.figures.max_drawdown).toBe(s.max_drawdown);
    expect(t.monthly.map((m: any) => m.month)).toEqual(['2024-02', '2024-03', '2024-04']);
    const compounded = t.monthly.reduce((g: number, m: any) => g * (1 + m.r), 1) - 1;
    expect(compounded).toBeCloseTo(s.total_return, 12);
    expect(t.benchmark).toMatchObject({ name: 'susde', available: false });
    expect(t.benchmark.reason).toMatch(/^no benchmark: /);
    const venues = t.funding.map((f: any) => f.venue).sort();
    expect(venues).toEqual(Object.keys(s.hedge_weights).sort());
  });

  test('trades: JSON rows add up to the PnL; CSV has the same rows', async () => {
    const tj = await json(`/api/backtests/${id}/trades`);
    const s = await json(`/api/backtests/${id}/summary`);
    expect(tj.trades.length).toBe(tj.stats.count);
    expect(tj.trades.length).toBeGreaterThan(0);
    expect(tj.trades.reduce((a: number, r: any) => a + r.pnl, 0)).toBeCloseTo(s.pnl.balance, 6);
    const rows = parseCsv((await get(`/api/backtests/${id}/trades?format=csv`)).text);
    expect(rows[0]).toEqual([
      'id',
      'kind',
      'entry_time',
      'exit_time',
      'side',
      'reason',
      'detail',
      'venues',
      'entry_price',
      'exit_price',
      'size',
      'notional',
      'fees',
      'pnl',
    ]);
    expect(rows.length - 1).toBe(tj.trades.length);
    expect(rows[1][2]).toBe(tj.trades[0].entry_time);
    expect(Number(rows[1][13])).toBeCloseTo(tj.trades[0].pnl, 6);
    expect((await get(`/api/backtests/${id}/trades?format=xml`)).status).toBe(400);
  });
});

describe('run identity', () => {
  test('the run list carries the overrides; prefixes list their matches', async () => {
    const list = await json('/api/backtests');
    expect(list.runs.find((r: any) => r.id === id).overrides).toEqual(['strategy.perp_leverage=2']);
    expect(await json(`/api/run-ids?prefix=${id.slice(0, 8)}`)).toEqual({ total: 1, ids: [id] });
    expect(await json(`/api/run-ids?prefix=${id}`)).toEqual({ total: 1, ids: [id] });
    expect(await json('/api/run-ids?prefix=2099')).toEqual({ total: 0, ids: [] });
    expect((await get('/api/run-ids?prefix=../x')).status).toBe(400);
  });
});

describe('OpenAPI', () => {
  test('documents the workbench endpoints; the CLI’s import endpoint is not in the document', async () => {
    const local = await startTestServer({ localToken: 'a-local-session-token-of-32-chars' });
    try {
      const doc = (await (await fetch(`${local.url}/openapi.json`)).json()) as any;
      const paths = Object.keys(doc.paths);
      for (const p of ['/api/backtests/{id}/tearsheet', '/api/backtests/{id}/trades', '/api/run-ids'])
        expect(paths).toContain(p);
      expect(paths).not.toContain('/api/backtests/import');
      const r = await fetch(`${local.url}/api/backtests/import`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-basis-local-token': 'a-local-session-token-of-32-chars',
        },
        body: JSON.stringify({ request: {} }),
      });
      // the token passes; the body is checked like any other
      expect(r.status).toBe(400);
      expect(((await r.json()) as any).error).toMatch(/^body\.request\.mode: /);
    } finally {
      await local.close();
    }
  });
});
