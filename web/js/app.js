// @ts-check
/** The single-page UI: hash routes #/new, #/runs, #/runs/<id>, #/compare?ids=a,b, #/sweeps, #/sweeps/<id>. */
import { api, h, replace, errorBox } from './dom.js';
import { renderLaunch } from './launch.js';
import { renderHistory } from './history.js';
import { renderResults } from './results.js';
import { renderCompare } from './compare.js';
import { renderSweeps, renderSweep } from './sweeps.js';

const view = /** @type {HTMLElement} */ (document.getElementById('view'));
/** Incremented on every navigation so a slow view stops updating once the user has moved on. */
let generation = 0;

function route() {
  const gen = ++generation;
  const alive = () => gen === generation;
  const hash = location.hash || '#/new';
  const [path, query] = hash.slice(1).split('?');
  const params = new URLSearchParams(query || '');
  const parts = path.split('/').filter(Boolean);
  for (const a of document.querySelectorAll('[data-nav]')) {
    a.classList.toggle('active', a.getAttribute('data-nav') === (parts[0] || 'new'));
  }
  replace(view, h('p', { class: 'muted' }, 'Loading…'));
  /** @type {Promise<void>} */
  let p;
  if (parts[0] === 'runs' && parts[1]) p = renderResults(view, parts[1], alive);
  else if (parts[0] === 'runs') p = renderHistory(view, params, alive);
  else if (parts[0] === 'compare') p = renderCompare(view, params, alive);
  else if (parts[0] === 'sweeps' && parts[1]) p = renderSweep(view, parts[1], alive);
  else if (parts[0] === 'sweeps') p = renderSweeps(view, alive);
  else p = renderLaunch(view, alive);
  p.catch((err) => {
    if (alive()) replace(view, errorBox(err instanceof Error ? err.message : String(err)));
  });
}

async function header() {
  const health = await api('/api/health');
  const badge = /** @type {HTMLElement} */ (document.getElementById('data-badge'));
  badge.textContent = health.data.synthetic ? 'Data: SYNTHETIC sample' : 'Data: ' + health.data.dir;
  badge.className = health.data.synthetic ? 'badge synthetic' : 'badge real';
  badge.title = `results store: ${health.store.kind} (${health.store.location})`;
  if (health.auth_required) {
    const box = /** @type {HTMLElement} */ (document.getElementById('token-box'));
    const input = /** @type {HTMLInputElement} */ (document.getElementById('token'));
    box.hidden = false;
    input.value = sessionStorage.getItem('basis-token') || '';
    input.addEventListener('change', () => sessionStorage.setItem('basis-token', input.value));
  }
}

window.addEventListener('hashchange', route);
header().catch(() => undefined);
route();
