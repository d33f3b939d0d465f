// The queue: jobs by state, refreshed live (on each job event of the server's stream; every 2 s
// only while the stream is not open), with cancel.
import { get, del, query, live } from './api.js';
import { h, clear, flash, money, when, table, select, field } from './dom.js';
import { session } from './state.js';

const STATES = ['', 'queued', 'submitting', 'submitted', 'running', 'succeeded', 'failed', 'cancelled', 'content_filtered'];
const CANCELLABLE = new Set(['queued', 'submitting', 'submitted', 'running']);

export async function renderQueue(main, { params }) {
  const state = select('state', STATES.map(s => [s, s || 'any']), params.get('state') || '');
  const batch = params.get('batch') || '';
  const body = h('div', { id: 'queue-jobs' });
  const counts = h('div', { class: 'cards', id: 'queue-counts' });
  const canCancel = session.can('operator');
  state.addEventListener('change', () => { location.hash = '#/queue' + query({ state: state.value, batch }); });

  async function refresh() {
    try {
      const [list, ...byState] = await Promise.all([
        get('/v1/jobs' + query({ state: state.value, batch, limit: 200 })),
        ...['queued', 'running', 'submitted'].map(s => get('/v1/jobs' + query({ state: s, limit: 1000 })).then(r => [s, r.jobs.length])),
      ]);
      clear(counts, byState.map(([s, n]) => h('div', { class: 'card' }, h('strong', null, n), ' ', s)));
      clear(body, list.jobs.length ? table(['Job', 'State', 'Model', 'Plugin', 'Progress', 'Cost', 'Created', 'Error', ''], list.jobs.map(j => [
        j.id, j.state, j.model || '', j.plugin || '', j.progress != null ? Math.round(j.progress * 100) + '%' : '',
        money(j.cost_usd), when(j.created_at), j.error_message || '',
        canCancel && CANCELLABLE.has(j.state) ? h('button', { type: 'button', class: 'danger cancel-job', dataset: { id: j.id }, onclick: () => cancel(j.id) }, 'Cancel') : '',
      ])) : h('p', { class: 'muted' }, 'No jobs.'));
    } catch (e) { flash(e.message, true); }
  }

  async function cancel(id) {
    try { await del('/v1/jobs/' + encodeURIComponent(id)); flash('cancelled ' + id); } catch (e) { flash(e.message, true); }
    refresh();
  }

  clear(main, h('h1', null, 'Queue'), batch ? h('p', null, 'Batch ', batch, ' · ', h('a', { href: '#/queue' }, 'all jobs')) : null,
    h('form', { class: 'filters' }, field('State', state)), counts, body);
  await refresh();
  // A burst of events (a batch of 16 finishing) makes one refresh, not sixteen.
  let pending = 0;
  const soon = () => { if (!pending) pending = setTimeout(() => { pending = 0; refresh(); }, 200); };
  const feed = live({ poll: refresh, interval: 2000, onEvent: type => { if (type.startsWith('job.') || type === 'reset') soon(); } });
  return () => { clearTimeout(pending); feed.close(); };
}
