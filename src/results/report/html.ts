/**
 * The HTML report of a run: ONE self-contained file (styles, chart.js, the chart code and the data
 * inlined; nothing loaded from anywhere) with the figures and charts of the UI's results page. Headline
 * figures and tables are rendered here, as static HTML; charts are drawn by web/js/charts.js on open.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { InputError } from '../../domain/errors.js';
import { PNL_SOURCES } from '../../domain/types.js';
import type { BacktestSummary } from '../summary.js';
import {
  packageRoot,
  type ResultsStore,
  type RunRecord,
  type StoredEvent,
  type StoredSeries,
} from '../store/index.js';
import { amount, esc, pct, ratio, scriptJson, scriptText } from './format.js';
import { buildTearsheet } from '../tearsheet/index.js';
import { tearsheetHtml } from './tearsheet-html.js';

/** Event types shown in the report's table (the high-volume accrual events are summed in the PnL table). */
const REPORT_EVENT_TYPES = [
  'decision',
  'fill',
  'alert',
  'deposit',
  'withdrawal',
  'execution_failed',
  'liquidation',
  'coverage_rule',
];
/** Events inlined at most (the rest: the events CSV); the report stays a few screens tall. */
export const MAX_REPORT_EVENTS = 300;

export interface HeadlineFigure {
  key: string;
  label: string;
  value: number | null;
  text: string;
}

/** The headline figures, in the UI's order and format. */
export function headlineFigures(s: BacktestSummary): HeadlineFigure[] {
  const u = s.share_class;
  const n = (x: unknown) => (typeof x === 'number' ? x : null);
  return [
    { key: 'final_equity', label: 'Final equity', value: s.final_equity, text: amount(s.final_equity, u) },
    {
      key: 'total_return',
      label: 'Total return (time-weighted)',
      value: s.total_return,
      text: pct(s.total_return),
    },
    { key: 'apy', label: 'APY (compounded, annualised)', value: s.apy, text: pct(s.apy) },
    { key: 'max_drawdown', label: 'Max drawdown', value: s.max_drawdown, text: pct(s.max_drawdown) },
    { key: 'sharpe', label: 'Sharpe (daily, √365)', value: n(s.sharpe), text: ratio(s.sharpe) },
    { key: 'pnl_balance', label: 'PnL', value: s.pnl.balance, text: amount(s.pnl.balance, u) },
    {
      key: 'initial_capital',
      label: 'Initial capital',
      value: s.initial_capital,
      text: amount(s.initial_capital, u),
    },
    {
      key: 'deposits',
      label: 'Deposits / withdrawals',
      value: s.deposits,
      text: `${amount(s.deposits, u)} / ${amount(s.withdrawals, u)}`,
    },
    { key: 'trades', label: 'Trades / transfers', value: s.trades, text: `${s.trades} / ${s.transfers}` },
  ];
}

function seriesJson(s: StoredSeries, keep: (name: string) => boolean) {
  const round = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(9)) : null);
  return {
    t: Array.from(s.timestamps),
    columns: s.columns
      .filter((c) => keep(c.name))
      .map((c) => ({
        name: c.name,
        group: c.group,
        agg: c.agg,
        unit: c.unit,
        values: Array.from(c.values, round),
      })),
  };
}

function chartJs(): string {
  const require = createRequire(import.meta.url);
  return readFileSync(join(dirname(require.resolve('chart.js')), 'chart.umd.min.js'), 'utf8');
}

function webFile(rel: string): string {
  return readFileSync(join(packageRoot(), 'web', rel), 'utf8');
}

