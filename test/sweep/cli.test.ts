/**
 * `basis sweep` end to end: a bad key fails in one line before any run; a sweep killed (SIGKILL) while
 * it runs and restarted with the same id does only the runs it had not finished, streams each run to
 * the results store tagged with the sweep id, and writes the --json document.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { openStore } from '../../src/results/store/index.js';
import type { RunRecord } from '../../src/sweep/journal.js';

const BIN = resolve(__dirname, '../../bin/basis.js');
const work = mkdtempSync(join(tmpdir(), 'basis-sweep-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const basis = (args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: work, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

test('a misspelt grid key fails in one line naming it, before any run', () => {
  const r = basis([
    'sweep',
    '--mode',
    'btc_basis',
    '--grid',
    'strategy.perp_levrage=2,3',
    '--id',
    'bad',
    '--no-store',
  ]);
  expect(r.code).toBe(1);
  expect(r.stderr).toBe(
    'basis: config/modes/btc_basis.yaml: strategy.perp_levrage: unknown key (did you mean perp_leverage?) (from --set strategy.perp_levrage=2)\n',
  );
  expect(existsSync(join(work, 'results/sweeps/bad'))).toBe(false);
});

test('killed mid-way and restarted with the same id, a sweep runs only what is left', async () => {
  const store = join(work, 'store');
  const args = [
    ...['sweep', '--mode', 'btc_basis', '--grid', 'strategy.perp_leverage=2,3,4'],
    ...['--grid', 'strategy.min_funding_rate_8h=null,0.00001,0.0001', '--windows', '2024-06-01..2024-06-10'],
    ...[
      '--workers',
      '1',
      '--id',
      'k1',
      '--store',
      store,
      '--json',
      'k1.json',
      '--constraint',
      'max_drawdown<0.05',
    ],
  ];
  const journal = join(work, 'results/sweeps/k1/runs.jsonl');
  const lines = () =>
    existsSync(journal)
      ? readFileSync(journal, 'utf8')
          .split('\n')
          .filter((l) => l.endsWith('}'))
      : [];
  const first = spawn(process.execPath, [BIN, ...args], { cwd: work, stdio: 'ignore' });
  const exited = new Promise((res) => first.once('exit', res));
  // kill it as soon as it has recorded its first run (bounded polling on the journal)
  const end = Date.now() + 60_000;
  while (lines().length === 0 && first.exitCode === null) {
    if (Date.now() > end) throw new Error('timed out waiting for the first recorded run');
    await new Promise((r) => setTimeout(r, 10));
  }
  first.kill('SIGKILL');
  await exited;
  const before = lines().length;
  expect(before).toBeGreaterThanOrEqual(1);

  const second = basis(args);
  expect(second.stderr).toBe('');
  expect(second.code).toBe(0);
  expect(second.stdout).toContain(
    before < 9
      ? `sweep k1: 9 runs (${before} done before, ${9 - before} to run) on 1 worker thread`
      : 'sweep k1: 9 runs',
  );
  expect(second.stdout).toContain(`ran ${9 - before} runs in `);
  const records = lines().map((l) => JSON.parse(l) as RunRecord);
  expect(records).toHaveLength(9); // one line per run: no finished run was done again
  expect(new Set(records.map((r) => r.key)).size).toBe(9);

  const doc = JSON.parse(readFileSync(join(work, 'k1.json'), 'utf8'));
  expect(doc.runs_done).toBe(9);
  expect(doc.runs).toHaveLength(9);
  expect(doc.runs[0].overrides).toEqual(['strategy.perp_leverage=2', 'strategy.min_funding_rate_8h=null']);
  expect(doc.runs[0].window).toEqual({ start: '2024-06-01T00:00:00Z', end: '2024-06-10T00:00:00Z' });
  expect(doc.runs[0].summary.mode).toBe('btc_basis');
  expect(doc.ranking).toHaveLength(9);
  const apys = doc.ranking
    .filter((s: { feasible: boolean }) => s.feasible)
    .map((s: { apy: number }) => s.apy);
  expect(apys).toEqual([...apys].sort((a, b) => b - a));

  // every run is in the results store, tagged with the sweep and its key
  const s = await openStore({ dir: store });
  try {
    const { runs } = await s.listRuns({ limit: 500 });
    const tagged = await Promise.all(runs.map(async (r) => (await s.getRun(r.id))!.request.sweep));
    expect(tagged.every((t) => t?.id === 'k1')).toBe(true);
    expect(new Set(tagged.map((t) => t!.key))).toEqual(new Set(records.map((r) => r.key)));
    for (const r of records) {
      const stored = await s.getRun(r.run_id!);
      expect(stored!.summary!.final_equity).toBe(r.summary!.final_equity);
    }
  } finally {
    await s.close();
  }
});
