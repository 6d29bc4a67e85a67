/** Plain-text tables of a sweep: the ranking, and the walk-forward folds with the overfitting figures. */
import type { RankedSet } from './objective.js';
import type { WalkForwardReport } from './sweep.js';

const pct = (x: number | null) => (x === null || !Number.isFinite(x) ? 'n/a' : `${(x * 100).toFixed(2)} %`);
const fix = (x: number | null, d = 3) => (x === null || !Number.isFinite(x) ? 'n/a' : x.toFixed(d));

/** Objective values: fractions as percentages, ratios as plain numbers. */
export function formatObjective(name: string, x: number | null): string {
  if (name === 'apy' || name === 'total_return' || name === 'max_drawdown' || name === 'volatility')
    return pct(x);
  if (name === 'final_equity') return fix(x, 2);
  if (name === 'trades' || name === 'failed_instructions') return fix(x, 0);
  return fix(x);
}

function grid(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const paramText = (mode: string, params: Record<string, string>, modes: number) =>
  [...(modes > 1 ? [mode] : []), ...Object.entries(params).map(([k, v]) => `${k}=${v}`)].join(' ') ||
  '(defaults)';

export function formatRanking(sets: RankedSet[], objective: string, top = 20): string {
  const modes = new Set(sets.map((s) => s.mode)).size;
  // the objective gets its own column unless it is one of the figures shown anyway
  const own = !['apy', 'sharpe', 'max_drawdown', 'final_equity'].includes(objective);
  const rows = sets
    .slice(0, top)
    .map((s) => [
      String(s.rank),
      paramText(s.mode, s.params, modes),
      ...(own ? [formatObjective(objective, s.objective)] : []),
      pct(s.apy),
      fix(s.sharpe, 2),
      pct(s.max_drawdown),
      fix(s.final_equity, 2),
      s.errors.length > 0 ? `failed: ${s.errors[0].slice(0, 60)}` : s.feasible ? 'yes' : 'no',
    ]);
  const more = sets.length > top ? `\n… ${sets.length - top} more sets (all in --json)` : '';
  return (
    grid(
      ['#', 'parameters', ...(own ? [objective] : []), 'apy', 'sharpe', 'max dd', 'final equity', 'feasible'],
      rows,
    ) + more
  );
}

export function formatWalkForward(wf: WalkForwardReport): string {
  const rows = wf.folds.map((f) => [
    String(f.fold),
    `${f.train.start?.slice(0, 10)} .. ${f.train.end?.slice(0, 10)}`,
    `${f.test.start?.slice(0, 10)} .. ${f.test.end?.slice(0, 10)}`,
    f.chosen ? paramText(f.chosen.mode, f.chosen.params, 1) : '(none feasible)',
    formatObjective(wf.objective, f.in_sample),
    formatObjective(wf.objective, f.out_of_sample),
    pct(f.oos_total_return),
    f.oos_rank === null ? 'n/a' : `${f.oos_rank}/${wf.sets}`,
  ]);
  return [
    grid(
      [
        'fold',
        'train',
        'test',
        'chosen in-sample',
        `IS ${wf.objective}`,
        `OOS ${wf.objective}`,
        'OOS return',
        'OOS rank',
      ],
      rows,
    ),
    '',
    `trials: ${wf.trials} (${wf.sets} parameter sets × ${wf.folds.length} folds, chosen on the train windows)`,
    `in-sample ${wf.objective} (mean of the chosen): ${formatObjective(wf.objective, wf.mean_in_sample)}; out-of-sample: ${formatObjective(wf.objective, wf.mean_out_of_sample)}; gap (IS − OOS): ${formatObjective(wf.objective, wf.gap)}`,
    `out-of-sample test windows chained: total return ${pct(wf.oos_total_return)}, APY ${pct(wf.oos_apy)}`,
  ].join('\n');
}
