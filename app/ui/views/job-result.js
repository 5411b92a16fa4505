// What an extraction job did: its outcome first, then only the groups that hold something,
// and every rejected operation with its reason.

import { h, shortId } from '../lib/dom.js';
import { memoryHref } from '../lib/format.js';

const OUTCOMES = {
  stored: 'stored',
  nothing_to_remember: 'nothing worth remembering',
  rejected: 'every operation rejected, nothing stored',
  partially_rejected: 'stored, some operations rejected',
};

export function jobResult(res) {
  const groups = [['Created', res.created], ['Updated', res.updated], ['Deleted', res.deleted]]
    .filter(([, changes]) => changes.length > 0);
  return h('div', { class: 'result' },
    h('p', {}, 'Outcome: ',
      h('strong', { class: 'job-outcome' }, OUTCOMES[res.outcome] ?? res.outcome)),
    res.rejected.length > 0 && rejected(res.rejected),
    groups.length ? groups.map(([title, changes]) => group(title, changes))
      : h('p', { class: 'hint' }, 'No memory was created, updated or deleted.'),
    h('p', { class: 'meta' }, `${res.duplicates} duplicates skipped · ${res.rejected.length} `
      + `operations rejected · ${res.repaired ?? 0} repaired · `
      + `${res.candidates} existing memories shown to the model · `
      + `${res.usage.llm_calls} LLM calls, ${res.usage.prompt_tokens} + `
      + `${res.usage.completion_tokens} tokens`));
}

function group(title, changes) {
  return h('section', { 'aria-label': title },
    h('h3', {}, `${title} (${changes.length})`),
    h('ul', {}, changes.map((c) => h('li', {},
      h('a', { href: memoryHref(c.namespace, c.key), title: c.key }, shortId(c.key)),
      c.value ? ` — ${summary(c.value)}` : ''))));
}

// What the model proposed that failed validation (after its repair call), and why.
function rejected(items) {
  return h('section', { 'aria-label': 'Rejected' },
    h('h3', {}, `Rejected (${items.length})`),
    h('ul', {}, items.map((r) => h('li', { class: 'rejected' },
      h('span', { class: 'error-inline' }, r.reason), ' ',
      h('code', {}, JSON.stringify(r.operation))))));
}

function summary(value) {
  const content = value.content ?? value;
  const text = typeof content?.content === 'string' ? content.content : JSON.stringify(content);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
