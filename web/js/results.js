// @ts-check
/** A run: live progress while it runs, then headline figures, charts, PnL and balance-sheet tables, events. */
import { api, h, replace, errorBox, fmt, dataLabel } from './dom.js';
import { eventTable } from './events.js';
import { tearsheetSection, tradeSection } from './tearsheet.js';

const POLL_MS = 400;
const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));

/** @param {HTMLElement} view @param {string} id @param {() => boolean} alive */
export async function renderResults(view, id, alive) {
  let run = await api(`/api/backtests/${id}`);
  if (run.status === 'queued' || run.status === 'running') {
    const bar = h('progress', { id: 'progress', max: 1, value: 0 });
    const label = h('p', { id: 'progress-label' });
    replace(
      view,
      h(
        'section',
        { class: 'card' },
        h('h1', null, `Backtest ${run.mode}`),
        h('p', { class: 'muted' }, id),
        bar,
        label,
      ),
    );
    while (alive() && (run.status === 'queued' || run.status === 'running')) {
      /** @type {HTMLProgressElement} */ (bar).value = run.progress.fraction;
      label.textContent =
        run.status === 'queued'
          ? `queued${run.queue_position ? ` (position ${run.queue_position})` : ''}`
          : `running: ${(run.progress.fraction * 100).toFixed(0)} % (${run.progress.done} / ${run.progress.total} steps)`;
      await sleep(POLL_MS);
      run = await api(`/api/backtests/${id}`);
    }
    if (!alive()) return;
  }
  if (run.status === 'failed') {
    replace(
      view,
      h(
        'section',
        { class: 'card' },
        h('h1', null, `Backtest ${run.mode} failed`),
        h('p', { class: 'muted' }, id),
        errorBox(run.error),
      ),
    );
    return;
  }
  const [series, pnl, ts, trades, benchmarks] = await Promise.all([
    api(`/api/backtests/${id}/series?points=1500`),
    api(`/api/backtests/${id}/series?points=120&names=${pnlNames().join(',')}`),
    api(`/api/backtests/${id}/tearsheet`),
    api(`/api/backtests/${id}/trades`),
    api('/api/benchmarks'),
  ]);
  if (!alive()) return;
  const s = run.summary;
  const charts = h('div', { id: 'charts', class: 'charts' });
  /** @type {any[]} */
  let tearCharts = [];
  const tear = tearsheetSection(ts, {
    names: benchmarks.benchmarks,
    onPick: async (name) => {
      let next;
      try {
        next = await api(`/api/backtests/${id}/tearsheet?benchmark=${encodeURIComponent(name)}`);
      } catch (e) {
        if (alive()) tear.setBenchmark(null, /** @type {Error} */ (e).message);
        return;
      }
      if (!alive()) return;
      tear.setBenchmark(next.benchmark);
      for (const c of tearCharts) c.destroy();
      tear.charts.replaceChildren();
      tearCharts = /** @type {any} */ (window).BasisCharts.renderTearsheet(tear.charts, next);
    },
  });
  const page = h(
    'div',
    { id: 'results', dataset: { run: id } },
    h(
      'section',
      { class: 'card' },
      h(
        'div',
        { class: 'title-row' },
        h('h1', null, `${s.mode}`),
        dataLabel(s.data.synthetic),
        h('span', { class: 'muted' }, id),
      ),
      h(
        'p',
        { class: 'muted' },
        `${s.family} · share class ${s.share_class} · ${s.start} .. ${s.end} · ${s.steps} steps of ${stepText(s)}`,
      ),
      headline(s),
      ...s.notes.map((/** @type {string} */ n) =>
        h('p', { class: n.startsWith('SYNTHETIC') ? 'note synthetic' : 'note' }, n),
      ),
      h(
        'div',
        { class: 'row actions' },
        h(
          'a',
          { class: 'button', href: `/api/backtests/${id}/report`, id: 'download-report' },
          'Download HTML report',
        ),
        h('a', { class: 'button secondary', href: `#/runs?select=${id}` }, 'Compare with…'),
        h(
          'a',
          { class: 'button secondary', href: `/api/backtests/${id}/summary`, target: '_blank' },
          'Summary JSON',
        ),
        h(
          'a',
          { class: 'button secondary', id: 'series-csv', href: `/api/backtests/${id}/series?format=csv` },
          'Series CSV',
        ),
        h(
          'a',
          { class: 'button secondary', id: 'events-csv', href: `/api/backtests/${id}/events?format=csv` },
          'Events CSV',
        ),
      ),
    ),
    tear.section,
    h('section', { class: 'card' }, h('h2', null, 'Charts'), charts),
    h('section', { class: 'card two' }, attributionTable(s), balanceTable(series, s.share_class)),
    tradeSection(id, trades),
    h('section', { class: 'card' }, h('h2', null, 'Events'), await eventTable(id, alive)),
  );
  replace(view, page);
  tearCharts = /** @type {any} */ (window).BasisCharts.renderTearsheet(tear.charts, ts);
  /** @type {any} */ (window).BasisCharts.renderRun(charts, { summary: s, series, pnl });
}

