// One namespace's memories in the chosen order and time range, a page at a time, with bulk
// delete and export; or, with at / since in the address, its past (as-of.js).

import { api, q } from '../lib/api.js';
import { fill, h, plural, shortId } from '../lib/dom.js';
import { notify } from '../lib/messages.js';
import { filtered, orderFields, readTime, timeControls, timeFields, timeParams }
  from '../lib/time-filter.js';
import { isPast, pastForm, readPast, renderPast } from './as-of.js';
import { countText, memoryList, pager } from './cards.js';
import { confirmDialog } from './confirm.js';
import { exportPrefix } from './download.js';
import { markCurrent, refreshTree } from './tree.js';

const PAGE = 20;

export async function renderNamespace(view, [dotted], params) {
  const page = Math.max(1, Number(params.get('page')) || 1);
  const time = readTime(params);
  const past = readPast(params);
  if (isPast(past)) {
    markCurrent(dotted);
    return renderPast(view, dotted, past, page);
  }
  const counts = await api('GET', `v1/stats/namespaces?prefix=${q(dotted)}&limit=10000`);
  const own = counts.namespaces.find((n) => n.namespace.join('.') === dotted)?.memories ?? 0;
  const below = counts.namespaces.reduce((sum, n) => sum + n.memories, 0) - own;
  const { items, hasNext } = await listPage(dotted, page, time);
  markCurrent(dotted);

  const selected = new Set();
  const bulk = h('button', { type: 'button', class: 'danger', disabled: true,
    onclick: () => removeSelected(view, dotted, [...selected]) }, 'Delete selected (0)');
  const update = () => {
    bulk.textContent = `Delete selected (${selected.size})`;
    bulk.disabled = selected.size === 0;
  };
  const boxes = [];
  const select = (memory) => {
    const box = h('input', { type: 'checkbox', 'aria-label': `Select ${shortId(memory.key)}`,
      onchange: () => { box.checked ? selected.add(memory.key) : selected.delete(memory.key); update(); } });
    boxes.push(box);
    return box;
  };
  const all = h('input', { type: 'checkbox', id: 'select-all', onchange: () => {
    for (const box of boxes) box.checked = all.checked;
    items.forEach((m) => (all.checked ? selected.add(m.key) : selected.delete(m.key)));
    update();
  } });

  fill(view,
    h('h2', {}, 'Namespace ', h('code', {}, dotted)),
    h('p', { class: 'meta' }, `${countText(own)} here`,
      below ? `, ${countText(below)} in the namespaces below` : '',
      own > PAGE && !filtered(time) ? ` · ${plural(Math.ceil(own / PAGE), 'page')}` : ''),
    h('div', { class: 'actions' },
      h('a', { href: `#/new?ns=${q(dotted)}` }, 'New memory here'),
      h('a', { href: `#/search?prefix=${q(dotted)}` }, 'Search under this namespace'),
      h('a', { href: `#/jobs?namespace=${q(dotted)}` }, 'Extraction jobs here'),
      h('button', { type: 'button', class: 'secondary', onclick: () => exportPrefix(dotted) },
        'Export (JSON Lines)')),
    own > 0 && timeForm(dotted, time),
    pastForm(dotted, past),
    items.length > 0 && h('div', { class: 'actions selector' },
      all, h('label', { for: 'select-all' }, 'Select all on this page'), bulk),
    items.length ? memoryList(items, { select })
      : h('p', {}, page > 1 ? 'No more memories.'
        : filtered(time) ? 'No memories of this namespace in that time range.'
          : 'No memories directly in this namespace; the tree shows the ones below it.'),
    pager(page, hasNext, (p) => address(dotted, time, p),
      filtered(time) ? null : Math.max(1, Math.ceil(own / PAGE))));
}

// One more than a page: whether a next page exists.
async function listPage(dotted, page, time) {
  const params = new URLSearchParams({ namespace: dotted, limit: String(PAGE + 1),
    offset: String((page - 1) * PAGE), ...timeFields(time), ...orderFields(time) });
  const data = await api('GET', `v1/memories?${params}`);
  return { items: data.items.slice(0, PAGE), hasNext: data.items.length > PAGE };
}

const address = (dotted, time, page) => {
  const params = new URLSearchParams({ ...timeParams(time), ...(page > 1 && { page }) });
  const text = params.toString();
  return `#/ns/${q(dotted)}${text ? `?${text}` : ''}`;
};

// The order applies at once; the time range on Apply. Folded while unused, so the keyboard
// reaches the first memory in a few Tabs.
function timeForm(dotted, time) {
  const go = () => { location.hash = address(dotted, controls.read(), 1); };
  const controls = timeControls(time, null, go);
  const used = filtered(time) || time.sort !== 'newest';
  return h('details', { class: 'time-filter', open: used },
    h('summary', {}, 'Time filter and order'),
    h('form', { class: 'time-form', onsubmit: (e) => { e.preventDefault(); go(); } },
      controls.fields, h('div', { class: 'actions' },
        h('button', { type: 'submit', class: 'secondary' }, 'Apply'),
        filtered(time) && h('a', { href: address(dotted, { ...time, from: '', to: '' }, 1) },
          'Clear the time filter'))));
}

// One confirmation for all of them; each is deleted on its own (history keeps every version).
async function removeSelected(view, dotted, keys) {
  const what = plural(keys.length, 'memory', 'memories');
  if (!await confirmDialog(`Delete ${what}?`, `They leave ${dotted} and every search. Their `
    + 'history stays, so each can be restored.', `Delete ${what}`)) return;
  let done = 0;
  try {
    for (const key of keys) {
      await api('DELETE', `v1/memories/${q(key)}?namespace=${q(dotted)}`);
      done += 1;
    }
  } finally {
    refreshTree();
    notify(`Deleted ${plural(done, 'memory', 'memories')} of ${keys.length}.`);
  }
  await renderNamespace(view, [dotted], new URLSearchParams(location.hash.split('?')[1] ?? ''));
}
