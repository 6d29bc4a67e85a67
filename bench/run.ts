/**
 * `npm run bench`: steps/s and data points/s per mode over the full dataset window, cold (first run in the
 * process: parse or disk cache) and warm (median of repeated runs in the same process).
 * Dataset: $BASIS_DATA_DIR, else the synthetic sample.
 */
import { runBacktest, resolveDataDir } from '../src/engine/backtest.js';

const MODES = ['pure_lending_usdt', 'pure_lending_eth', 'btc_basis', 'eth_basis'];
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
  for (const mode of MODES) {
    const capital = mode === 'pure_lending_eth' ? 100 : 1_000_000;
    const cold = await runBacktest({ mode, capital });
    const total: number[] = [];
    const loop: number[] = [];
    for (let i = 0; i < WARM_RUNS; i++) {
      const r = await runBacktest({ mode, capital });
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
      warm < 150 ? 'ok (< 150 ms)' : 'MISSED (150 ms)',
    ]);
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join('  ');
  process.stdout.write(line(header) + '\n' + rows.map(line).join('\n') + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