function balanceRows(full: StoredSeries, u: string): string {
  const last = (name: string) => {
    const c = full.columns.find((x) => x.name === name);
    return c ? c.values[c.values.length - 1] : Number.NaN;
  };
  const byVenue = new Map<string, { key: string; amount: number; value: number }[]>();
  for (const c of full.columns) {
    if (c.group !== 'value') continue;
    const key = c.name.slice('value.'.length);
    const venue = key.split(':')[0];
    if (!byVenue.has(venue)) byVenue.set(venue, []);
    byVenue.get(venue)!.push({ key, amount: last(`amount.${key}`), value: c.values[c.values.length - 1] });
  }
  let total = 0;
  const rows: string[] = [];
  for (const [venue, items] of byVenue) {
    const sum = items.reduce((a, x) => a + x.value, 0);
    total += sum;
    rows.push(`<tr class="venue"><td>${esc(venue)}</td><td></td><td class="num">${amount(sum, u)}</td></tr>`);
    for (const it of items) {
      if (it.amount === 0 && it.value === 0) continue;
      rows.push(
        `<tr><td class="indent">${esc(it.key.split(':').slice(1).join(':'))}</td><td class="num">${amount(it.amount, '')}</td><td class="num">${amount(it.value, u)}</td></tr>`,
      );
    }
  }
  rows.push(
    `<tr class="total"><td>equity</td><td></td><td class="num" data-figure="sheet_total">${amount(total, u)}</td></tr>`,
  );
  return rows.join('\n');
}

function eventRows(events: StoredEvent[]): string {
  return events
    .map((e) => {
      const detail = Object.entries(e.data)
        .filter(([k]) => k !== 'venue')
        .map(
          ([k, v]) =>
            `${k}=${typeof v === 'number' ? Number(v.toPrecision(8)) : typeof v === 'object' ? JSON.stringify(v) : String(v)}`,
        )
        .join('  ');
      return `<tr><td class="nowrap">${esc(e.t.slice(0, 16).replace('T', ' '))}</td><td>${esc(e.type)}</td><td>${esc(e.venue ?? '')}</td><td class="detail">${esc(detail)}</td></tr>`;
    })
    .join('\n');
}

/** The grid step of a run: hourly for most modes, 5 minutes for the ML modes. */
function stepText(s: BacktestSummary): string {
  const ms = s.steps > 1 ? (Date.parse(s.end) - Date.parse(s.start)) / (s.steps - 1) : 3_600_000;
  return ms >= 3_600_000
    ? `${Number((ms / 3_600_000).toPrecision(3))} h`
    : `${Number((ms / 60_000).toPrecision(3))} min`;
}

