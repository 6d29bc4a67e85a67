/**
 * Parameter sweeps (src/sweep): a 3 × 3 grid gives exactly the figures of the nine single backtests,
 * data is loaded once per worker, a stopped sweep resumed with the same id runs only what is left, bad
 * keys fail before any run, random draws are seeded, ranking and walk-forward choose by the objective.
 * Runs on BASIS_DATA_DIR when set, else the generated synthetic sample (both cover 2024).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { runBacktest } from '../../src/results/run.js';
import type { BacktestSummary } from '../../src/results/summary.js';
import { buildSpec, type SpecTexts } from '../../src/sweep/cli-spec.js';
import { cachedLoader, loadKey, toShared, type SharedData } from '../../src/sweep/data.js';
import { executeRun } from '../../src/sweep/execute.js';
import { SweepJournal, type RunRecord } from '../../src/sweep/journal.js';
import { runLocal } from '../../src/sweep/local.js';
import { metricOf, parseConstraint } from '../../src/sweep/objective.js';
import { parameterSets } from '../../src/sweep/spec.js';
import { prepareSweep, rankRecords, walkForwardReport } from '../../src/sweep/sweep.js';

const work = mkdtempSync(join(tmpdir(), 'basis-sweep-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const texts = (o: Partial<SpecTexts>): SpecTexts => ({
  mode: ['btc_basis'],
  grid: [],
  range: [],
  seed: '1',
  set: [],
  objective: 'apy',
  constraint: [],
  ...o,
});

const GRID = ['strategy.perp_leverage=2,3,4', 'strategy.min_funding_rate_8h=null,0.00001,0.0001'];
const WINDOW = '2024-05-01..2024-08-01';

/** A summary without the wall-clock timings (the only fields that differ between two runs). */
function figures(s: BacktestSummary | null): Omit<BacktestSummary, 'runtime_ms' | 'load_ms' | 'loop_ms'> {
  expect(s).not.toBeNull();
  const { runtime_ms: _r, load_ms: _l, loop_ms: _p, ...rest } = s!;
  return rest;
}

describe('a 3 × 3 btc_basis sweep', () => {
  const spec = buildSpec(texts({ grid: GRID, windows: WINDOW }));
  const runs = prepareSweep(spec);
  const records = new Map<string, RunRecord>();

  test('expands to nine runs whose overrides are --set texts', () => {
    expect(runs).toHaveLength(9);
    expect(runs[0].overrides).toEqual(['strategy.perp_leverage=2', 'strategy.min_funding_rate_8h=null']);
    expect(runs[8].overrides).toEqual(['strategy.perp_leverage=4', 'strategy.min_funding_rate_8h=0.0001']);
    expect(new Set(runs.map((r) => r.key)).size).toBe(9);
  });

  test('on two worker threads returns exactly the figures of the nine single backtests', async () => {
    const journal = SweepJournal.open(join(work, 'sweeps'), 'grid', spec, runs);
    const executed = await runLocal(runs, journal, { workers: 2, store: null, sweepId: 'grid' });
    expect(executed).toBe(9);
    for (const r of runs) {
      const single = await runBacktest({
        mode: 'btc_basis',
        overrides: r.overrides,
        startMs: Date.parse('2024-05-01'),
        endMs: Date.parse('2024-08-01'),
      });
      const rec = journal.done.get(r.key)!;
      expect(rec.error).toBeNull();
      expect(figures(rec.summary)).toEqual(figures(single.summary));
      expect(rec.summary!.final_equity).toBe(single.summary.final_equity);
      records.set(r.key, rec);
    }
    // the grid matters: nine different outcomes
    expect(new Set([...records.values()].map((r) => r.summary!.final_equity)).size).toBe(9);
  });

  test('ranks the sets by the objective among those meeting the constraints', () => {
    const list = [...records.values()];
    const c = parseConstraint('max_drawdown<0.01');
    const ranking = rankRecords(list, 'apy', [c]);
    expect(ranking).toHaveLength(9);
    const feasible = list.filter((r) => r.summary!.max_drawdown < 0.01);
    const expected = [...feasible].sort((a, b) => b.summary!.apy - a.summary!.apy);
    expect(ranking.filter((s) => s.feasible).map((s) => s.apy)).toEqual(expected.map((r) => r.summary!.apy));
    expect(ranking.slice(0, feasible.length).every((s) => s.feasible)).toBe(true);
    const calmar = rankRecords(list, 'calmar', []);
    const best = Math.max(...list.map((r) => metricOf(r.summary!, 'calmar')!));
    expect(calmar[0].objective).toBe(best);
  });
});

