// One namespace's memories, newest or oldest first, a page at a time, with bulk delete and
// export.

import { api, q } from '../lib/api.js';
import { field, fill, h, plural, shortId } from '../lib/dom.js';
import { notify } from '../lib/messages.js';
import { countText, memoryList, pager } from './cards.js';
import { confirmDialog } from './confirm.js';
import { exportPrefix } from './download.js';
import { markCurrent, refreshTree } from './tree.js';

const PAGE = 20;

export async function renderNamespace(view, [dotted], params) {
  const page = Math.max(1, Number(params.get('page')) || 1);
  const oldest = params.get('sort') === 'oldest';
  const counts = await api('GET', `v1/stats/namespaces?prefix=${q(dotted)}&limit=10000`);
  const own = counts.namespaces.find((n) => n.namespace.join('.') === dotted)?.memories ?? 0;
  const below = counts.namespaces.reduce((sum, n) => sum + n.memories, 0) - own;
  const { items, hasNext } = await listPage(dotted, page, oldest, own);
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
      own > PAGE ? ` · ${plural(Math.ceil(own / PAGE), 'page')}` : ''),
    h('div', { class: 'actions' },
      h('a', { href: `#/new?ns=${q(dotted)}` }, 'New memory here'),
      h('a', { href: `#/search?prefix=${q(dotted)}` }, 'Search under this namespace'),
      h('a', { href: `#/jobs?namespace=${q(dotted)}` }, 'Extraction jobs here'),
      h('button', { type: 'button', class: 'secondary', onclick: () => exportPrefix(dotted) },
        'Export (JSON Lines)')),
    own > 1 && orderSelect(dotted, oldest),
    items.length > 0 && h('div', { class: 'actions selector' },
      all, h('label', { for: 'select-all' }, 'Select all on this page'), bulk),
    items.length ? memoryList(items, { select })
      : h('p', {}, page > 1 ? 'No more memories.'
        : 'No memories directly in this namespace; the tree shows the ones below it.'),
    pager(page, hasNext, (p) => `#/ns/${q(dotted)}?page=${p}${oldest ? '&sort=oldest' : ''}`,
      Math.max(1, Math.ceil(own / PAGE))));
}

// The API lists newest first: oldest first is the same list read from its end, by count.
async function listPage(dotted, page, oldest, own) {
  const where = `v1/memories?namespace=${q(dotted)}`;
  if (!oldest) { // one more than a page: whether a next page exists
    const data = await api('GET', `${where}&limit=${PAGE + 1}&offset=${(page - 1) * PAGE}`);
    return { items: data.items.slice(0, PAGE), hasNext: data.items.length > PAGE };
  }
  const offset = Math.max(0, own - page * PAGE);
  const limit = own - (page - 1) * PAGE - offset;
  if (limit <= 0) return { items: [], hasNext: false };
  const data = await api('GET', `${where}&limit=${limit}&offset=${offset}`);
  return { items: data.items.reverse(), hasNext: offset > 0 };
}

function orderSelect(dotted, oldest) {
  const order = h('select', { name: 'sort', value: oldest ? 'oldest' : 'newest',
    onchange: () => {
      location.hash = `#/ns/${q(dotted)}${order.value === 'oldest' ? '?sort=oldest' : ''}`;
    } },
  h('option', { value: 'newest' }, 'Newest first'), h('option', { value: 'oldest' }, 'Oldest first'));
  return field('Order', order);
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