/** The report of a finished run as one HTML document. */
export async function renderReport(
  store: ResultsStore,
  id: string,
  /** `dataDir`: the dataset whose benchmark the tearsheet compares with (none: no benchmark). */
  opts: { dataDir?: string } = {},
): Promise<string> {
  const run: RunRecord | null = await store.getRun(id);
  if (!run) throw new InputError(`no run ${id} in the results store ${store.location}`);
  if (run.status !== 'done' || !run.summary)
    throw new InputError(`run ${id} is ${run.status}; a report needs a finished run`);
  const s = run.summary;
  const u = s.share_class;
  const full = (await store.getSeries(id, { points: 1500 }))!;
  const pnl = (await store.getSeries(id, {
    names: [...PNL_SOURCES.map((x) => `pnl.${x}`), 'cum.pnl'],
    points: 120,
  }))!;
  const types = await store.eventTypes(id);
  const events = await store.getEvents(id, { types: REPORT_EVENT_TYPES, limit: MAX_REPORT_EVENTS });
  const shown = events.events;
  const tearsheet = await buildTearsheet(store, run, { dataDir: opts.dataDir });
  const data = {
    tearsheet,
    summary: s,
    series: seriesJson(
      full,
      (n) => !n.startsWith('amount.') && n !== 'flow' && n !== 'deposits' && n !== 'twr_index',
    ),
    pnl: seriesJson(pnl, () => true),
  };
  const figures = headlineFigures(s)
    .map(
      (f) =>
        `<div class="figure" data-figure="${f.key}" data-value="${f.value === null ? '' : String(f.value)}"><span class="label">${esc(f.label)}</span><span class="value">${esc(f.text)}</span></div>`,
    )
    .join('\n');
  const attribution = Object.entries(s.pnl.attribution)
    .map(([k, v]) => `<tr><td>${esc(k)}</td><td class="num">${amount(v, u)}</td></tr>`)
    .join('\n');
  const notes = s.notes
    .map((n) => `<p class="note${n.startsWith('SYNTHETIC') ? ' synthetic' : ''}">${esc(n)}</p>`)
    .join('\n');
  const cv = run.code_version;
  const typeCounts = Object.entries(types)
    .map(([t, n]) => `${esc(t)} ${n}`)
    .join(', ');
  const title = `basis report: ${s.mode} ${s.start.slice(0, 10)} .. ${s.end.slice(0, 10)}${s.data.synthetic ? ' (SYNTHETIC)' : ''}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(title)}</title>
<style>
${webFile('css/app.css')}
</style>
<script>
${scriptText(chartJs())}
</script>
<script>
${scriptText(webFile('js/chart-base.js'))}
</script>
<script>
${scriptText(webFile('js/charts.js'))}
</script>
<script type="application/json" id="basis-data">${scriptJson(data)}</script>
</head>
<body>
<div class="report" id="report" data-run="${esc(run.id)}">
<section class="card">
<div class="title-row"><h1>${esc(s.mode)}</h1>${s.data.synthetic ? '<span class="badge synthetic">SYNTHETIC</span>' : '<span class="badge real">real data</span>'}<span class="muted">run ${esc(run.id)}</span></div>
<p class="muted">${esc(s.family)} · share class ${esc(u)} · ${esc(s.start)} .. ${esc(s.end)} · ${s.steps} steps of ${stepText(s)}</p>
<div class="figures" id="headline">
${figures}
</div>
${notes}
</section>
${tearsheetHtml(tearsheet)}
<section class="card"><h2>Charts</h2><div class="charts" id="charts"></div></section>
<section class="card two">
<div><h2>PnL by source</h2><table id="attribution"><tbody>
${attribution}
<tr class="total"><td>balance PnL</td><td class="num">${amount(s.pnl.balance, u)}</td></tr>
<tr><td>residual (balance − Σ sources)</td><td class="num">${esc(Number(s.pnl.residual).toExponential(2))}</td></tr>
</tbody></table></div>
<div><h2>Balance sheet at the end, by venue</h2><table id="balance-sheet"><thead><tr><th>venue / position</th><th class="num">amount</th><th class="num">value (${esc(u)})</th></tr></thead><tbody>
${balanceRows(full, u)}
</tbody></table></div>
</section>
<section class="card"><h2>Events</h2>
<p class="muted" id="events-count" data-shown="${shown.length}" data-total="${events.total}">All events by type: ${typeCounts}. Shown: ${REPORT_EVENT_TYPES.join(', ')} (${shown.length === events.total ? `all ${events.total}` : `the first ${shown.length} of ${events.total}`}); interest, funding and fee bookings are summed in the PnL table. Every event: <a href="/api/backtests/${esc(run.id)}/events?format=csv">GET /api/backtests/${esc(run.id)}/events?format=csv</a> on the server that holds the run (trades: <code>/api/backtests/${esc(run.id)}/trades?format=csv</code>).</p>
<table class="events" id="events"><thead><tr><th>time (UTC)</th><th>type</th><th>venue</th><th>detail</th></tr></thead><tbody>
${eventRows(shown)}
</tbody></table></section>
<section class="card"><h2>Provenance</h2>
<p>Dataset ${esc(s.data.dataset_id)} (${s.data.synthetic ? 'SYNTHETIC sample' : 'real'}), ${esc(s.data.dir)}. Code: basis ${esc(cv.package)}${cv.git ? ` @ ${esc(cv.git.slice(0, 12))}${cv.dirty ? ' (modified)' : ''}` : ''}. Run ${esc(run.source)} ${esc(run.created_at)}; runtime ${s.runtime_ms} ms.</p>
<details><summary>Request</summary><pre class="resolved">${esc(JSON.stringify(run.request, null, 2))}</pre></details>
<details><summary>Mode config as resolved</summary><pre class="resolved">${esc(JSON.stringify(s.config, null, 2))}</pre></details>
</section>
</div>
<script>
(function () {
  var data = JSON.parse(document.getElementById('basis-data').textContent);
  window.BasisCharts.renderTearsheet(document.getElementById('tearsheet-charts'), data.tearsheet);
  window.BasisCharts.renderRun(document.getElementById('charts'), data);
})();
</script>
</body>
</html>
`;
}
