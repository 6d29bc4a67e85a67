// @ts-check
/**
 * Parameter sweeps: launch one (#/sweeps), watch its progress and read its results (#/sweeps/<id>): the
 * ranking, a heatmap of the objective over two grid keys, a scatter of the objective against any swept
 * key, every run in a table sortable by any metric (each opens its stored run), and the walk-forward
 * folds with the number of trials and the in-sample / out-of-sample gap.
 */
import { api, h, replace, errorBox, fmt } from './dom.js';

const OBJECTIVES = ['apy', 'total_return', 'sharpe', 'calmar', 'final_equity', 'max_drawdown', 'volatility'];
const FRACTIONS = new Set(['apy', 'total_return', 'max_drawdown', 'volatility']);

/** @param {string} metric @param {number | null | undefined} x */
function metricText(metric, x) {
  if (x === null || x === undefined || !Number.isFinite(x)) return 'n/a';
  if (FRACTIONS.has(metric)) return fmt.pct(x);
  if (metric === 'final_equity') return x.toLocaleString('en-US', { maximumFractionDigits: 2 });
  if (metric === 'trades') return String(x);
  return fmt.ratio(x, 3);
}

/** @param {Record<string, string>} params */
const paramText = (params) =>
  Object.entries(params)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ') || '(defaults)';

/** @param {HTMLElement} view @param {() => boolean} alive */
export async function renderSweeps(view, alive) {
  const [{ modes }, { sweeps }] = await Promise.all([api('/api/modes'), api('/api/sweeps')]);
  if (!alive()) return;
  const mode = /** @type {HTMLSelectElement} */ (
    h(
      'select',
      { id: 'sweep-mode' },
      ...modes
        .filter((/** @type {any} */ m) => m.available && m.coverage)
        .map((/** @type {any} */ m) => h('option', { value: m.mode }, `${m.mode} (${m.share_class})`)),
    )
  );
  const grid = /** @type {HTMLTextAreaElement} */ (
    h('textarea', {
      id: 'sweep-grid',
      rows: 3,
      placeholder: 'one key per line, e.g. strategy.perp_leverage=2,3,4',
    })
  );
  const windows = /** @type {HTMLInputElement} */ (
    h('input', {
      id: 'sweep-windows',
      placeholder: 'e.g. 2024-06-01..2024-09-01 (default: the data coverage)',
    })
  );
  const objective = /** @type {HTMLSelectElement} */ (
    h('select', { id: 'sweep-objective' }, ...OBJECTIVES.map((o) => h('option', { value: o }, o)))
  );
  const constraints = /** @type {HTMLInputElement} */ (
    h('input', { id: 'sweep-constraints', placeholder: 'e.g. max_drawdown<0.02 (comma-separated)' })
  );
  const walk = /** @type {HTMLInputElement} */ (
    h('input', { id: 'sweep-walk-forward', placeholder: 'e.g. train=90d,test=30d (optional)' })
  );
  const message = h('div', { id: 'sweep-message' });
  const submit = h('button', { type: 'submit', id: 'sweep-launch' }, 'Run sweep');
  const form = h(
    'form',
    { id: 'sweep-form', class: 'card form', novalidate: true },
    h('h1', null, 'New sweep'),
    h('label', null, 'Strategy mode', mode),
    h('label', null, 'Grid (key=values)', grid),
    h('label', null, 'Windows (UTC, comma-separated START..END)', windows),
    h(
      'div',
      { class: 'row' },
      h('label', null, 'Objective', objective),
      h('label', null, 'Constraints', constraints),
    ),
    h('label', null, 'Walk-forward', walk),
    h('div', { class: 'row' }, submit),
    message,
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      /** @type {Record<string, string[]>} */
      const g = {};
      for (const line of grid.value
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)) {
        const eq = line.indexOf('=');
        if (eq <= 0) throw new Error(`grid line "${line}": expected key=value1,value2,...`);
        g[line.slice(0, eq).trim()] = line
          .slice(eq + 1)
          .split(',')
          .map((v) => v.trim());
      }
      /** @type {any} */
      const body = { modes: [mode.value], grid: g, objective: objective.value };
      const w = windows.value.trim();
      if (w)
        body.windows = w.split(',').map((part) => {
          const [start, end] = part.split('..').map((s) => s.trim());
          return { ...(start ? { start } : {}), ...(end ? { end } : {}) };
        });
      const c = constraints.value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      if (c.length) body.constraints = c;
      if (walk.value.trim()) {
        const wf = Object.fromEntries(walk.value.split(',').map((p) => p.split('=').map((s) => s.trim())));
        body.walk_forward = { train: wf.train, test: wf.test };
      }
      const r = await api('/api/sweeps', { method: 'POST', body });
      location.hash = `#/sweeps/${r.id}`;
    } catch (err) {
      replace(message, errorBox(/** @type {Error} */ (err).message));
    }
  });
  const list = h(
    'section',
    { class: 'card' },
    h('h1', null, 'Sweeps'),
    sweeps.length === 0
      ? h('p', { class: 'muted' }, 'no sweeps yet')
      : h(
          'table',
          { id: 'sweep-list' },
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              ...['id', 'status', 'modes', 'keys', 'objective', 'runs', 'created (UTC)'].map((t) =>
                h('th', null, t),
              ),
            ),
          ),
          h(
            'tbody',
            null,
            ...sweeps.map((/** @type {any} */ s) =>
              h(
                'tr',
                null,
                h('td', null, h('a', { href: `#/sweeps/${s.id}` }, s.id)),
                h('td', null, h('span', { class: `status ${s.status}` }, s.status)),
                h('td', null, s.modes.join(', ')),
                h('td', null, s.keys.join(', ')),
                h('td', null, s.objective + (s.walk_forward ? ' (walk-forward)' : '')),
                h('td', { class: 'num' }, `${s.progress.done} / ${s.progress.total}`),
                h('td', { class: 'nowrap muted' }, s.created_at.slice(0, 16).replace('T', ' ')),
              ),
            ),
          ),
        ),
  );
  replace(view, form, list);
}

