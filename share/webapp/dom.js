// Building the page without ever parsing data as HTML: every string goes in as a text node or
// an attribute value, so a prompt, tag or name containing markup stays text.
export function h(tag, attrs, ...children) {
  const svg = tag.startsWith('svg:');
  const el = svg ? document.createElementNS('http://www.w3.org/2000/svg', tag.slice(4)) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') el.setAttribute('class', v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'value' && !svg) el.value = v;
    else if (k === 'checked' || k === 'selected' || k === 'disabled' || k === 'hidden') el[k] = Boolean(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let flashTimer = 0;
export function flash(message, isError) {
  const box = document.getElementById('flash');
  const msg = h('div', { class: isError ? 'msg error' : 'msg' }, message);
  box.append(msg);
  clearTimeout(flashTimer);
  setTimeout(() => msg.remove(), isError ? 8000 : 3000);
}

export function money(v) {
  if (v === null || v === undefined) return 'unknown';
  // Cents, and tenths of cents where a price has them ($0.02, $0.0035, $12.50).
  return '$' + Number(v).toFixed(4).replace(/0{1,2}$/, '');
}

export function when(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return isNaN(d) ? String(iso) : d.toLocaleString();
}

export function table(headers, rows) {
  return h('table', null,
    h('thead', null, h('tr', null, headers.map(x => h('th', null, x)))),
    h('tbody', null, rows.map(r => h('tr', null, r.map(c => c instanceof Node ? h('td', null, c) : h('td', null, c ?? ''))))));
}

// A labelled form field.
export function field(label, control) {
  return h('label', { class: 'field' }, label, control);
}

export function select(name, options, current) {
  return h('select', { name }, options.map(o => {
    const [value, text] = Array.isArray(o) ? o : [o, o];
    return h('option', { value, selected: value === current }, text);
  }));
}
