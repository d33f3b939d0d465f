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

// Live updates: the server's event stream when it has one, else nothing (pages also poll).
export function events(onEvent) {
  if (!window.EventSource) return () => {};
  let source;
  try { source = new EventSource('/v1/events', { withCredentials: true }); } catch { return () => {}; }
  const handler = e => { let d = null; try { d = JSON.parse(e.data); } catch { d = e.data; } onEvent(e.type, d); };
  for (const t of ['job.finished', 'job.progress', 'job.updated', 'image.completed', 'image.approved', 'image.rejected', 'image.reserved', 'budget.threshold', 'alert.raised', 'message'])
    source.addEventListener(t, handler);
  source.onerror = () => { if (source.readyState === EventSource.CLOSED) source.close(); };
  return () => source.close();
}
