// @ts-check
/**
 * The results page's tearsheet: figures (volatility, Sortino, Calmar, turnover…), monthly returns,
 * PnL by venue and source, funding APR by venue, the benchmark comparison, and the trade table (filter,
 * sort, CSV export), with a benchmark picker (sUSDe or a dataset series: GET /api/benchmarks). Data:
 * GET /api/backtests/{id}/tearsheet[?benchmark=name] and /trades.
 */
import { h, fmt } from './dom.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** @param {string} key @param {string} label @param {number | null} value @param {string} text */
function figure(key, label, value, text) {
  return h(
    'div',
    {
      class: 'figure',
      dataset: { figure: key, value: value === null || value === undefined ? '' : String(value) },
    },
    h('span', { class: 'label' }, label),
    h('span', { class: 'value' }, text),
  );
}

/** An amount in the share class's digits, without the unit. @param {any} x @param {string} u */
const bare = (x, u) => {
  const text = fmt.amount(x, u);
  return text.endsWith(` ${u}`) ? text.slice(0, -(u.length + 1)) : text;
};

/** @param {number | null} x */
const signClass = (x) => (x === null || x === undefined || x === 0 ? 'num' : x > 0 ? 'num pos' : 'num neg');

/**
 * The tearsheet card. `pick` (optional): the benchmark names to offer and what to do when one is picked;
 * `setBenchmark` swaps the benchmark figures for another comparison (or an error line).
 * @param {any} ts @param {{ names: string[], onPick: (name: string) => void } | undefined} [pick]
 */
export function tearsheetSection(ts, pick) {
  const f = ts.figures;
  const u = ts.share_class;
  const tr = ts.trades;
  const figures = h(
    'div',
    { class: 'figures', id: 'tearsheet-figures' },
    figure('volatility', 'Volatility (daily, √365)', f.volatility, fmt.pct(f.volatility)),
    figure('sharpe', 'Sharpe (daily, √365)', f.sharpe, fmt.ratio(f.sharpe)),
    figure('sortino', 'Sortino (downside, √365)', f.sortino, fmt.ratio(f.sortino)),
    figure('calmar', 'Calmar (APY / max drawdown)', f.calmar, fmt.ratio(f.calmar)),
    figure(
      'turnover_annual',
      'Turnover per year (× mean equity)',
      f.turnover_annual,
      fmt.ratio(f.turnover_annual),
    ),
    figure('best_day', 'Best day', f.best_day, fmt.pct(f.best_day)),
    figure('worst_day', 'Worst day', f.worst_day, fmt.pct(f.worst_day)),
    figure('positive_days', 'Positive days', f.positive_days, fmt.pct(f.positive_days, 1)),
    figure(
      'hit_rate',
      `Hit rate (${tr.count} ${tr.kind === 'position' ? 'trades' : 'decisions'})`,
      tr.hit_rate,
      fmt.pct(tr.hit_rate, 1),
    ),
    figure('profit_factor', 'Profit factor', tr.profit_factor, fmt.ratio(tr.profit_factor)),
  );
  const charts = h('div', { class: 'charts', id: 'tearsheet-charts' });
  const bench = h('div', { id: 'benchmark' }, benchmarkBlock(ts.benchmark));
  /** @param {any} b @param {string} [error] */
  const setBenchmark = (b, error) =>
    bench.replaceChildren(
      error ? h('p', { class: 'note', id: 'benchmark-error' }, error) : benchmarkBlock(b),
    );
  const section = h(
    'section',
    { class: 'card', id: 'tearsheet' },
    h('h2', null, 'Tearsheet'),
    h(
      'p',
      { class: 'muted' },
      `Computed from the recorded series: time-weighted daily returns over ${f.days} full days; rolling figures over ${ts.rolling.window_days} days.`,
    ),
    figures,
    pick ? benchmarkPicker(ts.benchmark.name, pick) : null,
    bench,
    charts,
    h('h3', null, 'Monthly returns (time-weighted)'),
    h('div', { class: 'table-scroll' }, monthlyTable(ts)),
    h(
      'div',
      { class: 'two-tables' },
      h('h3', null, `PnL by venue and source (${u})`),
      h('div', { class: 'table-scroll' }, venueTable(ts)),
      h('h3', null, 'Funding APR by venue'),
      fundingTable(ts),
    ),
  );
  return { section, charts, setBenchmark };
}

