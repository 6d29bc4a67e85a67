/** Plain-text summary table for the terminal. */
import type { BacktestSummary } from '../results/summary.js';
import { mlRows } from './ml-rows.js';

/** `hourly`, `5-minute`, … from the window and the number of steps. */
function stepWord(s: BacktestSummary): string {
  const ms = s.steps > 1 ? (Date.parse(s.end) - Date.parse(s.start)) / (s.steps - 1) : 3_600_000;
  if (ms === 3_600_000) return 'hourly';
  if (ms === 86_400_000) return 'daily';
  return ms % 3_600_000 === 0 ? `${ms / 3_600_000}-hour` : `${Math.round(ms / 60_000)}-minute`;
}

const pct = (x: number | null) => (x === null || !Number.isFinite(x) ? 'n/a' : `${(x * 100).toFixed(2)} %`);
const num = (x: number, unit: string) =>
  `${x.toLocaleString('en-US', { maximumFractionDigits: unit === 'USDT' ? 2 : 6 })} ${unit}`;

export function formatSummary(s: BacktestSummary): string {
  const u = s.share_class;
  const rows: [string, string][] = [
    ['mode', `${s.mode} (${s.family}, share class ${u})`],
    ['window', `${s.start} .. ${s.end} (${s.steps} ${stepWord(s)} steps)`],
    ['initial capital', num(s.initial_capital, u)],
  ];
  if (s.deposits > 0) rows.push(['deposits', num(s.deposits, u)]);
  if (s.withdrawals > 0) rows.push(['withdrawals', num(s.withdrawals, u)]);
  rows.push(
    ['final equity', num(s.final_equity, u)],
    ['total return (time-weighted)', pct(s.total_return)],
    ['APY (compounded, annualised)', pct(s.apy)],
    ['max drawdown', pct(s.max_drawdown)],
    ['Sharpe (daily, √365, rf 0)', s.sharpe === null ? 'n/a' : s.sharpe.toFixed(2)],
    [
      'trades / transfers',
      `${s.trades} / ${s.transfers}${s.failed_instructions ? ` (${s.failed_instructions} failed)` : ''}`,
    ],
    ['PnL (balance)', num(s.pnl.balance, u)],
  );
  for (const [k, v] of Object.entries(s.pnl.attribution)) if (v !== 0) rows.push([`  ${k}`, num(v, u)]);
  rows.push([
    '  residual',
    `${s.pnl.residual.toExponential(2)} ${u} (max step ${s.pnl.max_abs_step_residual.toExponential(2)})`,
  ]);
  rows.push(...mlRows(s));
  if (Object.keys(s.hedge_weights).length > 0) {
    rows.push([
      'hedge weights',
      Object.entries(s.hedge_weights)
        .map(([k, w]) => `${k} ${(w * 100).toFixed(1)} %`)
        .join(', '),
    ]);
    // per-span weights (hedge_coverage_rule reallocate): one row per span
    for (const e of s.hedge_schedule ?? [])
      rows.push([
        `  from ${e.from.slice(0, 16)}Z`,
        Object.entries(e.weights)
          .filter(([, w]) => w > 0)
          .map(([k, w]) => `${k} ${(w * 100).toFixed(1)} %`)
          .join(', '),
      ]);
  }
  rows.push(['data', `${s.data.synthetic ? 'SYNTHETIC SAMPLE ' : ''}${s.data.dir} (${s.data.dataset_id})`]);
  rows.push(['runtime', `${s.runtime_ms} ms (load ${s.load_ms} ms, loop ${s.loop_ms} ms)`]);
  const w = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`);
  for (const note of s.notes) lines.push(`note: ${note}`);
  return lines.join('\n');
}
