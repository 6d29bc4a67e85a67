// @ts-check
/** The launch form: mode picker with descriptions, dates within the data coverage, capital, flows, overrides. */
import { api, h, replace, errorBox, fmt } from './dom.js';

const DAY = 86_400_000;
const isoDay = (/** @type {number} */ ms) => new Date(ms).toISOString().slice(0, 10);

/** @param {HTMLElement} view @param {() => boolean} alive */
export async function renderLaunch(view, alive) {
  const { modes, data } = await api('/api/modes');
  if (!alive()) return;
  const mode = /** @type {HTMLSelectElement} */ (
    h(
      'select',
      { id: 'mode', name: 'mode', required: true },
      ...modes.map((/** @type {any} */ m) =>
        h(
          'option',
          { value: m.mode, disabled: !m.available || !m.coverage },
          m.config_error
            ? `${m.mode} — configuration error`
            : `${m.mode} (${m.share_class})${m.available ? '' : ' — not available yet'}${m.coverage ? '' : ' — no data'}`,
        ),
      ),
    )
  );
  const description = h('p', { id: 'mode-description', class: 'description' });
  const coverage = h('p', { id: 'coverage', class: 'muted' });
  const start = /** @type {HTMLInputElement} */ (h('input', { id: 'start', type: 'date', required: true }));
  const end = /** @type {HTMLInputElement} */ (h('input', { id: 'end', type: 'date', required: true }));
  const capital = /** @type {HTMLInputElement} */ (
    h('input', { id: 'capital', type: 'number', min: '0', step: 'any', required: true })
  );
  const unit = h('span', { class: 'unit' });
  const deposits = flowList('deposit');
  const withdrawals = flowList('withdrawal');
  const overrides = /** @type {HTMLTextAreaElement} */ (
    h('textarea', { id: 'overrides', rows: 3, placeholder: 'one per line, e.g. strategy.perp_leverage=2' })
  );
  const resolved = h('pre', { id: 'resolved', class: 'resolved', hidden: true });
  const message = h('div', { id: 'launch-message' });
  const submit = /** @type {HTMLButtonElement} */ (
    h('button', { type: 'submit', id: 'launch' }, 'Run backtest')
  );

  const selected = () => modes.find((/** @type {any} */ m) => m.mode === mode.value);
  const onMode = () => {
    const m = selected();
    description.textContent = m.config_error || m.description;
    unit.textContent = m.share_class || '';
    capital.value = String(m.default_capital || '');
    if (m.coverage) {
      const s = isoDay(m.coverage.start_ms);
      const e = isoDay(m.coverage.end_ms);
      coverage.textContent = `Data (${data.synthetic ? 'SYNTHETIC sample' : 'real'}) covers ${fmt.dateTime(m.coverage.start_ms)} .. ${fmt.dateTime(m.coverage.end_ms)} UTC`;
      for (const input of [start, end]) {
        input.min = s;
        input.max = e;
      }
      start.value = s;
      end.value = e;
    } else coverage.textContent = m.coverage_error || '';
  };
  mode.addEventListener('change', onMode);
  const firstAvailable = modes.find((/** @type {any} */ m) => m.available && m.coverage);
  if (firstAvailable) mode.value = firstAvailable.mode;
  onMode();

  const overrideList = () =>
    overrides.value
      .split('\n')
      .map((s) => s.trim())
      .filter(Boolean);
  const check = h(
    'button',
    { type: 'button', id: 'check-config', class: 'secondary' },
    'Show effective config',
  );
  check.addEventListener('click', async () => {
    const q = overrideList()
      .map((o) => 'set=' + encodeURIComponent(o))
      .join('&');
    try {
      const r = await api(`/api/modes/${mode.value}${q ? '?' + q : ''}`);
      resolved.textContent = JSON.stringify(r.config, null, 2);
      resolved.hidden = false;
      replace(message);
    } catch (err) {
      resolved.hidden = true;
      replace(message, errorBox(/** @type {Error} */ (err).message));
    }
  });

  const form = h(
    'form',
    { id: 'launch-form', class: 'card form', novalidate: true },
    h('h1', null, 'New backtest'),
    h('label', null, 'Strategy mode', mode),
    description,
    h(
      'div',
      { class: 'row' },
      h('label', null, 'Start (UTC)', start),
      h('label', null, 'End (UTC, inclusive)', end),
    ),
    coverage,
    h('label', null, 'Initial capital', h('span', { class: 'with-unit' }, capital, unit)),
    h('fieldset', null, h('legend', null, 'Deposits'), deposits.el),
    h('fieldset', null, h('legend', null, 'Withdrawals'), withdrawals.el),
    h('label', null, 'Config overrides', overrides),
    h('div', { class: 'row' }, check, submit),
    message,
    resolved,
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const m = selected();
    submit.disabled = true;
    try {
      const startMs = Math.max(Date.parse(start.value + 'T00:00:00Z'), m.coverage.start_ms);
      const endMs = Math.min(Date.parse(end.value + 'T00:00:00Z') + DAY - 3_600_000, m.coverage.end_ms);
      const body = {
        mode: m.mode,
        start: new Date(startMs).toISOString(),
        end: new Date(endMs).toISOString(),
        capital: Number(capital.value),
        deposits: deposits.values(),
        withdrawals: withdrawals.values(),
        overrides: overrideList(),
      };
      const r = await api('/api/backtests', { method: 'POST', body });
      location.hash = `#/runs/${r.id}`;
    } catch (err) {
      replace(message, errorBox(/** @type {Error} */ (err).message));
    } finally {
      submit.disabled = false;
    }
  });
  replace(view, form);
}

/** Rows of date + amount with add/remove buttons. @param {string} what */
function flowList(what) {
  const rows = h('div', { class: 'flows', dataset: { flow: what } });
  const add = h('button', { type: 'button', class: 'secondary small' }, `+ add ${what}`);
  add.addEventListener('click', () => {
    const date = h('input', { type: 'date', class: 'flow-date', required: true });
    const amount = h('input', {
      type: 'number',
      class: 'flow-amount',
      min: '0',
      step: 'any',
      placeholder: 'amount',
    });
    const remove = h('button', { type: 'button', class: 'secondary small', title: 'remove' }, '×');
    const row = h('div', { class: 'row flow' }, date, amount, remove);
    remove.addEventListener('click', () => row.remove());
    rows.append(row);
  });
  return {
    el: h('div', null, rows, add),
    values: () =>
      [...rows.querySelectorAll('.flow')].map((row) => ({
        time: /** @type {HTMLInputElement} */ (row.querySelector('.flow-date')).value,
        amount: Number(/** @type {HTMLInputElement} */ (row.querySelector('.flow-amount')).value),
      })),
  };
}