/** The grid step of a run (hourly for most modes, 5 minutes for the ML modes). @param {any} s */
function stepText(s) {
  const ms = s.steps > 1 ? (Date.parse(s.end) - Date.parse(s.start)) / (s.steps - 1) : 3_600_000;
  return ms >= 3_600_000
    ? `${Number((ms / 3_600_000).toPrecision(3))} h`
    : `${Number((ms / 60_000).toPrecision(3))} min`;
}

function pnlNames() {
  return [
    .../** @type {string[]} */ (/** @type {any} */ (window).BasisCharts.PNL_SOURCES).map((x) => `pnl.${x}`),
    'cum.pnl',
  ];
}

/** Headline figures; each carries its raw value in data-value for tests and copy-paste. @param {any} s */
export function headline(s) {
  const u = s.share_class;
  /** @type {[string, string, number | null, string][]} */
  const figures = [
    ['final_equity', 'Final equity', s.final_equity, fmt.amount(s.final_equity, u)],
    ['total_return', 'Total return (time-weighted)', s.total_return, fmt.pct(s.total_return)],
    ['apy', 'APY (compounded, annualised)', s.apy, fmt.pct(s.apy)],
    ['max_drawdown', 'Max drawdown', s.max_drawdown, fmt.pct(s.max_drawdown)],
    ['sharpe', 'Sharpe (daily, √365)', s.sharpe, fmt.ratio(s.sharpe)],
    ['pnl_balance', 'PnL', s.pnl.balance, fmt.amount(s.pnl.balance, u)],
    ['initial_capital', 'Initial capital', s.initial_capital, fmt.amount(s.initial_capital, u)],
    [
      'deposits',
      'Deposits / withdrawals',
      s.deposits,
      `${fmt.amount(s.deposits, u)} / ${fmt.amount(s.withdrawals, u)}`,
    ],
    ['trades', 'Trades / transfers', s.trades, `${s.trades} / ${s.transfers}`],
  ];
  return h(
    'div',
    { class: 'figures', id: 'headline' },
    ...figures.map(([key, label, value, text]) =>
      h(
        'div',
        { class: 'figure', dataset: { figure: key, value: value === null ? '' : String(value) } },
        h('span', { class: 'label' }, label),
        h('span', { class: 'value' }, text),
      ),
    ),
  );
}

/** @param {any} s */
function attributionTable(s) {
  const u = s.share_class;
  const rows = Object.entries(s.pnl.attribution).map(([k, v]) =>
    h('tr', null, h('td', null, k), h('td', { class: 'num' }, fmt.amount(v, u))),
  );
  return h(
    'div',
    null,
    h('h2', null, 'PnL by source'),
    h(
      'table',
      { id: 'attribution' },
      h(
        'tbody',
        null,
        ...rows,
        h(
          'tr',
          { class: 'total' },
          h('td', null, 'balance PnL'),
          h('td', { class: 'num' }, fmt.amount(s.pnl.balance, u)),
        ),
        h(
          'tr',
          null,
          h('td', null, 'residual (balance − Σ sources)'),
          h('td', { class: 'num' }, Number(s.pnl.residual).toExponential(2)),
        ),
      ),
    ),
  );
}

/** Final balance sheet per venue and position key (last point of the value / amount columns). @param {any} series @param {string} u */
function balanceTable(series, u) {
  const last = (/** @type {any[]} */ v) => v[v.length - 1];
  /** @type {Record<string, {key: string, amount: number, value: number}[]>} */
  const byVenue = {};
  for (const c of series.columns) {
    if (c.group !== 'value') continue;
    const key = c.name.slice('value.'.length);
    const amount = series.columns.find((/** @type {any} */ a) => a.name === `amount.${key}`);
    const venue = key.split(':')[0];
    (byVenue[venue] ||= []).push({ key, amount: amount ? last(amount.values) : null, value: last(c.values) });
  }
  const rows = [];
  let total = 0;
  for (const [venue, items] of Object.entries(byVenue)) {
    const sum = items.reduce((a, x) => a + (x.value || 0), 0);
    total += sum;
    rows.push(
      h(
        'tr',
        { class: 'venue' },
        h('td', null, venue),
        h('td'),
        h('td', { class: 'num' }, fmt.amount(sum, u)),
      ),
    );
    for (const it of items) {
      if (!it.amount && !it.value) continue;
      rows.push(
        h(
          'tr',
          null,
          h('td', { class: 'indent' }, it.key.split(':').slice(1).join(':')),
          h('td', { class: 'num' }, fmt.amount(it.amount, '')),
          h('td', { class: 'num' }, fmt.amount(it.value, u)),
        ),
      );
    }
  }
  rows.push(
    h(
      'tr',
      { class: 'total' },
      h('td', null, 'equity'),
      h('td'),
      h('td', { class: 'num' }, fmt.amount(total, u)),
    ),
  );
  return h(
    'div',
    null,
    h('h2', null, 'Balance sheet at the end, by venue'),
    h(
      'table',
      { id: 'balance-sheet' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          h('th', null, 'venue / position'),
          h('th', { class: 'num' }, 'amount'),
          h('th', { class: 'num' }, `value (${u})`),
        ),
      ),
      h('tbody', null, ...rows),
    ),
  );
}
