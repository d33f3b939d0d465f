// The studio's shell: who is logged in, the navigation, and the hash router (#/page/arg?query).
import { api, get, setCsrf, ApiError } from './api.js';
import { h, clear, flash } from './dom.js';
import { session, studioData, resetStudio } from './state.js';
import { renderLogin } from './login.js';
import { renderGallery } from './gallery.js';
import { renderDetail } from './detail.js';
import { renderGenerate } from './generate.js';
import { renderQueue } from './queue.js';
import { renderMoney } from './money.js';
import { renderExperiments } from './experiments.js';
import { renderPlan } from './plan.js';
import { renderOperations } from './operations.js';

const pages = {
  gallery: renderGallery, image: renderDetail, generate: renderGenerate, queue: renderQueue,
  money: renderMoney, experiments: renderExperiments, plan: renderPlan, operations: renderOperations,
};

let cleanup = null;

async function loadSession() {
  try {
    // A person (kind "user"), or a machine: a loopback caller of a server without tokens acts
    // as the operator did before accounts existed (no cookie, no CSRF token, nothing to log out of).
    const s = await get('/v1/session');
    session.user = { name: s.user ? s.user.name : s.principal, role: s.role, adult: Boolean(s.adult_verified), local: s.kind !== 'user' };
    setCsrf(s.csrf_token || null);
    return true;
  } catch (e) {
    if (e.status === 404 || e.status === 405) {
      // A server without accounts: the loopback caller is the operator.
      session.user = { name: 'local', role: 'admin', adult: true, local: true };
      return true;
    }
    if (e.status === 401 || e.status === 403) { session.user = null; return false; }
    throw e;
  }
}

function parseHash() {
  const hash = location.hash.replace(/^#\/?/, '');
  const [path, q] = hash.split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  return { page: parts[0] || 'gallery', arg: parts[1], params: new URLSearchParams(q || '') };
}

function renderChrome() {
  const who = document.getElementById('who');
  const logout = document.getElementById('logout');
  if (session.user) {
    clear(who, session.user.name, ' · ', session.user.role);
    logout.hidden = Boolean(session.user.local);
  } else {
    clear(who);
    logout.hidden = true;
  }
  document.getElementById('nav').hidden = !session.user;
  for (const a of document.querySelectorAll('#nav a')) {
    a.hidden = Boolean(a.dataset.role) && !session.can(a.dataset.role);
  }
}

export async function route() {
  if (cleanup) { try { cleanup(); } catch { /* a page's cleanup failing must not stop navigation */ } cleanup = null; }
  const main = document.getElementById('main');
  renderChrome();
  if (!session.user) { renderLogin(main, onLogin); return; }
  const { page, arg, params } = parseHash();
  for (const a of document.querySelectorAll('#nav a')) a.classList.toggle('active', a.dataset.page === page);
  const render = pages[page];
  if (!render) { clear(main, h('h1', null, 'Not found'), h('p', null, 'No page ', page, '. ', h('a', { href: '#/gallery' }, 'Back to the gallery'))); return; }
  try {
    await studioData();
    cleanup = (await render(main, { arg, params, session })) || null;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) { session.user = null; route(); return; }
    clear(main, h('h1', null, 'Something went wrong'), h('p', { class: 'warn' }, e.message));
  }
}

async function onLogin() {
  resetStudio();
  await loadSession();
  route();
}

async function start() {
  document.getElementById('logout').addEventListener('click', async () => {
    try { await api('DELETE', '/v1/session'); } catch (e) { flash(e.message, true); }
    session.user = null; setCsrf(null); resetStudio();
    route();
  });
  window.addEventListener('hashchange', route);
  try { await loadSession(); } catch (e) { flash(e.message, true); }
  route();
}

start();
