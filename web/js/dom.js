// @ts-check
/** Small DOM and API helpers for the UI modules. */

/**
 * Creates an element: h('a', {href: '#/runs', class: 'x'}, 'text', child).
 * @param {string} tag
 * @param {Record<string, any> | null} [attrs]
 * @param {...(Node | string | number | null | undefined | false)} children
 * @returns {HTMLElement}
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = String(v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

/** @param {HTMLElement} el @param {...(Node | string)} children */
export function replace(el, ...children) {
  el.replaceChildren(...children);
  return el;
}

/** The API token typed into the header box, if any. */
function token() {
  return sessionStorage.getItem('basis-token') || '';
}

/**
 * Calls the API; resolves with the parsed JSON, rejects with an Error carrying the server's one-line message.
 * @param {string} path
 * @param {{method?: string, body?: unknown}} [opts]
 */
export async function api(path, opts = {}) {
  /** @type {Record<string, string>} */
  const headers = {};
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (token()) headers.authorization = `Bearer ${token()}`;
  const res = await fetch(path, {
    method: opts.method || 'GET',
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  if (res.status === 204) return null;
  const data = await res.json().catch(() => ({ error: `${res.status} ${res.statusText}` }));
  if (!res.ok)
    throw Object.assign(new Error(data.error || `${res.status} ${res.statusText}`), {
      status: res.status,
      data,
    });
  return data;
}

/** Number formats shared with the charts and the report. */
export const fmt = /** @type {any} */ (window).BasisCharts.format;

/** @param {string} message */
export function errorBox(message) {
  return h('div', { class: 'error', role: 'alert' }, message);
}

/** A SYNTHETIC label for runs on the generated sample. @param {boolean | null | undefined} synthetic */
export function dataLabel(synthetic) {
  if (synthetic === null || synthetic === undefined) return h('span', { class: 'muted' }, '—');
  return synthetic
    ? h(
        'span',
        {
          class: 'badge synthetic',
          title: 'generated synthetic sample: illustrates the engine, not market history',
        },
        'SYNTHETIC',
      )
    : h('span', { class: 'badge real' }, 'real data');
}
