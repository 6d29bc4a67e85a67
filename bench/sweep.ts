/**
 * `npm run bench:sweep` (not part of `npm run bench`: it takes minutes): 1,000 full-window btc_basis
 * backtests with different overrides (a seeded random search over perp leverage, rebalancing threshold,
 * funding filter and its lookback), wall time on 1 and 2 worker threads, journal only (no results store),
 * data loaded once per worker. Then the cost of streaming runs to the embedded results store, on a few.
 * Dataset: $BASIS_DATA_DIR, else the synthetic sample. BENCH_SWEEP_RUNS changes the count.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveDataDir } from '../src/engine/backtest.js';
import { openStore } from '../src/results/store/index.js';
import { buildSpec } from '../src/sweep/cli-spec.js';
import { SweepJournal } from '../src/sweep/journal.js';
import { runLocal } from '../src/sweep/local.js';
import { prepareSweep } from '../src/sweep/sweep.js';

const RUNS = Number(process.env.BENCH_SWEEP_RUNS ?? 1000);
const TARGET_S = 60;
const STORE_RUNS = 10;

function spec(n: number, seed: string) {
  return buildSpec({
    mode: ['btc_basis'],
    grid: [],
    random: String(n),
    seed,
    range: [
      'strategy.perp_leverage=1.5:5',
      'strategy.position_deviation_threshold=0.005:0.05',
      'strategy.min_funding_rate_8h=0:0.0001',
      'strategy.funding_lookback_hours=8:168',
    ],
    set: [],
    objective: 'apy',
    constraint: [],
  });
}

async function main(): Promise<void> {
  const { dir, sample } = resolveDataDir();
  process.stdout.write(`dataset: ${dir}${sample ? ' (SYNTHETIC sample)' : ''}\n`);
  const work = mkdtempSync(join(tmpdir(), 'basis-bench-sweep-'));
  try {
    const s = spec(RUNS, '1');
    const runs = prepareSweep(s);
    process.stdout.write(
      `${runs.length} full-window btc_basis backtests (seeded random search over 4 keys)\n`,
    );
    const walls: Record<number, number> = {};
    for (const workers of [1, 2]) {
      const journal = SweepJournal.open(join(work, 'sweeps'), `bench-${workers}`, s, runs);
      const t0 = performance.now();
      const executed = await runLocal(runs, journal, { workers, store: null, sweepId: `bench-${workers}` });
      const wall = (performance.now() - t0) / 1000;
      walls[workers] = wall;
      const failed = [...journal.done.values()].filter((r) => r.error).length;
      const loops = [...journal.done.values()].map((r) => r.summary?.loop_ms ?? 0).sort((a, b) => a - b);
      process.stdout.write(
        `  ${workers} worker${workers === 1 ? ' ' : 's'}: ${executed} runs in ${wall.toFixed(1)} s (${(executed / wall).toFixed(1)} runs/s; median loop ${loops[Math.floor(loops.length / 2)].toFixed(0)} ms; ${failed} failed)${wall < TARGET_S ? '' : ` — above the ${TARGET_S} s target`}\n`,
      );
    }
    process.stdout.write(`  scaling 1 → 2 workers: ×${(walls[1] / walls[2]).toFixed(2)}\n`);

    // streaming to the results store: each run saved with its series and events
    const small = spec(STORE_RUNS, '2');
    const smallRuns = prepareSweep(small);
    const store = await openStore({ dir: join(work, 'store') });
    try {
      const journal = SweepJournal.open(join(work, 'sweeps'), 'bench-store', small, smallRuns);
      const t0 = performance.now();
      await runLocal(smallRuns, journal, { workers: 2, store, sweepId: 'bench-store' });
      const wall = (performance.now() - t0) / 1000;
      process.stdout.write(
        `  with the embedded results store: ${STORE_RUNS} runs in ${wall.toFixed(1)} s (${((wall * 1000) / STORE_RUNS).toFixed(0)} ms a run, series and events saved)\n`,
      );
    } finally {
      await store.close();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
