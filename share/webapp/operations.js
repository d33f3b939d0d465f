// Operations: alerts, plugins and their circuits, and the upload queue.
import { get } from './api.js';
import { h, clear, when, table } from './dom.js';

export async function renderOperations(main) {
  const [alerts, health, plugins, uploads] = await Promise.all([
    get('/v1/alerts').catch(e => ({ error: e.message, alerts: [] })), get('/v1/health'), get('/v1/plugins'),
    get('/v1/uploads').catch(e => ({ error: e.message })),
  ]);
  const candidates = (health.candidates || []).map(c => [(c.models || []).join(', '), c.plugin, c.provider_model, c.state,
    c.consecutive_failures ?? '', when(c.retry_at), c.last_error || '']);
  const s = uploads.summary;
  clear(main, h('h1', null, 'Operations'),
    h('p', null, 'Status: ', h('strong', { id: 'health-status' }, health.status)),
    h('h2', null, 'Alerts'),
    alerts.alerts.length ? table(['Rule', 'Subject', 'Severity', 'Since', 'Ended', 'Message'], alerts.alerts.map(a => [
      a.rule, a.subject, a.severity, when(a.startedAt), a.endedAt ? when(a.endedAt) : 'active', a.message]))
      : h('p', { class: 'muted' }, alerts.error || 'No alerts.'),
    h('h2', null, 'Circuits'),
    candidates.length ? table(['Model', 'Plugin', 'Provider model', 'Circuit', 'Failures', 'Retry at', 'Last error'], candidates) : h('p', { class: 'muted' }, 'No models.'),
    h('h2', null, 'Plugins'),
    table(['File', 'Status', 'Plugin', 'Version', 'Generation', 'Error'], (plugins.plugins || []).map(p => [p.file, p.status, p.id ?? '', p.version ?? '', p.generation ?? '', p.error ?? ''])),
    h('h2', null, 'Uploads'),
    !uploads.configured ? h('p', { class: 'muted' }, uploads.error || 'No cloud storage is configured.')
      : h('pre', { class: 'prompt', id: 'upload-status' }, JSON.stringify(s, null, 2)));
}
