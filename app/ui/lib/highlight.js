// Search terms marked in a memory's text: <mark> around each word of the query (no markup
// from the data: the text is split, never parsed).

import { h } from './dom.js';

export function terms(query) {
  return [...new Set((query ?? '').toLowerCase().match(/[\p{L}\p{N}]{2,}/gu) ?? [])];
}

export function highlight(text, words) {
  if (!words.length) return [text];
  const escaped = words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const pattern = new RegExp(`(${escaped.join('|')})`, 'giu');
  return text.split(pattern).map((part, i) => (i % 2 ? h('mark', {}, part) : part))
    .filter((part) => part !== '');
}