/** @param {HTMLElement} view @param {string} id @param {() => boolean} alive */
export async function renderSweep(view, id, alive) {
  /** @type {{key: string, dir: number}} */
  const sort = { key: '', dir: -1 };
  /** @type {string} */
  let scatterKey = '';
  for (;;) {
    const s = await api(`/api/sweeps/${id}`);
    if (!alive()) return;
    if (!sort.key) {
      sort.key = s.spec.objective in (s.runs[0] ?? {}) ? s.spec.objective : 'apy';
      sort.dir = s.direction === 'min' ? 1 : -1;
    }
    const keys = [
      ...s.spec.grid.map((/** @type {any} */ g) => g.key),
      ...(s.spec.random?.ranges ?? []).map((/** @type {any} */ r) => r.key),
    ];
    if (!scatterKey) scatterKey = keys[0] ?? '';
    const draw = () => {
      const parts = [
        header(s),
        s.walk_forward ? walkForward(s) : ranking(s),
        s.spec.grid.length === 2 && !s.spec.random && s.spec.modes.length === 1 && !s.walk_forward
          ? heatmap(s)
          : null,
        keys.length > 0 && !s.walk_forward
          ? scatter(s, keys, scatterKey, (k) => ((scatterKey = k), draw()))
          : null,
        runsTable(s, keys, sort, draw),
      ];
      replace(view, ...parts.filter((p) => p !== null));
    };
    draw();
    if (s.status !== 'running') return;
    await new Promise((r) => setTimeout(r, 1000));
    if (!alive()) return;
  }
}

/** @param {any} s */
function header(s) {
  const { done, total } = s.progress;
  return h(
    'section',
    { class: 'card', id: 'sweep-header' },
    h(
      'div',
      { class: 'title-row' },
      h('h1', null, `Sweep ${s.id}`),
      h('span', { class: `status ${s.status}`, id: 'sweep-status' }, s.status),
    ),
    h('progress', { max: String(total), value: String(done) }),
    h(
      'p',
      { class: 'muted', id: 'sweep-progress' },
      `${done} of ${total} runs · modes ${s.spec.modes.join(', ')} · objective ${s.spec.objective}` +
        (s.spec.constraints.length ? ` · constraints ${s.spec.constraints.join(', ')}` : '') +
        ` · trials ${s.trials}`,
    ),
    s.error ? errorBox(s.error) : null,
  );
}

/** @param {any} s */
function ranking(s) {
  const obj = s.spec.objective;
  // the objective gets its own column unless it is one shown anyway
  const own = !['apy', 'sharpe', 'max_drawdown'].includes(obj);
  return h(
    'section',
    { class: 'card' },
    h('h2', null, 'Ranking (feasible first, by objective; means over the windows)'),
    h(
      'table',
      { id: 'sweep-ranking' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          ...['#', 'parameters', ...(own ? [obj] : []), 'APY', 'Sharpe', 'max DD', 'feasible'].map((t) =>
            h('th', null, t),
          ),
        ),
      ),
      h(
        'tbody',
        null,
        ...s.ranking
          .slice(0, 20)
          .map((/** @type {any} */ r) =>
            h(
              'tr',
              null,
              h('td', null, String(r.rank)),
              h('td', null, (s.spec.modes.length > 1 ? r.mode + ' ' : '') + paramText(r.params)),
              own ? h('td', { class: 'num' }, metricText(obj, r.objective)) : null,
              h('td', { class: 'num' }, fmt.pct(r.apy)),
              h('td', { class: 'num' }, fmt.ratio(r.sharpe, 2)),
              h('td', { class: 'num' }, fmt.pct(r.max_drawdown)),
              h('td', null, r.errors.length ? `failed: ${r.errors[0]}` : r.feasible ? 'yes' : 'no'),
            ),
          ),
      ),
    ),
  );
}