/** @param {string} current @param {{ names: string[], onPick: (name: string) => void }} pick */
function benchmarkPicker(current, pick) {
  const names = pick.names.includes(current) ? pick.names : [current, ...pick.names];
  const select = h(
    'select',
    { id: 'benchmark-pick', onchange: () => pick.onPick(/** @type {HTMLSelectElement} */ (select).value) },
    ...names.map((n) => h('option', { value: n, selected: n === current }, n)),
  );
  return h('div', { class: 'toolbar' }, h('label', null, 'Benchmark ', select));
}

/** @param {any} b */
function benchmarkBlock(b) {
  if (!b.available) return h('p', { class: 'note', id: 'benchmark-none' }, b.reason);
  return h(
    'div',
    { class: 'figures', id: 'benchmark-figures' },
    figure(
      'benchmark_return',
      `${b.label} over ${b.from} .. ${b.to}`,
      b.benchmark_return,
      fmt.pct(b.benchmark_return),
    ),
    figure('run_return', 'This run over those days', b.run_return, fmt.pct(b.run_return)),
    figure('excess_return', 'Excess return', b.excess_return, fmt.pct(b.excess_return)),
    figure('tracking_error', 'Tracking error (√365)', b.tracking_error, fmt.pct(b.tracking_error)),
    figure('information_ratio', 'Information ratio', b.information_ratio, fmt.ratio(b.information_ratio)),
  );
}

/** Years × months, with the year's compounded return. @param {any} ts */
function monthlyTable(ts) {
  /** @type {Map<number, Map<number, number>>} */
  const by = new Map();
  for (const m of ts.monthly) {
    if (!by.has(m.year)) by.set(m.year, new Map());
    /** @type {Map<number, number>} */ (by.get(m.year)).set(m.m, m.r);
  }
  const yearly = new Map(ts.yearly.map((/** @type {any} */ y) => [y.year, y.r]));
  return h(
    'table',
    { id: 'monthly', class: 'monthly' },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        h('th', null, 'year'),
        ...MONTHS.map((m) => h('th', { class: 'num' }, m)),
        h('th', { class: 'num' }, 'year'),
      ),
    ),
    h(
      'tbody',
      null,
      ...[...by].map(([year, months]) =>
        h(
          'tr',
          { dataset: { year: String(year) } },
          h('td', null, String(year)),
          ...MONTHS.map((_, i) => {
            const r = months.get(i + 1);
            return r === undefined
              ? h('td', { class: 'num muted' }, '')
              : h(
                  'td',
                  {
                    class: signClass(r),
                    dataset: { month: `${year}-${String(i + 1).padStart(2, '0')}`, value: String(r) },
                  },
                  fmt.pct(r),
                );
          }),
          h(
            'td',
            {
              class: `${signClass(/** @type {number} */ (yearly.get(year)))} total`,
              dataset: { yearTotal: String(yearly.get(year)) },
            },
            fmt.pct(yearly.get(year)),
          ),
        ),
      ),
    ),
  );
}

