// A memory as a list entry (namespace listing and search results), and the pager.

import { h, plural, shortId, time } from '../lib/dom.js';
import { contentBlock, memoryHref, nsHref, nsText, ttlText } from '../lib/format.js';

const LIST_LIMIT = 600; // characters of a memory shown in a list

// words: search terms to mark; select(memory): a checkbox for bulk actions, or null.
export function memoryCard(memory, { showNamespace = false, words = [], select = null } = {}) {
  return h('article', { class: 'memory' },
    h('header', {},
      select && select(memory),
      h('span', { class: 'kind' }, memory.value?.kind ?? 'Memory'),
      showNamespace && h('a', { class: 'badge', href: nsHref(memory.namespace) },
        nsText(memory.namespace)),
      memory.score != null && h('span', { class: 'score' }, `score ${memory.score.toFixed(3)}`)),
    contentBlock(memory.value, { limit: LIST_LIMIT, words }),
    h('p', { class: 'meta' }, 'created ', time(memory.created_at), ' · updated ',
      time(memory.updated_at), ' · ', ttlText(memory)),
    h('a', { href: memoryHref(memory.namespace, memory.key), title: memory.key },
      `Open ${shortId(memory.key)}`));
}

export function memoryList(items, options) {
  return h('ol', { class: 'memories' }, items.map((m) => h('li', {}, memoryCard(m, options))));
}

// page is 1-based; href(page) builds each page's address; pages: the total, when known.
export function pager(page, hasNext, href, pages = null) {
  if (page === 1 && !hasNext) return null;
  return h('nav', { class: 'pager', 'aria-label': 'Pages' },
    page > 1 ? h('a', { href: href(page - 1) }, 'Previous page') : null,
    h('span', {}, pages ? `Page ${page} of ${pages}` : `Page ${page}`),
    hasNext ? h('a', { href: href(page + 1) }, 'Next page') : null);
}

export const countText = (n) => plural(n, 'memory', 'memories');
