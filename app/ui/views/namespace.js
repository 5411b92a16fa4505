// One namespace's memories, newest first, a page at a time.

import { api, q } from '../lib/api.js';
import { h } from '../lib/dom.js';
import { memoryList, pager } from './cards.js';
import { markCurrent } from './tree.js';

const PAGE = 20;

export async function renderNamespace(view, [dotted], params) {
  const page = Math.max(1, Number(params.get('page')) || 1);
  // One more than a page: whether a next page exists without counting.
  const data = await api('GET',
    `v1/memories?namespace=${q(dotted)}&limit=${PAGE + 1}&offset=${(page - 1) * PAGE}`);
  const items = data.items.slice(0, PAGE);
  markCurrent(dotted);
  view.replaceChildren(
    h('h2', {}, 'Namespace ', h('code', {}, dotted)),
    h('p', { class: 'actions' },
      h('a', { href: `#/new?ns=${q(dotted)}` }, 'New memory here'),
      h('a', { href: `#/search?prefix=${q(dotted)}` }, 'Search under this namespace')),
    items.length ? memoryList(items)
      : h('p', {}, page > 1 ? 'No more memories.'
        : 'No memories directly in this namespace; the tree shows the ones below it.'),
    pager(page, data.items.length > PAGE, (p) => `#/ns/${q(dotted)}?page=${p}`));
}