/** Venues × sources (booked by the venues), the unattributed rest, and the series' totals. @param {any} ts */
function venueTable(ts) {
  const u = ts.share_class;
  const sources = Object.keys(ts.pnl.by_source).filter(
    (s) => ts.pnl.by_source[s] !== 0 || ts.pnl.by_venue.some((/** @type {any} */ v) => v.sources[s]),
  );
  /** @param {string} label @param {Record<string, number>} values @param {number} total @param {string} cls @param {string} key */
  const row = (label, values, total, cls, key) =>
    h(
      'tr',
      { class: cls, dataset: { venue: key } },
      h('td', null, label),
      ...sources.map((s) =>
        h(
          'td',
          { class: signClass(values[s] ?? 0), dataset: { source: s, value: String(values[s] ?? 0) } },
          bare(values[s] ?? 0, u),
        ),
      ),
      h(
        'td',
        { class: signClass(total), dataset: { source: 'total', value: String(total) } },
        fmt.amount(total, u),
      ),
    );
  const unattributedTotal = Object.values(ts.pnl.unattributed).reduce(
    (/** @type {number} */ a, /** @type {any} */ b) => a + b,
    0,
  );
  const total = Object.values(ts.pnl.by_source).reduce(
    (/** @type {number} */ a, /** @type {any} */ b) => a + b,
    0,
  );
  return h(
    'table',
    { id: 'venue-pnl' },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        h('th', null, 'venue'),
        ...sources.map((s) => h('th', { class: 'num' }, s)),
        h('th', { class: 'num' }, 'total'),
      ),
    ),
    h(
      'tbody',
      null,
      ...ts.pnl.by_venue.map((/** @type {any} */ v) => row(v.venue, v.sources, v.total, '', v.venue)),
      row(
        'not booked per venue (price revaluation, transfer gas)',
        ts.pnl.unattributed,
        /** @type {number} */ (unattributedTotal),
        'muted',
        '_unattributed',
      ),
      row('total (series)', ts.pnl.by_source, /** @type {number} */ (total), 'total', '_total'),
    ),
  );
}

/** @param {any} ts */
function fundingTable(ts) {
  if (ts.funding.length === 0)
    return h(
      'p',
      { class: 'muted', id: 'funding-none' },
      'No funding payments in this run (no perp positions).',
    );
  return h(
    'table',
    { id: 'funding-apr' },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        ...['venue', 'payments (USDT)', 'periods', 'mean rate / period', 'APR on notional'].map((t, i) =>
          h('th', { class: i ? 'num' : '' }, t),
        ),
      ),
    ),
    h(
      'tbody',
      null,
      ...ts.funding.map((/** @type {any} */ f) =>
        h(
          'tr',
          { dataset: { venue: f.venue } },
          h('td', null, f.venue),
          h('td', { class: signClass(f.payments) }, bare(f.payments, 'USDT')),
          h('td', { class: 'num' }, String(f.periods)),
          h('td', { class: 'num' }, fmt.pct(f.mean_rate, 4)),
          h('td', { class: signClass(f.apr), dataset: { value: String(f.apr) } }, fmt.pct(f.apr)),
        ),
      ),
    ),
  );
}

/** @type {[string, string, (t: any) => string | number | null, boolean][]} key, label, value, numeric */
const TRADE_COLS = [
  ['id', '#', (t) => t.id, true],
  ['entry_time', 'entry (UTC)', (t) => t.entry_time, false],
  ['exit_time', 'exit (UTC)', (t) => t.exit_time, false],
  ['side', 'side', (t) => t.side, false],
  ['reason', 'reason', (t) => t.reason, false],
  ['detail', 'detail', (t) => t.detail, false],
  ['venues', 'venues', (t) => t.venues, false],
  ['entry_price', 'entry price', (t) => t.entry_price, true],
  ['exit_price', 'exit price', (t) => t.exit_price, true],
  ['fees', 'fees', (t) => t.fees, true],
  ['pnl', 'PnL', (t) => t.pnl, true],
];

const TRADE_PAGE = 200;

/**
 * The trade table: text filter, reason filter, sort by any column (click its header), first 200 rows
 * shown with the count; CSV export of every trade.
 * @param {string} id @param {any} data GET /api/backtests/{id}/trades
 */
