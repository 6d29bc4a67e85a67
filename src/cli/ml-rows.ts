/** Terminal rows for the ml_directional part of a summary: the round-trip trades and the signal source. */
import type { BacktestSummary } from '../results/summary.js';
import type { TradesSummary } from '../strategies/ml/index.js';

const pct = (x: number | null) => (x === null || !Number.isFinite(x) ? 'n/a' : `${(x * 100).toFixed(2)} %`);

export function mlRows(s: BacktestSummary): [string, string][] {
  const r = s.strategy_report as { trades?: TradesSummary; signals?: Record<string, unknown> } | undefined;
  const t = r?.trades;
  if (!t) return [];
  const exits = Object.entries(t.by_reason)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  const rows: [string, string][] = [
    [
      'round trips',
      `${t.trades} (long ${t.long}, short ${t.short})${t.open_at_end ? ', 1 open at the end' : ''}${t.gaps ? `, ${t.gaps} filled at a gap` : ''}`,
    ],
    ['  hit rate (net PnL > 0)', `${pct(t.hit_rate)}; direction right ${pct(t.direction_hit_rate)}`],
    ['  exits', exits || 'none'],
    [
      '  per trade',
      `avg net ${t.avg_net_pnl_usdt === null ? 'n/a' : `${t.avg_net_pnl_usdt.toFixed(2)} USDT`}, avg ${t.avg_bars === null ? 'n/a' : t.avg_bars.toFixed(1)} bars, profit factor ${t.profit_factor === null ? 'n/a' : t.profit_factor.toFixed(3)}`,
    ],
  ];
  if (r?.signals && typeof r.signals.name === 'string') rows.push(['signals', r.signals.name]);
  return rows;
}
