// A memory as a list entry (namespace listing and search results), and the pager.

import { h, time } from '../lib/dom.js';
import { contentBlock, memoryHref, nsHref, nsText, ttlText } from '../lib/format.js';

export function memoryCard(memory, { showNamespace = false } = {}) {
  return h('article', { class: 'memory' },
    h('header', {},
      h('span', { class: 'kind' }, memory.value?.kind ?? 'Memory'),
      showNamespace && h('a', { class: 'badge', href: nsHref(memory.namespace) },
        nsText(memory.namespace)),
      memory.score != null && h('span', { class: 'score' }, `score ${memory.score.toFixed(3)}`)),
    contentBlock(memory.value),
    h('p', { class: 'meta' }, 'created ', time(memory.created_at), ' · updated ',
      time(memory.updated_at), ' · ', ttlText(memory)),
    h('a', { href: memoryHref(memory.namespace, memory.key) }, `Open ${memory.key}`));
}

export function memoryList(items, options) {
  return h('ol', { class: 'memories' }, items.map((m) => h('li', {}, memoryCard(m, options))));
}

// page is 1-based; href(page) builds each page's address.
export function pager(page, hasNext, href) {
  if (page === 1 && !hasNext) return null;
  return h('nav', { class: 'pager', 'aria-label': 'Pages' },
    page > 1 ? h('a', { href: href(page - 1) }, 'Previous page') : null,
    h('span', {}, `Page ${page}`),
    hasNext ? h('a', { href: href(page + 1) }, 'Next page') : null);
}
