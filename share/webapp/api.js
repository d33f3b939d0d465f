// The one door to the server: JSON in and out, the CSRF token on every state-changing call
// (the session cookie is HttpOnly, so scripts never see it), errors as exceptions with the
// server's message.
let csrfToken = null;
export function setCsrf(token) { csrfToken = token || null; }

export class ApiError extends Error {
  constructor(status, code, message) { super(message); this.status = status; this.code = code; }
}

export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let response;
  try {
    response = await fetch(path, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    throw new ApiError(0, 'network', `the server did not answer (${e.message}); is imagegen serve running?`);
  }
  const text = await response.text();
  let data = null;
  if (text) { try { data = JSON.parse(text); } catch { data = { text }; } }
  if (!response.ok) {
    const err = data && data.error;
    throw new ApiError(response.status, err ? err.code : 'http_' + response.status, err ? err.message : `${method} ${path} answered ${response.status}`);
  }
  return data;
}

export const get = path => api('GET', path);
export const post = (path, body) => api('POST', path, body === undefined ? {} : body);
export const del = path => api('DELETE', path);

export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? '?' + s : '';
}

// Live updates: the server's held-open event stream (`GET /v1/events` through EventSource, which
// resumes with Last-Event-ID by itself). `poll` runs once when the stream opens (to catch up with
// what happened before) and every `interval` ms only while the stream is not open: no
// EventSource, the server refused it, or it is reconnecting. `status()` says which is in use.
const EVENT_TYPES = ['job.queued', 'job.finished', 'job.cancel_requested', 'image.stored', 'image.reviewed',
  'image.reserved', 'image.released', 'reset'];

export function live({ onEvent, poll, interval }) {
  let timer = 0, source = null, closed = false, state = 'polling';
  const mark = s => { state = s; document.body.dataset.live = s; };
  const startPolling = () => { mark('polling'); if (!timer && !closed) timer = setInterval(poll, interval); };
  const stopPolling = () => { clearInterval(timer); timer = 0; };
  const close = () => { closed = true; stopPolling(); if (source) source.close(); delete document.body.dataset.live; };
  if (window.EventSource) { try { source = new EventSource('/v1/events'); } catch { source = null; } }
  if (!source) { startPolling(); return { close, status: () => state }; }
  source.onopen = () => { if (closed) return; stopPolling(); mark('stream'); poll(); };
  source.onerror = () => { if (!closed) startPolling(); };
  const handler = e => {
    if (closed) return;
    let d = null;
    try { d = JSON.parse(e.data); } catch { d = null; }
    onEvent(e.type, d && d.data ? d.data : {});
  };
  for (const t of EVENT_TYPES) source.addEventListener(t, handler);
  startPolling();
  return { close, status: () => state };
}