export function tradeSection(id, data) {
  const u = data.share_class;
  const trades = data.trades;
  const kind = trades[0]?.kind === 'position' ? 'position' : 'decision';
  const cols = TRADE_COLS.filter(
    ([key]) => kind === 'position' || !['side', 'entry_price', 'exit_price'].includes(key),
  );
  const reasons = [...new Set(trades.map((/** @type {any} */ t) => t.reason))].sort();
  const filter = /** @type {HTMLInputElement} */ (
    h('input', { id: 'trade-filter', type: 'search', placeholder: 'filter (reason, venue, detail…)' })
  );
  const reasonSel = /** @type {HTMLSelectElement} */ (
    h(
      'select',
      { id: 'trade-reason' },
      h('option', { value: '' }, 'every reason'),
      ...reasons.map((r) => h('option', { value: r }, r)),
    )
  );
  const info = h('span', { class: 'muted', id: 'trade-info' });
  const tbody = h('tbody');
  /** @type {{key: string, dir: 1 | -1} | null} */
  let sort = null;
  const heads = cols.map(([key, label, , numeric]) => {
    const th = h('th', { class: `sortable${numeric ? ' num' : ''}`, dataset: { key } }, label);
    th.addEventListener('click', () => {
      sort =
        sort && sort.key === key ? { key, dir: sort.dir === 1 ? -1 : 1 } : { key, dir: numeric ? -1 : 1 };
      for (const x of heads) delete x.dataset.dir;
      th.dataset.dir = sort.dir === 1 ? 'asc' : 'desc';
      draw();
    });
    return th;
  });
  const shown = () => {
    const q = filter.value.trim().toLowerCase();
    const r = reasonSel.value;
    let rows = trades.filter(
      (/** @type {any} */ t) =>
        (!r || t.reason === r) &&
        (!q ||
          [t.reason, t.detail, t.venues, t.side].some((x) =>
            String(x ?? '')
              .toLowerCase()
              .includes(q),
          )),
    );
    if (sort) {
      const s = sort;
      const col = /** @type {any} */ (cols.find(([key]) => key === s.key));
      rows = [...rows].sort((a, b) => {
        const x = col[2](a);
        const y = col[2](b);
        if (x === y) return a.id - b.id;
        if (x === null || x === undefined) return 1;
        if (y === null || y === undefined) return -1;
        return (x < y ? -1 : 1) * s.dir;
      });
    }
    return rows;
  };
  const draw = () => {
    const rows = shown();
    const pnl = rows.reduce((/** @type {number} */ a, /** @type {any} */ t) => a + t.pnl, 0);
    info.textContent = `${rows.length} of ${trades.length} ${kind === 'position' ? 'trades' : 'decisions'}${rows.length > TRADE_PAGE ? ` (first ${TRADE_PAGE} shown)` : ''}; PnL of these ${fmt.amount(pnl, u)}`;
    info.dataset.count = String(rows.length);
    info.dataset.pnl = String(pnl);
    tbody.replaceChildren(
      ...rows.slice(0, TRADE_PAGE).map((/** @type {any} */ t) =>
        h(
          'tr',
          { dataset: { trade: String(t.id) } },
          ...cols.map(([key, , get, numeric]) => {
            const v = get(t);
            const text =
              key === 'entry_time' || key === 'exit_time'
                ? String(v ?? '')
                    .slice(0, 16)
                    .replace('T', ' ')
                : numeric && typeof v === 'number'
                  ? key === 'id'
                    ? String(v)
                    : bare(v, key === 'entry_price' || key === 'exit_price' ? 'USDT' : u)
                  : String(v ?? '');
            return h(
              'td',
              {
                class:
                  key === 'pnl'
                    ? signClass(/** @type {number} */ (v))
                    : numeric
                      ? 'num'
                      : key === 'detail'
                        ? 'detail'
                        : 'nowrap',
                dataset: { key },
              },
              text,
            );
          }),
        ),
      ),
    );
  };
  filter.addEventListener('input', draw);
  reasonSel.addEventListener('change', draw);
  draw();
  const st = data.stats;
  return h(
    'section',
    { class: 'card', id: 'trades' },
    h('h2', null, kind === 'position' ? 'Trades' : 'Trades (one row per decision, held until the next)'),
    h(
      'p',
      { class: 'muted', id: 'trade-stats' },
      `${st.count} ${kind === 'position' ? 'trades' : 'decisions'} · hit rate ${fmt.pct(st.hit_rate, 1)} · profit factor ${fmt.ratio(st.profit_factor)} · fees ${fmt.amount(st.total_fees, u)} · PnL ${fmt.amount(st.total_pnl, u)}`,
    ),
    h(
      'div',
      { class: 'toolbar' },
      filter,
      reasonSel,
      info,
      h(
        'a',
        { class: 'button secondary', id: 'trades-csv', href: `/api/backtests/${id}/trades?format=csv` },
        'Export trades CSV',
      ),
    ),
    h(
      'div',
      { class: 'table-scroll' },
      h('table', { id: 'trade-table' }, h('thead', null, h('tr', null, ...heads)), tbody),
    ),
  );
}
