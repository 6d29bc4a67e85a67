// @ts-check
/** Run history: newest first, select runs to compare, delete finished ones. */
import { api, h, replace, errorBox, fmt, dataLabel } from './dom.js';

const PAGE = 50;

/** @param {HTMLElement} view @param {URLSearchParams} params @param {() => boolean} alive */
export async function renderHistory(view, params, alive) {
  const offset = Math.max(0, Number(params.get('offset')) || 0);
  const preselected = new Set((params.get('select') || '').split(',').filter(Boolean));
  const page = await api(`/api/backtests?limit=${PAGE}&offset=${offset}`);
  if (!alive()) return;
  const message = h('div');
  const compare = /** @type {HTMLButtonElement} */ (
    h('button', { type: 'button', id: 'compare-selected' }, 'Compare selected')
  );
  const boxes = /** @type {HTMLInputElement[]} */ ([]);
  const rows = page.runs.map((/** @type {any} */ r) => {
    const box = /** @type {HTMLInputElement} */ (
      h('input', {
        type: 'checkbox',
        value: r.id,
        disabled: r.status !== 'done',
        checked: preselected.has(r.id),
      })
    );
    boxes.push(box);
    const del = h(
      'button',
      {
        type: 'button',
        class: 'secondary small',
        title: 'delete this run',
        disabled: r.status === 'queued' || r.status === 'running',
      },
      'delete',
    );
    del.addEventListener('click', async () => {
      if (!confirm(`Delete run ${r.id} with its series and events?`)) return;
      try {
        await api(`/api/backtests/${r.id}`, { method: 'DELETE' });
        row.remove();
      } catch (err) {
        replace(message, errorBox(/** @type {Error} */ (err).message));
      }
    });
    const row = h(
      'tr',
      { dataset: { run: r.id } },
      h('td', null, box),
      h('td', null, h('a', { href: `#/runs/${r.id}` }, r.id)),
      h('td', null, h('span', { class: `status ${r.status}` }, r.status)),
      h('td', null, r.mode),
      h(
        'td',
        { class: 'nowrap' },
        r.start && r.end ? `${r.start.slice(0, 10)} .. ${r.end.slice(0, 10)}` : 'data coverage',
      ),
      h('td', { class: 'num' }, fmt.amount(r.capital, r.share_class || '')),
      h('td', { class: 'num' }, fmt.pct(r.total_return)),
      h('td', { class: 'num' }, fmt.pct(r.apy)),
      h('td', { class: 'num' }, fmt.pct(r.max_drawdown)),
      h('td', null, dataLabel(r.synthetic)),
      h('td', null, r.source),
      h('td', { class: 'overrides', title: (r.overrides || []).join('\n') }, (r.overrides || []).join(' ')),
      h('td', { class: 'nowrap muted' }, r.created_at.slice(0, 16).replace('T', ' ')),
      h('td', null, del),
    );
    return row;
  });
  compare.addEventListener('click', () => {
    const ids = boxes.filter((b) => b.checked).map((b) => b.value);
    if (ids.length < 2) {
      replace(message, errorBox('select at least two finished runs to compare'));
      return;
    }
    location.hash = `#/compare?ids=${ids.join(',')}`;
  });
  const nav = h(
    'div',
    { class: 'row' },
    offset > 0 ? h('a', { href: `#/runs?offset=${Math.max(0, offset - PAGE)}` }, '‹ newer') : null,
    h(
      'span',
      { class: 'muted' },
      page.total === 0 ? 'no runs yet' : `${offset + 1}–${offset + page.runs.length} of ${page.total}`,
    ),
    offset + PAGE < page.total ? h('a', { href: `#/runs?offset=${offset + PAGE}` }, 'older ›') : null,
  );
  replace(
    view,
    h(
      'section',
      { class: 'card' },
      h('div', { class: 'title-row' }, h('h1', null, 'Runs'), compare),
      message,
      h(
        'div',
        { class: 'table-scroll' },
        h(
          'table',
          { id: 'history' },
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              ...[
                '',
                'id',
                'status',
                'mode',
                'window',
                'capital',
                'return',
                'APY',
                'max DD',
                'data',
                'source',
                'overrides',
                'created (UTC)',
                '',
              ].map((t) => h('th', null, t)),
            ),
          ),
          h('tbody', null, ...rows),
        ),
      ),
      nav,
    ),
  );
}
