// @ts-check
/** Several runs side by side: headline figures, PnL by source, time-weighted return and drawdown. */
import { api, h, replace, fmt, dataLabel } from './dom.js';

/** @param {HTMLElement} view @param {URLSearchParams} params @param {() => boolean} alive */
export async function renderCompare(view, params, alive) {
  const ids = (params.get('ids') || '').split(',').filter(Boolean);
  if (ids.length < 2) {
    replace(
      view,
      h(
        'section',
        { class: 'card' },
        h('h1', null, 'Compare runs'),
        h(
          'p',
          null,
          'Pick two or more finished runs in ',
          h('a', { href: '#/runs' }, 'the run history'),
          ' and press “Compare selected”.',
        ),
      ),
    );
    return;
  }
  const { runs } = await api(`/api/compare?ids=${ids.join(',')}&points=600`);
  if (!alive()) return;
  /** @type {[string, (s: any) => string][]} */
  const rows = [
    ['mode', (s) => s.mode],
    [
      'overrides',
      (s) => (runs.find((/** @type {any} */ r) => r.summary === s)?.overrides || []).join(' ') || '—',
    ],
    ['window', (s) => `${s.start.slice(0, 10)} .. ${s.end.slice(0, 10)}`],
    ['initial capital', (s) => fmt.amount(s.initial_capital, s.share_class)],
    ['final equity', (s) => fmt.amount(s.final_equity, s.share_class)],
    ['total return', (s) => fmt.pct(s.total_return)],
    ['APY', (s) => fmt.pct(s.apy)],
    ['max drawdown', (s) => fmt.pct(s.max_drawdown)],
    ['Sharpe', (s) => fmt.ratio(s.sharpe)],
    ['volatility', (s) => fmt.pct(s.volatility)],
    ['PnL', (s) => fmt.amount(s.pnl.balance, s.share_class)],
    .../** @type {string[]} */ (/** @type {any} */ (window).BasisCharts.PNL_SOURCES).map(
      (src) =>
        /** @type {[string, (s: any) => string]} */ ([
          `  ${src}`,
          (s) => fmt.amount(s.pnl.attribution[src], s.share_class),
        ]),
    ),
    ['trades / transfers', (s) => `${s.trades} / ${s.transfers}`],
  ];
  const visible = rows.filter(
    ([label]) =>
      !label.startsWith('  ') ||
      runs.some((/** @type {any} */ r) => r.summary.pnl.attribution[label.trim()] !== 0),
  );
  const charts = h('div', { class: 'charts', id: 'compare-charts' });
  replace(
    view,
    h(
      'div',
      { id: 'compare' },
      h(
        'section',
        { class: 'card' },
        h('h1', null, `Comparing ${runs.length} runs`),
        runs.some((/** @type {any} */ r) => r.synthetic)
          ? h(
              'p',
              { class: 'note synthetic' },
              'Runs marked SYNTHETIC ran on the generated sample: they illustrate the engine, not market history.',
            )
          : null,
        h(
          'table',
          { id: 'compare-table' },
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              h('th'),
              ...runs.map((/** @type {any} */ r) =>
                h(
                  'th',
                  { dataset: { run: r.id } },
                  h('a', { href: `#/runs/${r.id}` }, r.id),
                  ' ',
                  dataLabel(r.synthetic),
                ),
              ),
            ),
          ),
          h(
            'tbody',
            null,
            ...visible.map(([label, f]) =>
              h(
                'tr',
                null,
                h('td', null, label),
                ...runs.map((/** @type {any} */ r) => h('td', { class: 'num' }, f(r.summary))),
              ),
            ),
          ),
        ),
      ),
      h('section', { class: 'card' }, h('h2', null, 'Charts'), charts),
      configDiff(runs),
    ),
  );
  /** @type {any} */ (window).BasisCharts.renderCompare(charts, runs);
}

/** Leaf values of a config by dotted key path. @param {any} v @param {string} prefix @param {Map<string, string>} out */
function flatten(v, prefix, out) {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v)) flatten(x, prefix ? `${prefix}.${k}` : k, out);
  } else out.set(prefix, JSON.stringify(v));
  return out;
}

/**
 * The resolved mode configs side by side, only the keys whose values differ (what the overrides or
 * the modes changed). @param {any[]} runs
 */
export function configDiff(runs) {
  const flat = runs.map((r) => flatten(r.summary.config, '', new Map()));
  const keys = [...new Set(flat.flatMap((m) => [...m.keys()]))].sort();
  const differ = keys.filter((k) => new Set(flat.map((m) => m.get(k) ?? '—')).size > 1);
  return h(
    'section',
    { class: 'card', id: 'config-diff' },
    h('h2', null, 'Config diff'),
    differ.length === 0
      ? h('p', { class: 'muted', id: 'config-same' }, 'The resolved configs are identical.')
      : h(
          'div',
          { class: 'table-scroll' },
          h(
            'table',
            { id: 'config-diff-table' },
            h(
              'thead',
              null,
              h(
                'tr',
                null,
                h('th', null, 'key'),
                ...runs.map((r) => h('th', { dataset: { run: r.id } }, r.id)),
              ),
            ),
            h(
              'tbody',
              null,
              ...differ.map((k) =>
                h(
                  'tr',
                  { class: 'diff', dataset: { key: k } },
                  h('td', { class: 'nowrap' }, k),
                  ...flat.map((m) => h('td', { class: 'detail' }, m.get(k) ?? '—')),
                ),
              ),
            ),
          ),
        ),
  );
}
