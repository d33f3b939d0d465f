// The review gallery: thumbnails page by page (a cursor, never an offset), filters in the URL,
// multi-select with bulk actions, and a keyboard-first review loop:
//   arrows move · 1–5 rate · A approve · R reject (asks a reason) · Space large view ·
//   X select · Enter details · Esc closes.
import { get, query } from './api.js';
import { h, clear, flash, field, select } from './dom.js';
import { session, studioData, isAdult } from './state.js';
import { reviewState, ratingOf, reservationOf, rate, approve, reject, reviewMany, stars, rejectReason } from './review.js';
import { askReason } from './reason.js';

const FILTERS = ['category', 'tag', 'model', 'template', 'arm', 'since', 'min_rating', 'review', 'reserved', 'available'];
// The server filters these; template and experiment arm are matched here on the records' `extra`.
const SERVER_FILTERS = ['category', 'tag', 'model', 'since', 'min_rating', 'review', 'reserved', 'available'];
const PAGE = 60;

export async function renderGallery(main, { params }) {
  const studio = await studioData();
  const canReview = session.can('reviewer');
  const state = { records: [], focus: 0, selected: new Set(), cursor: null, done: false, revealed: new Set(), overlay: null, loading: false };
  const filters = Object.fromEntries(FILTERS.map(f => [f, params.get(f) || '']));

  const grid = h('div', { class: 'grid', id: 'gallery-grid', role: 'grid', dataset: { pending: '0' } });
  const status = h('span', { class: 'muted', id: 'gallery-status' });
  const more = h('button', { type: 'button', id: 'gallery-more', onclick: () => load() }, 'Load more');
  const bulk = h('div', { class: 'toolbar', id: 'bulk', hidden: !canReview },
    h('span', { id: 'selection-count' }, 'No selection'),
    h('button', { type: 'button', id: 'bulk-approve', onclick: () => bulkAction('approve') }, 'Approve'),
    h('button', { type: 'button', id: 'bulk-reject', class: 'danger', onclick: () => bulkAction('reject') }, 'Reject…'),
    [1, 2, 3, 4, 5].map(n => h('button', { type: 'button', class: 'bulk-rate', onclick: () => bulkAction('rate', n) }, stars(n).slice(0, n))),
    h('button', { type: 'button', onclick: () => { const was = indexesOf(state.selected); state.selected.clear(); paint(was); } }, 'Clear selection'));

  const form = h('form', { class: 'filters', id: 'gallery-filters' },
    field('Category', select('category', [['', 'any'], ...studio.categories], filters.category)),
    field('Tag', h('input', { name: 'tag', value: filters.tag, size: 10 })),
    field('Model', select('model', [['', 'any'], ...studio.models.map(m => m.name)], filters.model)),
    field('Template', select('template', [['', 'any'], ...studio.templates.map(t => t.name)], filters.template)),
    field('Experiment arm', h('input', { name: 'arm', value: filters.arm, size: 8 })),
    field('Since', h('input', { name: 'since', type: 'date', value: filters.since ? filters.since.slice(0, 10) : '' })),
    field('Min rating', select('min_rating', [['', 'any'], '1', '2', '3', '4', '5'], filters.min_rating)),
    field('Review', select('review', [['', 'any'], 'pending', 'approved', 'rejected', 'quarantined'], filters.review)),
    field('Reserved', select('reserved', [['', 'any'], ['true', 'reserved'], ['false', 'not reserved']], filters.reserved)),
    field('Publishing pool', select('available', [['', 'any'], ['true', 'available only']], filters.available)),
    h('button', { type: 'submit' }, 'Filter'));
  form.addEventListener('submit', e => {
    e.preventDefault();
    const data = new FormData(form);
    const q = {};
    for (const f of FILTERS) q[f] = data.get(f) || '';
    location.hash = '#/gallery' + query(q);
  });

  clear(main,
    h('h1', null, 'Review'),
    form,
    h('p', { class: 'muted' }, canReview
      ? 'Keys: ← → ↑ ↓ move · 1–5 rate · A approve · R reject · Space large view · X select · Enter details'
      : 'Keys: ← → ↑ ↓ move · Space large view · Enter details'),
    bulk, grid, h('div', { class: 'toolbar' }, more, status));

  function apiQuery() {
    const q = { limit: PAGE };
    for (const f of SERVER_FILTERS) if (filters[f]) q[f] = filters[f];
    if (q.since && /^\d{4}-\d{2}-\d{2}$/.test(q.since)) q.since += 'T00:00:00Z';
    if (state.cursor) q.cursor = state.cursor;
    return q;
  }

  const matchesLocal = rec => (!filters.template || (rec.extra || {}).template === filters.template)
    && (!filters.arm || (rec.extra || {}).arm === filters.arm);

  // Pages until one has something to show (template and arm are matched here, so a page can be empty).
  async function load() {
    if (state.loading || state.done) return;
    state.loading = true;
    try {
      for (let pages = 0; pages < 20; pages++) {
        const page = await get('/v1/images' + query(apiQuery()));
        let records = (page.images || []).filter(matchesLocal);
        // A user not marked adult never gets adult images; the server filters them, this is a second line.
        if (!session.adult) records = records.filter(r => !isAdult(r));
        const from = state.records.length;
        state.records.push(...records);
        state.cursor = page.next_cursor || null;
        state.done = !state.cursor;
        appendTiles(from);
        if (records.length || state.done) break;
      }
    } catch (e) {
      flash(e.message, true);
    } finally {
      state.loading = false;
    }
  }

  function tile(rec, i) {
    const adult = isAdult(rec);
    const hidden = adult && !state.revealed.has(rec.image_id);
    const img = h('img', { class: hidden ? 'thumb blurred' : 'thumb', loading: 'lazy', alt: rec.category + ' image',
      src: `/v1/images/${encodeURIComponent(rec.image_id)}/thumbnail`, width: 256, height: 256 });
    const review = reviewState(rec);
    const rating = ratingOf(rec);
    const t = h('div', {
      class: 'tile' + (i === state.focus ? ' focused' : '') + (state.selected.has(rec.image_id) ? ' selected' : ''),
      dataset: { id: rec.image_id, index: String(i), review }, role: 'gridcell', tabindex: -1,
    },
    img,
    hidden ? h('button', { type: 'button', class: 'reveal', onclick: e => { e.stopPropagation(); state.revealed.add(rec.image_id); paint([i]); } }, 'Reveal') : null,
    h('div', { class: 'meta' }, h('span', { class: 'badge ' + review }, review), reservationOf(rec) ? h('span', { class: 'badge reserved' }, 'reserved') : null,
      h('span', { class: 'stars' }, stars(rating))),
    h('div', { class: 'meta' }, rec.category, ' · ', rec.model),
    h('div', { class: 'meta', title: rec.tags.join(', ') }, rec.tags.join(', ')));
    t.addEventListener('click', e => {
      const before = state.focus;
      if (e.ctrlKey || e.metaKey || e.shiftKey) toggle(rec.image_id);
      state.focus = i;
      paint([before, i]);
    });
    t.addEventListener('dblclick', () => { location.hash = '#/image/' + encodeURIComponent(rec.image_id); });
    return t;
  }

  function appendTiles(from) {
    if (from === 0) grid.replaceChildren();
    for (let i = from; i < state.records.length; i++) grid.append(tile(state.records[i], i));
    if (!state.records.length) grid.append(h('p', { class: 'muted' }, 'No images match.'));
    paintStatus();
  }

  // Redraws the tiles that changed (never the whole grid: a review session has thousands).
  function paint(indexes) {
    const list = indexes || [state.focus];
    for (const i of new Set(list)) {
      const old = grid.querySelector(`.tile[data-index="${i}"]`);
      if (old && state.records[i]) old.replaceWith(tile(state.records[i], i));
    }
    for (const t of grid.querySelectorAll('.tile.focused')) if (Number(t.dataset.index) !== state.focus) t.classList.remove('focused');
    const f = grid.querySelector(`.tile[data-index="${state.focus}"]`);
    if (f) { f.classList.add('focused'); f.scrollIntoView({ block: 'nearest' }); }
    paintStatus();
    if (state.overlay) showOverlay();
  }

  function paintStatus() {
    more.hidden = state.done;
    status.textContent = `${state.records.length} image(s)` + (state.done ? '' : ', more below');
    const n = state.selected.size;
    document.getElementById('selection-count').textContent = n ? `${n} selected` : 'No selection';
  }

  function indexesOf(ids) {
    const out = [];
    state.records.forEach((r, i) => { if (ids.has(r.image_id)) out.push(i); });
    return out;
  }

  function toggle(id) {
    if (state.selected.has(id)) state.selected.delete(id); else state.selected.add(id);
  }

  function columns() {
    const tiles = grid.querySelectorAll('.tile');
    if (tiles.length < 2) return 1;
    const top = tiles[0].offsetTop;
    let n = 0;
    for (const t of tiles) { if (t.offsetTop !== top) break; n++; }
    return Math.max(1, n);
  }

  function move(delta) {
    const next = Math.max(0, Math.min(state.records.length - 1, state.focus + delta));
    state.focus = next;
    if (!state.done && next >= state.records.length - columns()) load();
    paint([]);
  }

  const focused = () => state.records[state.focus];
  const targets = () => state.selected.size ? state.records.filter(r => state.selected.has(r.image_id)) : (focused() ? [focused()] : []);

  async function act(kind, value) {
    const recs = targets();
    if (!recs.length) return;
    let reason = '';
    if (kind === 'reject') {
      reason = await askReason(recs.length);
      if (reason === null) return;
    }
    let ok = 0;
    if (recs.length > 1 && kind !== 'rate') {
      try { await reviewMany(recs, kind, reason); ok = recs.length; } catch (e) { flash(e.message, true); }
    } else for (const rec of recs) {
      try {
        if (kind === 'rate') await rate(rec, value);
        else if (kind === 'approve') await approve(rec);
        else if (kind === 'reject') await reject(rec, reason);
        ok++;
      } catch (e) {
        flash(`${rec.image_id}: ${e.message}`, true);
      }
    }
    if (ok) flash(`${kind === 'rate' ? 'rated ' + value : kind + 'd'}: ${ok} image(s)`);
    const wasBulk = state.selected.size > 0;
    const changed = indexesOf(new Set(recs.map(r => r.image_id)));
    if (wasBulk) state.selected.clear();
    paint(changed);
    // A decision moves on to the next image; a rating stays so the same image can be approved.
    if (!wasBulk && ok && (kind === 'approve' || kind === 'reject')) move(1);
  }

  function bulkAction(kind, value) { act(kind, value); }

  function showOverlay() {
    const rec = focused();
    if (!rec) { closeOverlay(); return; }
    const adult = isAdult(rec) && !state.revealed.has(rec.image_id);
    const view = h('div', { class: 'overlay', id: 'large-view' },
      h('img', { class: adult ? 'blurred' : '', alt: rec.category + ' image', src: `/v1/images/${encodeURIComponent(rec.image_id)}/file` }),
      h('p', null, rec.image_id, ' · ', reviewState(rec), ' ', stars(ratingOf(rec)), rejectReason(rec) ? ' · ' + rejectReason(rec) : ''),
      h('p', { class: 'muted' }, 'Space or Esc closes'));
    view.addEventListener('click', closeOverlay);
    if (state.overlay) state.overlay.replaceWith(view); else document.body.append(view);
    state.overlay = view;
  }

  function closeOverlay() {
    if (state.overlay) state.overlay.remove();
    state.overlay = null;
  }

  // Keys are handled one after another: a fast reviewer's "4 A 5 A" must rate and decide the
  // images in that order, though each action waits for the server.
  let queue = Promise.resolve();
  let pending = 0;
  const later = fn => {
    grid.dataset.pending = String(++pending);
    queue = queue.then(fn).catch(e => flash(e.message, true)).finally(() => { grid.dataset.pending = String(--pending); });
  };

  function onKey(e) {
    // Keys typed into a control, or Enter/Space on a focused link or button, are the control's.
    if (e.target.closest && e.target.closest('input, textarea, select, dialog, a[href], button')) return;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const k = e.key;
    let handled = true;
    if (k === 'ArrowRight') later(() => move(1));
    else if (k === 'ArrowLeft') later(() => move(-1));
    else if (k === 'ArrowDown') later(() => move(columns()));
    else if (k === 'ArrowUp') later(() => move(-columns()));
    else if (k === ' ') later(() => { if (state.overlay) closeOverlay(); else showOverlay(); });
    else if (k === 'Escape') closeOverlay();
    else if (k === 'Enter') later(() => { if (focused()) location.hash = '#/image/' + encodeURIComponent(focused().image_id); });
    else if (canReview && k >= '1' && k <= '5') later(() => act('rate', Number(k)));
    else if (canReview && (k === 'a' || k === 'A')) later(() => act('approve'));
    else if (canReview && (k === 'r' || k === 'R')) later(() => act('reject'));
    else if (canReview && (k === 'x' || k === 'X')) later(() => { if (focused()) { toggle(focused().image_id); paint(); } });
    else handled = false;
    if (handled) e.preventDefault();
  }

  document.addEventListener('keydown', onKey);
  await load();
  return () => { document.removeEventListener('keydown', onKey); closeOverlay(); };
}