test('data is loaded once for every run over the same window, and can be shared', async () => {
  const spec = buildSpec(texts({ grid: ['strategy.perp_leverage=2,3,4'], windows: WINDOW }));
  const loader = cachedLoader();
  for (const run of prepareSweep(spec)) {
    const a = await executeRun({ run, withResult: false }, loader);
    expect(a.error).toBeNull();
  }
  expect(loader.stats).toEqual({ loads: 1, hits: 2 });

  // the shared copy a worker thread is handed: same values in SharedArrayBuffers, served without a load
  let captured: SharedData | undefined;
  const probe = cachedLoader();
  const [run] = prepareSweep(spec);
  await executeRun({ run, withResult: false }, async (req, load) => {
    const loaded = await load();
    captured = { key: loadKey(req), loaded: toShared(loaded) };
    expect([...captured.loaded.data.series.keys()]).toEqual([...loaded.data.series.keys()]);
    for (const [id, v] of loaded.data.series) {
      const shared = captured.loaded.data.series.get(id)!;
      expect(shared.buffer).toBeInstanceOf(SharedArrayBuffer);
      expect(Array.from(shared)).toEqual(Array.from(v));
    }
    return loaded;
  });
  probe.seed(captured!);
  const a = await executeRun({ run, withResult: false }, probe);
  const b = await executeRun({ run, withResult: false }, cachedLoader());
  expect(probe.stats).toEqual({ loads: 0, hits: 1 });
  expect(a.summary!.final_equity).toBe(b.summary!.final_equity);
  expect(a.summary!.pnl).toEqual(b.summary!.pnl);
});

test('a stopped sweep resumed with the same id runs only what is left', async () => {
  const spec = buildSpec(texts({ grid: GRID, windows: '2024-06-01..2024-06-15' }));
  const runs = prepareSweep(spec);
  const root = join(work, 'resume');
  const ac = new AbortController();
  const first = await runLocal(runs, SweepJournal.open(root, 'r1', spec, runs), {
    workers: 0,
    store: null,
    sweepId: 'r1',
    signal: ac.signal,
    onRun: (_rec, done) => {
      if (done === 4) ac.abort();
    },
  });
  expect(first).toBe(4);
  const again = SweepJournal.open(root, 'r1', spec, runs);
  expect(again.done.size).toBe(4);
  const second = await runLocal(runs, again, { workers: 0, store: null, sweepId: 'r1' });
  expect(second).toBe(5);
  const lines = readFileSync(join(root, 'r1', 'runs.jsonl'), 'utf8')
    .trim()
    .split('\n');
  expect(lines).toHaveLength(9);
  expect(new Set(lines.map((l) => (JSON.parse(l) as RunRecord).key)).size).toBe(9);
  // a third start has nothing left to do
  expect(
    await runLocal(runs, SweepJournal.open(root, 'r1', spec, runs), {
      workers: 0,
      store: null,
      sweepId: 'r1',
    }),
  ).toBe(0);
  // the same id with other parameters is refused
  const other = buildSpec(texts({ grid: ['strategy.perp_leverage=2,5'], windows: '2024-06-01..2024-06-15' }));
  expect(() => SweepJournal.open(root, 'r1', other, prepareSweep(other))).toThrow(
    /^sweep r1 was started with other runs \(9 runs: modes btc_basis, grid strategy.perp_leverage, strategy.min_funding_rate_8h\)/,
  );
});

