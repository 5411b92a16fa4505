// Build elements from data with textContent only: memory text can never inject markup.

import { clearError, showError } from './messages.js';

let ids = 0;

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  let value;
  for (const [name, v] of Object.entries(attrs ?? {})) {
    if (v == null || v === false) continue;
    if (name === 'value') value = v; // set after the children (a select needs its options)
    else if (name.startsWith('on')) el.addEventListener(name.slice(2), guarded(v));
    else if (name === 'class') el.className = v;
    else el.setAttribute(name, v === true ? '' : v);
  }
  append(el, children);
  if (value !== undefined) el.value = value;
  return el;
}

// A handler's failure (an API error, bad JSON typed in a form) shows in the page.
function guarded(handler) {
  return (event) => {
    if (event.type === 'submit') clearError(); // a new attempt: the last one's error is stale
    try {
      Promise.resolve(handler(event)).catch(showError);
    } catch (e) {
      showError(e);
    }
  };
}

// replaceChildren for views: skips null/false, so `cond && h(...)` never prints "null".
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child == null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

// A labelled form control: <div class=field><label for=id>…</label>control<hint></div>.
export function field(label, control, hint) {
  control.id ||= `f${++ids}`;
  const hintEl = hint && h('span', { class: 'hint', id: `${control.id}-hint` }, hint);
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control, hintEl);
}

// A radio group in a fieldset with a legend: the search mode switch, "now or debounced".
export function radios(legend, name, options, checked) {
  return h('fieldset', {},
    h('legend', {}, legend),
    options.map(([value, text]) => {
      const input = h('input', { type: 'radio', name, value, checked: value === checked });
      input.id = `f${++ids}`;
      return [input, h('label', { for: input.id }, text)];
    }));
}

// A UUID reads as its first 8 characters (the whole one in the tooltip); other ids as they are.
export function shortId(id) {
  const text = String(id);
  return /^[0-9a-f]{8}-[0-9a-f]{4}-/i.test(text) ? `${text.slice(0, 8)}…` : text;
}

export const plural = (n, one, many = `${one}s`) => `${n.toLocaleString('en')} ${n === 1 ? one : many}`;

export function time(iso) {
  if (!iso) return '—';
  return h('time', { datetime: iso, title: iso }, new Date(iso).toLocaleString());
}
