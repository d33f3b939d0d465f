// The plan: the next 7 days' slots, the history with each run's true state, and "run now".
import { get, post } from './api.js';
import { h, clear, flash, when, table } from './dom.js';
import { session } from './state.js';

export async function renderPlan(main) {
  const plan = await get('/v1/plan?days=7');
  const canRun = session.can('operator') && plan.enabled;
  const slotIDs = [...new Set(plan.upcoming.map(o => o.slot.id))];
  async function runNow(id) {
    try { const r = await post(`/v1/plan/slots/${encodeURIComponent(id)}/run`, {}); flash(`${id}: ${r.status || 'started'}`); renderPlan(main); } catch (e) { flash(e.message, true); }
  }
  clear(main, h('h1', null, 'Plan'),
    plan.enabled ? null : h('p', { class: 'muted' }, 'The plan is disabled (plan.enabled in the config): slots are shown, not run.'),
    canRun && slotIDs.length ? h('div', { class: 'toolbar' }, 'Run now: ', slotIDs.map(id => h('button', { type: 'button', class: 'run-now', onclick: () => runNow(id) }, id))) : null,
    h('h2', null, 'Next 7 days'),
    plan.upcoming.length ? table(['Slot', 'Day', 'Starts', 'Ends'], plan.upcoming.map(o => [o.slot.id, dateText(o.local_date ?? o.localDate), when(o.start), when(o.end)]))
      : h('p', { class: 'muted' }, 'Nothing planned.'),
    h('h2', null, 'History'),
    plan.history.length ? table(['Occurrence', 'Status', 'Trigger', 'Scheduled', 'Updated', 'Jobs', 'Detail'], plan.history.map(r => [
      r.occurrenceKey, r.status, r.trigger, when(r.scheduledStart), when(r.updatedAt), (r.jobIDs || []).length,
      r.lastError || r.skipReason || '']))
      : h('p', { class: 'muted' }, 'No slot has run yet.'));
}

function dateText(d) {
  if (!d) return '';
  if (typeof d === 'string') return d;
  return [d.year, String(d.month).padStart(2, '0'), String(d.day).padStart(2, '0')].join('-');
}