/** The objective over the two grid keys; colour from worst (red) to best (green). @param {any} s */
function heatmap(s) {
  const [gx, gy] = s.spec.grid;
  const obj = s.spec.objective;
  /** @type {Map<string, any>} */
  const cell = new Map();
  for (const r of s.ranking) cell.set(`${r.params[gx.key]}\u0000${r.params[gy.key]}`, r);
  const values = s.ranking
    .map((/** @type {any} */ r) => r.objective)
    .filter((/** @type {any} */ x) => Number.isFinite(x));
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const better = s.direction === 'min' ? -1 : 1;
  return h(
    'section',
    { class: 'card' },
    h('h2', null, `${obj} by ${gx.key} × ${gy.key}`),
    h(
      'table',
      { id: 'sweep-heatmap', class: 'heatmap' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          h('th', null, `${gy.key} \\ ${gx.key}`),
          ...gx.values.map((/** @type {string} */ v) => h('th', { class: 'num' }, v)),
        ),
      ),
      h(
        'tbody',
        null,
        ...gy.values.map((/** @type {string} */ vy) =>
          h(
            'tr',
            null,
            h('th', null, vy),
            ...gx.values.map((/** @type {string} */ vx) => {
              const r = cell.get(`${vx}\u0000${vy}`);
              const td = h(
                'td',
                {
                  class: 'num cell',
                  dataset: { x: vx, y: vy },
                  title: r ? paramText(r.params) : 'not run yet',
                },
                r ? metricText(obj, r.objective) + (r.feasible ? '' : ' ✕') : '…',
              );
              if (r && Number.isFinite(r.objective) && hi > lo) {
                const t = better > 0 ? (r.objective - lo) / (hi - lo) : (hi - r.objective) / (hi - lo);
                td.style.background = `hsl(${Math.round(t * 120)}, 65%, 82%)`;
              }
              return td;
            }),
          ),
        ),
      ),
    ),
    h(
      'p',
      { class: 'muted' },
      '✕: a constraint failed in some window. Colour: worst (red) to best (green) objective.',
    ),
  );
}

/** @param {any} s @param {string[]} keys @param {string} key @param {(k: string) => void} onKey */
function scatter(s, keys, key, onKey) {
  const obj = s.spec.objective;
  const pick = /** @type {HTMLSelectElement} */ (
    h(
      'select',
      { id: 'sweep-scatter-key' },
      ...keys.map((k) => h('option', { value: k, selected: k === key }, k)),
    )
  );
  pick.addEventListener('change', () => onKey(pick.value));
  const box = h('div', { class: 'chart-box', dataset: { chart: 'sweep-scatter' } });
  const canvas = h('canvas');
  box.append(canvas);
  const points = s.ranking
    .filter((/** @type {any} */ r) => Number.isFinite(r.objective) && Number.isFinite(Number(r.params[key])))
    .map((/** @type {any} */ r) => ({ x: Number(r.params[key]), y: r.objective }));
  const section = h(
    'section',
    { class: 'card' },
    h('div', { class: 'row' }, h('h2', null, `${obj} against`), pick),
    box,
  );
  const Chart = /** @type {any} */ (window).Chart;
  setTimeout(() => {
    if (!canvas.isConnected) return;
    new Chart(canvas, {
      type: 'scatter',
      data: { datasets: [{ label: obj, data: points, pointRadius: 3, backgroundColor: '#2563eb' }] },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: { legend: { display: false } },
        scales: {
          x: { title: { display: true, text: key } },
          y: {
            title: { display: true, text: obj },
            ticks: { callback: (/** @type {number} */ v) => metricText(obj, v) },
          },
        },
      },
    });
  });
  return section;
}

const RUN_METRICS = ['apy', 'total_return', 'sharpe', 'max_drawdown', 'volatility', 'final_equity', 'trades'];

/**
 * Every finished run, sortable by any column (click a header).
 * @param {any} s @param {string[]} keys @param {{key: string, dir: number}} sort @param {() => void} redraw
 */
