/**
 * The report's tearsheet as static HTML (the same figures and tables as the results page, in the same
 * formats, each figure with its exact value in `data-value`); its charts are drawn on open by
 * `BasisCharts.renderTearsheet` from the inlined tearsheet.
 */
import type { Tearsheet } from '../tearsheet/index.js';
import { amount, esc, pct, ratio } from './format.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function figure(key: string, label: string, value: number | null | undefined, text: string): string {
  const v = value === null || value === undefined ? '' : String(value);
  return `<div class="figure" data-figure="${esc(key)}" data-value="${esc(v)}"><span class="label">${esc(label)}</span><span class="value">${esc(text)}</span></div>`;
}

const cls = (x: number | null | undefined) =>
  x === null || x === undefined || x === 0 ? 'num' : x > 0 ? 'num pos' : 'num neg';

function bare(x: number, unit: string): string {
  const text = amount(x, unit);
  return text.endsWith(` ${unit}`) ? text.slice(0, -(unit.length + 1)) : text;
}

export function tearsheetHtml(t: Tearsheet): string {
  const f = t.figures;
  const u = t.share_class;
  const tr = t.trades;
  const figures = [
    figure('volatility', 'Volatility (daily, √365)', f.volatility, pct(f.volatility)),
    figure('sharpe', 'Sharpe (daily, √365)', f.sharpe, ratio(f.sharpe)),
    figure('sortino', 'Sortino (downside, √365)', f.sortino, ratio(f.sortino)),
    figure('calmar', 'Calmar (APY / max drawdown)', f.calmar, ratio(f.calmar)),
    figure(
      'turnover_annual',
      'Turnover per year (× mean equity)',
      f.turnover_annual,
      ratio(f.turnover_annual),
    ),
    figure('best_day', 'Best day', f.best_day, pct(f.best_day)),
    figure('worst_day', 'Worst day', f.worst_day, pct(f.worst_day)),
    figure('positive_days', 'Positive days', f.positive_days, pct(f.positive_days, 1)),
    figure(
      'hit_rate',
      `Hit rate (${tr.count} ${tr.kind === 'position' ? 'trades' : 'decisions'})`,
      tr.hit_rate,
      pct(tr.hit_rate, 1),
    ),
    figure('profit_factor', 'Profit factor', tr.profit_factor, ratio(tr.profit_factor)),
  ].join('\n');
  const b = t.benchmark;
  const bench = b.available
    ? `<div class="figures" id="benchmark-figures">${[
        figure(
          'benchmark_return',
          `${b.label} over ${b.from} .. ${b.to}`,
          b.benchmark_return,
          pct(b.benchmark_return),
        ),
        figure('run_return', 'This run over those days', b.run_return, pct(b.run_return)),
        figure('excess_return', 'Excess return', b.excess_return, pct(b.excess_return)),
        figure('tracking_error', 'Tracking error (√365)', b.tracking_error, pct(b.tracking_error)),
        figure('information_ratio', 'Information ratio', b.information_ratio, ratio(b.information_ratio)),
      ].join('\n')}</div>`
    : `<p class="note" id="benchmark-none">${esc(b.reason ?? 'no benchmark')}</p>`;

  const byYear = new Map<number, Map<number, number>>();
  for (const m of t.monthly) {
    if (!byYear.has(m.year)) byYear.set(m.year, new Map());
    byYear.get(m.year)!.set(m.m, m.r);
  }
  const yearly = new Map(t.yearly.map((y) => [y.year, y.r]));
  const monthRows = [...byYear]
    .map(([year, months]) => {
      const cells = MONTHS.map((_, i) => {
        const r = months.get(i + 1);
        const key = `${year}-${String(i + 1).padStart(2, '0')}`;
        return r === undefined
          ? '<td class="num muted"></td>'
          : `<td class="${cls(r)}" data-month="${key}" data-value="${r}">${pct(r)}</td>`;
      }).join('');
      const y = yearly.get(year);
      return `<tr data-year="${year}"><td>${year}</td>${cells}<td class="${cls(y)} total">${pct(y)}</td></tr>`;
    })
    .join('\n');

  const sources = Object.keys(t.pnl.by_source).filter(
    (s) => t.pnl.by_source[s] !== 0 || t.pnl.by_venue.some((v) => v.sources[s]),
  );
  const venueRow = (label: string, values: Record<string, number>, cl: string, key: string) => {
    const total = Object.values(values).reduce((a, x) => a + x, 0);
    return `<tr class="${cl}" data-venue="${esc(key)}"><td>${esc(label)}</td>${sources
      .map(
        (s) =>
          `<td class="${cls(values[s] ?? 0)}" data-source="${esc(s)}" data-value="${values[s] ?? 0}">${bare(values[s] ?? 0, u)}</td>`,
      )
      .join('')}<td class="${cls(total)}">${amount(total, u)}</td></tr>`;
  };
  const venueRows = [
    ...t.pnl.by_venue.map((v) => venueRow(v.venue, v.sources, '', v.venue)),
    venueRow(
      'not booked per venue (price revaluation, transfer gas)',
      t.pnl.unattributed,
      'muted',
      '_unattributed',
    ),
    venueRow('total (series)', t.pnl.by_source, 'total', '_total'),
  ].join('\n');
  const funding =
    t.funding.length === 0
      ? '<p class="muted" id="funding-none">No funding payments in this run (no perp positions).</p>'
      : `<table id="funding-apr"><thead><tr><th>venue</th><th class="num">payments (USDT)</th><th class="num">periods</th><th class="num">mean rate / period</th><th class="num">APR on notional</th></tr></thead><tbody>${t.funding
          .map(
            (x) =>
              `<tr data-venue="${esc(x.venue)}"><td>${esc(x.venue)}</td><td class="${cls(x.payments)}">${bare(x.payments, 'USDT')}</td><td class="num">${x.periods}</td><td class="num">${pct(x.mean_rate, 4)}</td><td class="${cls(x.apr)}" data-value="${x.apr}">${pct(x.apr)}</td></tr>`,
          )
          .join('\n')}</tbody></table>`;

  return `<section class="card" id="tearsheet"><h2>Tearsheet</h2>
<p class="muted">Computed from the recorded series: time-weighted daily returns over ${f.days} full days; rolling figures over ${t.rolling.window_days} days.</p>
<div class="figures" id="tearsheet-figures">
${figures}
</div>
${bench}
<div class="charts" id="tearsheet-charts"></div>
<h3>Monthly returns (time-weighted)</h3>
<div class="table-scroll"><table id="monthly" class="monthly"><thead><tr><th>year</th>${MONTHS.map((m) => `<th class="num">${m}</th>`).join('')}<th class="num">year</th></tr></thead><tbody>
${monthRows}
</tbody></table></div>
<h3>PnL by venue and source (${esc(u)})</h3>
<div class="table-scroll"><table id="venue-pnl"><thead><tr><th>venue</th>${sources.map((s) => `<th class="num">${esc(s)}</th>`).join('')}<th class="num">total</th></tr></thead><tbody>
${venueRows}
</tbody></table></div>
<h3>Funding APR by venue</h3>
${funding}
<p class="muted" id="trade-stats">${tr.count} ${tr.kind === 'position' ? 'trades' : 'decisions'} · hit rate ${pct(tr.hit_rate, 1)} · profit factor ${ratio(tr.profit_factor)} · fees ${amount(tr.total_fees, u)} · PnL ${amount(tr.total_pnl, u)}</p>
</section>`;
}