describe('bad sweeps fail before any run, naming the problem', () => {
  test('a misspelt key', () => {
    const spec = buildSpec(texts({ grid: ['strategy.perp_levrage=2,3'] }));
    expect(() => prepareSweep(spec)).toThrow(
      'config/modes/btc_basis.yaml: strategy.perp_levrage: unknown key (did you mean perp_leverage?) (from --set strategy.perp_levrage=2)',
    );
  });
  test('a value out of range', () => {
    const spec = buildSpec(texts({ grid: ['strategy.perp_leverage=3,50'] }));
    expect(() => prepareSweep(spec)).toThrow(
      /strategy\.perp_leverage: expected a number <= 20.*\(from --set strategy\.perp_leverage=50\)/,
    );
  });
  test('malformed flags', () => {
    expect(() => buildSpec(texts({ grid: ['strategy.perp_leverage'] }))).toThrow(
      '--grid "strategy.perp_leverage": expected key.path=value1,value2,...',
    );
    expect(() => buildSpec(texts({ objective: 'profit' }))).toThrow(
      /^--objective profit is not a metric; one of apy,/,
    );
    expect(() => buildSpec(texts({ constraint: ['drawdown<0.1'] }))).toThrow(/drawdown is not a metric/);
    expect(() => buildSpec(texts({ range: ['strategy.perp_leverage=1:5'] }))).toThrow(/needs --random N/);
    expect(() => buildSpec(texts({ windows: '2024-02-01..2024-01-01' }))).toThrow(/end must be after start/);
  });
});

test('random draws are seeded, inside their ranges, whole numbers for integer ranges', () => {
  const spec = (seed: string) =>
    buildSpec(
      texts({
        random: '50',
        seed,
        range: ['strategy.perp_leverage=1.5:4', 'strategy.funding_lookback_hours=24:168'],
      }),
    );
  const a = parameterSets(spec('7'));
  expect(a).toEqual(parameterSets(spec('7')));
  expect(a).not.toEqual(parameterSets(spec('8')));
  expect(a).toHaveLength(50);
  for (const p of a) {
    const lev = Number(p['strategy.perp_leverage']);
    expect(lev).toBeGreaterThanOrEqual(1.5);
    expect(lev).toBeLessThanOrEqual(4);
    const h = p['strategy.funding_lookback_hours'];
    expect(h).toMatch(/^\d+$/);
    expect(Number(h)).toBeGreaterThanOrEqual(24);
    expect(Number(h)).toBeLessThanOrEqual(168);
  }
  expect(new Set(a.map((p) => p['strategy.funding_lookback_hours'])).size).toBeGreaterThan(20);
});

test('walk-forward chooses in-sample by the objective and reports the test windows', async () => {
  const spec = buildSpec(
    texts({
      grid: ['strategy.min_funding_rate_8h=null,0.00001,0.0001'],
      windows: '2024-05-01..2024-08-01',
      walkForward: 'train=30d,test=15d',
    }),
  );
  const runs = prepareSweep(spec);
  // folds start every 15 days while train + test fit: 92 days → 4 folds, 3 sets × 2 windows each
  expect(runs).toHaveLength(4 * 3 * 2);
  const journal = SweepJournal.open(join(work, 'wf'), 'wf', spec, runs);
  await runLocal(runs, journal, { workers: 0, store: null, sweepId: 'wf' });
  const records = [...journal.done.values()];
  const wf = walkForwardReport(records, 'apy', []);
  expect(wf.folds).toHaveLength(4);
  expect(wf.sets).toBe(3);
  expect(wf.trials).toBe(12);
  for (const f of wf.folds) {
    const train = records.filter((r) => r.fold!.index === f.fold && r.fold!.part === 'train');
    const best = [...train].sort((a, b) => b.summary!.apy - a.summary!.apy)[0];
    expect(f.chosen!.params).toEqual(best.params);
    expect(f.in_sample).toBe(best.summary!.apy);
    const test = records.find(
      (r) =>
        r.fold!.index === f.fold &&
        r.fold!.part === 'test' &&
        JSON.stringify(r.params) === JSON.stringify(best.params),
    )!;
    expect(f.out_of_sample).toBe(test.summary!.apy);
    expect(f.test.start).toBe(f.train.end);
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  expect(wf.gap).toBeCloseTo(
    mean(wf.folds.map((f) => f.in_sample!)) - mean(wf.folds.map((f) => f.out_of_sample!)),
    15,
  );
  expect(wf.oos_total_return).toBeCloseTo(
    wf.folds.reduce((a, f) => a * (1 + f.oos_total_return!), 1) - 1,
    15,
  );
});
