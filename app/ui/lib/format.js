// How memories read in the page, and the page's own addresses (#/...).

import { h, time } from './dom.js';

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

export function contentBlock(value) {
  const content = value?.content;
  const text = plainText(content);
  return text === null
    ? h('pre', { class: 'content' }, JSON.stringify(content, null, 2))
    : h('p', { class: 'content' }, text);
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
};
