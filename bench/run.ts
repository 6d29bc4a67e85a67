/**
 * `npm run bench`: steps/s and data points/s per mode over the full dataset window, cold (first run in the
 * process: parse or disk cache) and warm (median of repeated runs in the same process).
 * Dataset: $BASIS_DATA_DIR, else the synthetic sample.
 */
import { resolveDataDir } from '../src/engine/backtest.js';
import { runBacktest } from '../src/results/run.js';
import { benchStore } from './store.js';
import { mlBenchOptions } from './ml.js';
import { benchDevnet } from './devnet.js';
import { benchServer } from './server.js';
import { benchProcesses } from './process.js';
import { benchCache } from './cache.js';
import { benchDefi } from './defi.js';

const MODES = [
  'pure_lending_usdt',
  'pure_lending_eth',
  'btc_basis',
  'eth_basis',
  'eth_staking_only',
  'eth_leveraged',
  'usdt_eth_staking_hedged_simple',
  'usdt_eth_staking_hedged_leveraged',
  'ml_usdt_directional_usdt_margin',
  'ml_btc_directional_usdt_margin',
  'eth_cex_dex_arb',
];
/** Warm-run target per mode, ms (the staking family: 250 ms). */
const TARGET_MS: Record<string, number> = {
  eth_staking_only: 250,
  eth_leveraged: 250,
  usdt_eth_staking_hedged_simple: 250,
  usdt_eth_staking_hedged_leveraged: 250,
  // ML modes: ~183k 5-minute bars, model training excluded (reported separately by bench/ml.ts)
  ml_usdt_directional_usdt_margin: 1000,
  ml_btc_directional_usdt_margin: 1000,
};
/** ETH share-class modes start with 100 ETH, the others with 1,000,000 of their share class. */
const ETH_MODES = new Set(['pure_lending_eth', 'eth_staking_only', 'eth_leveraged']);
const WARM_RUNS = Number(process.env.BENCH_RUNS ?? 7);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main(): Promise<void> {
  const { dir, sample } = resolveDataDir();
  process.stdout.write(
    `dataset: ${dir}${sample ? ' (SYNTHETIC sample)' : ''}\nwarm runs per mode: ${WARM_RUNS}\n\n`,
  );
  const header = [
    'mode',
    'window',
    'steps',
    'series',
    'cold ms',
    'warm ms',
    'warm loop ms',
    'steps/s',
    'data pts/s',
    'target',
  ];
  const rows: string[][] = [];
  const capitalOf = (mode: string) =>
    ETH_MODES.has(mode) ? 100 : mode === 'ml_btc_directional_usdt_margin' ? 10 : 1_000_000;
  for (const mode of MODES) {
    const capital = capitalOf(mode);
    const ml = await mlBenchOptions(mode, dir);
    const target = TARGET_MS[mode] ?? 150;
    const cold = await runBacktest({ mode, capital, ...ml });
    const total: number[] = [];
    const loop: number[] = [];
    for (let i = 0; i < WARM_RUNS; i++) {
      const r = await runBacktest({ mode, capital, ...ml });
      total.push(r.summary.runtime_ms);
      loop.push(r.summary.loop_ms);
    }
    const steps = cold.summary.steps;
    const series = cold.data.series.size;
    const warm = median(total);
    const points = steps * series;
    rows.push([
      mode,
      `${cold.summary.start.slice(0, 10)}..${cold.summary.end.slice(0, 10)}`,
      String(steps),
      String(series),
      cold.summary.runtime_ms.toFixed(1),
      warm.toFixed(1),
      median(loop).toFixed(1),
      Math.round(steps / (warm / 1000)).toLocaleString('en-US'),
      Math.round(points / (warm / 1000)).toLocaleString('en-US'),
      warm < target ? `ok (< ${target} ms)` : `MISSED (${target} ms)`,
    ]);
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join('  ');
  process.stdout.write(line(header) + '\n' + rows.map(line).join('\n') + '\n');
  benchProcesses(MODES, capitalOf);
  benchCache(dir, sample);
  benchDefi();
  await benchStore();
  await benchDevnet();
  await benchServer();
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
