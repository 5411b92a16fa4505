// How memories read in the page, and the page's own addresses (#/...).

import { h, plural, time } from './dom.js';
import { highlight } from './highlight.js';

export const nsText = (ns) => ns.join('.');
export const nsHref = (ns) => `#/ns/${encodeURIComponent(nsText(ns))}`;
export const memoryHref = (ns, key) =>
  `#/memory/${encodeURIComponent(nsText(ns))}/${encodeURIComponent(key)}`;
export const jobHref = (id) => `#/jobs/${encodeURIComponent(id)}`;

// A plain memory stores {"content": text}: shown as its text; anything else as JSON.
export function plainText(content) {
  const keys = content && typeof content === 'object' ? Object.keys(content) : [];
  return keys.length === 1 && keys[0] === 'content' && typeof content.content === 'string'
    ? content.content : null;
}

// limit: shorten to this many characters (lists: a 500 KB memory must not be a page long);
// words: search terms to mark.
export function contentBlock(value, { limit = 0, words = [] } = {}) {
  const content = value?.content;
  const plain = plainText(content);
  const full = plain ?? JSON.stringify(content, null, 2) ?? '';
  const cut = limit > 0 && full.length > limit;
  const shown = cut ? `${full.slice(0, limit)}…` : full;
  return h(plain === null ? 'pre' : 'p', { class: 'content' }, highlight(shown, words),
    cut && h('span', { class: 'hint' },
      ` (shortened: ${plural(full.length, 'character')} in all; open the memory for the rest)`));
}

export function ttlText(memory) {
  if (memory.ttl_minutes == null) return 'no TTL';
  return [`TTL ${memory.ttl_minutes} min, expires `, time(memory.expires_at)];
}

export function pretty(value) {
  return value == null ? '' : JSON.stringify(value, null, 2);
}

export const SOURCES = {
  api: 'API', store: 'store API', tool: 'agent tool', mcp: 'MCP tool',
  extraction: 'extraction job', restore: 'restore', ttl: 'TTL expiry',
  direct: 'direct database write',
  baseline: 'older than the history',
};