function runsTable(s, keys, sort, redraw) {
  const columns = [...keys, 'window', ...RUN_METRICS];
  /** @param {any} r @param {string} c */
  const value = (r, c) => (keys.includes(c) ? r.params[c] : c === 'window' ? (r.window.start ?? '') : r[c]);
  const rows = [...s.runs].sort((a, b) => {
    const x = value(a, sort.key);
    const y = value(b, sort.key);
    if (x === y) return a.index - b.index;
    if (x === null || x === undefined) return 1;
    if (y === null || y === undefined) return -1;
    const nx = Number(x);
    const ny = Number(y);
    if (Number.isFinite(nx) && Number.isFinite(ny)) return sort.dir * (nx - ny);
    return sort.dir * String(x).localeCompare(String(y));
  });
  const th = (/** @type {string} */ c) => {
    const el = h(
      'th',
      { class: 'sortable', dataset: { sort: c } },
      c + (sort.key === c ? (sort.dir > 0 ? ' ▲' : ' ▼') : ''),
    );
    el.addEventListener('click', () => {
      if (sort.key === c) sort.dir = -sort.dir;
      else {
        sort.key = c;
        sort.dir = -1;
      }
      redraw();
    });
    return el;
  };
  return h(
    'section',
    { class: 'card' },
    h('h2', null, `Runs (${s.runs.length})`),
    h(
      'div',
      { class: 'scroll' },
      h(
        'table',
        { id: 'sweep-runs' },
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            ...(s.spec.modes.length > 1 ? [h('th', null, 'mode')] : []),
            ...columns.map(th),
            h('th', null, 'run'),
          ),
        ),
        h(
          'tbody',
          null,
          ...rows.map((r) =>
            h(
              'tr',
              { dataset: { key: r.key } },
              ...(s.spec.modes.length > 1 ? [h('td', null, r.mode)] : []),
              ...keys.map((k) => h('td', { class: 'num' }, r.params[k])),
              h(
                'td',
                { class: 'nowrap' },
                `${(r.window.start ?? 'coverage').slice(0, 10)} .. ${(r.window.end ?? 'coverage').slice(0, 10)}${r.fold ? ` (fold ${r.fold.index} ${r.fold.part})` : ''}`,
              ),
              ...RUN_METRICS.map((m) => h('td', { class: 'num nowrap' }, metricText(m, r[m]))),
              h(
                'td',
                null,
                r.run_id
                  ? h('a', { href: `#/runs/${r.run_id}` }, 'open')
                  : r.error
                    ? `failed: ${r.error}`
                    : '—',
              ),
            ),
          ),
        ),
      ),
    ),
  );
}

/** @param {any} s */
function walkForward(s) {
  const wf = s.walk_forward;
  const obj = s.spec.objective;
  return h(
    'section',
    { class: 'card', id: 'sweep-walk-forward' },
    h('h2', null, 'Walk-forward: chosen in-sample, measured out-of-sample'),
    h(
      'table',
      null,
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          ...['fold', 'train', 'test', 'chosen', `IS ${obj}`, `OOS ${obj}`, 'OOS return', 'OOS rank'].map(
            (t) => h('th', null, t),
          ),
        ),
      ),
      h(
        'tbody',
        null,
        ...wf.folds.map((/** @type {any} */ f) =>
          h(
            'tr',
            null,
            h('td', null, String(f.fold)),
            h('td', { class: 'nowrap' }, `${f.train.start.slice(0, 10)} .. ${f.train.end.slice(0, 10)}`),
            h('td', { class: 'nowrap' }, `${f.test.start.slice(0, 10)} .. ${f.test.end.slice(0, 10)}`),
            h('td', null, f.chosen ? paramText(f.chosen.params) : '(none feasible)'),
            h('td', { class: 'num' }, metricText(obj, f.in_sample)),
            h('td', { class: 'num' }, metricText(obj, f.out_of_sample)),
            h('td', { class: 'num' }, fmt.pct(f.oos_total_return)),
            h('td', { class: 'num' }, f.oos_rank === null ? 'n/a' : `${f.oos_rank}/${wf.sets}`),
          ),
        ),
      ),
    ),
    h(
      'p',
      { id: 'sweep-overfitting' },
      `Trials: ${wf.trials} (${wf.sets} parameter sets × ${wf.folds.length} folds). In-sample ${obj} of the chosen sets: ${metricText(obj, wf.mean_in_sample)}; out-of-sample: ${metricText(obj, wf.mean_out_of_sample)}; gap: ${metricText(obj, wf.gap)}. Test windows chained: ${fmt.pct(wf.oos_total_return)} (APY ${fmt.pct(wf.oos_apy)}).`,
    ),
  );
}
