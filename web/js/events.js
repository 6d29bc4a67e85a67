// @ts-check
/** The event table of a run, with filters (type, venue, time) and paging, read from the API page by page. */
import { api, h, replace, errorBox } from './dom.js';

const PAGE = 50;

/** @param {string} id @param {() => boolean} alive */
export async function eventTable(id, alive) {
  const first = await api(`/api/backtests/${id}/events?limit=${PAGE}`);
  const types = /** @type {Record<string, number>} */ (first.types);
  const type = /** @type {HTMLSelectElement} */ (
    h(
      'select',
      { id: 'event-type' },
      h('option', { value: '' }, 'all types'),
      ...Object.entries(types).map(([t, n]) => h('option', { value: t }, `${t} (${n})`)),
    )
  );
  const venue = /** @type {HTMLInputElement} */ (
    h('input', { id: 'event-venue', placeholder: 'venue, e.g. binance', size: 14 })
  );
  const from = /** @type {HTMLInputElement} */ (h('input', { id: 'event-from', type: 'date' }));
  const to = /** @type {HTMLInputElement} */ (h('input', { id: 'event-to', type: 'date' }));
  const body = h('tbody');
  const info = h('span', { class: 'muted', id: 'event-info' });
  const prev = /** @type {HTMLButtonElement} */ (
    h('button', { type: 'button', class: 'secondary small' }, '‹ previous')
  );
  const next = /** @type {HTMLButtonElement} */ (
    h('button', { type: 'button', class: 'secondary small' }, 'next ›')
  );
  const message = h('div');
  let offset = 0;

  /** @param {any} page */
  const show = (page) => {
    replace(
      body,
      ...page.events.map((/** @type {any} */ e) =>
        h(
          'tr',
          null,
          h('td', { class: 'nowrap' }, e.t.slice(0, 16).replace('T', ' ')),
          h('td', null, e.type),
          h('td', null, e.venue || ''),
          h('td', { class: 'detail' }, detail(e.data)),
        ),
      ),
    );
    info.textContent =
      page.total === 0
        ? 'no events'
        : `${page.offset + 1}–${page.offset + page.events.length} of ${page.total}`;
    prev.disabled = page.offset === 0;
    next.disabled = page.offset + page.events.length >= page.total;
  };
  const csv = /** @type {HTMLAnchorElement} */ (
    h(
      'a',
      { class: 'button secondary small', id: 'events-filtered-csv', href: '' },
      'Export these events (CSV)',
    )
  );
  /** The filters as query parameters (shared by the page and its CSV export). */
  const filters = () => {
    const q = new URLSearchParams();
    if (type.value) q.set('type', type.value);
    if (venue.value.trim()) q.set('venue', venue.value.trim());
    if (from.value) q.set('from', from.value);
    if (to.value) q.set('to', to.value + 'T23:59');
    return q;
  };
  const exportLink = () => {
    const q = filters();
    q.set('format', 'csv');
    csv.href = `/api/backtests/${id}/events?${q}`;
  };
  exportLink();
  const load = async () => {
    const q = filters();
    q.set('offset', String(offset));
    q.set('limit', String(PAGE));
    exportLink();
    try {
      const page = await api(`/api/backtests/${id}/events?${q}`);
      if (alive()) {
        replace(message);
        show(page);
      }
    } catch (err) {
      replace(message, errorBox(/** @type {Error} */ (err).message));
    }
  };
  const refilter = () => {
    offset = 0;
    void load();
  };
  for (const el of [type, venue, from, to]) el.addEventListener('change', refilter);
  prev.addEventListener('click', () => {
    offset = Math.max(0, offset - PAGE);
    void load();
  });
  next.addEventListener('click', () => {
    offset += PAGE;
    void load();
  });
  show(first);
  return h(
    'div',
    { id: 'events' },
    h(
      'div',
      { class: 'row filters' },
      h('label', null, 'Type ', type),
      h('label', null, 'Venue ', venue),
      h('label', null, 'From ', from),
      h('label', null, 'To ', to),
      csv,
    ),
    message,
    h(
      'table',
      { class: 'events' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          h('th', null, 'time (UTC)'),
          h('th', null, 'type'),
          h('th', null, 'venue'),
          h('th', null, 'detail'),
        ),
      ),
      body,
    ),
    h('div', { class: 'row' }, prev, info, next),
  );
}

/** key=value pairs of an event, numbers shortened. @param {Record<string, unknown>} data */
function detail(data) {
  return Object.entries(data)
    .filter(([k]) => k !== 'venue')
    .map(
      ([k, v]) =>
        `${k}=${typeof v === 'number' ? Number(v.toPrecision(8)) : typeof v === 'object' ? JSON.stringify(v) : v}`,
    )
    .join('  ');
}
