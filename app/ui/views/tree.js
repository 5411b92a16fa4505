// The namespace tree with memory counts, from one call (GET /v1/stats/namespaces).

import { api, q } from '../lib/api.js';
import { field, fill, h } from '../lib/dom.js';
import { nsHref, nsText } from '../lib/format.js';
import { scopesUnder } from '../lib/session.js';

const aside = document.getElementById('tree');
const prefixInput = h('input', { name: 'prefix', placeholder: 'all', autocomplete: 'off' });
const list = h('div', { class: 'tree' });
let current = null;

// "Under" narrows the tree; a key granted several prefixes gets one call per prefix.
aside.append(
  h('form', { onsubmit: (e) => { e.preventDefault(); refreshTree(); } },
    field('Under prefix', prefixInput, 'Dotted, e.g. memories.alice'),
    h('button', { type: 'submit', class: 'secondary' }, 'Show')),
  list);

export async function refreshTree() {
  const prefix = prefixInput.value.trim();
  try {
    const answers = await Promise.all(scopesUnder(prefix).map((scope) => api('GET',
      `v1/stats/namespaces?limit=10000${scope ? `&prefix=${q(scope)}` : ''}`)));
    const root = build(answers.flatMap((data) => data.namespaces));
    fill(list, root.children.size
      ? h('ul', {}, [...root.children.values()].map(renderNode))
      : h('p', { class: 'hint' }, 'No memories yet.'));
    markCurrent(current);
  } catch (e) {
    fill(list, h('p', { class: 'error-inline' }, e.message));
  }
}

// Highlights the open namespace (null: none).
export function markCurrent(dotted) {
  current = dotted;
  for (const a of list.querySelectorAll('a[data-ns]')) {
    if (a.dataset.ns === dotted) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

function build(entries) {
  const root = { children: new Map() };
  for (const { namespace, memories } of entries) {
    let node = root;
    namespace.forEach((label, i) => {
      if (!node.children.has(label)) {
        node.children.set(label, { label, path: namespace.slice(0, i + 1), own: 0, total: 0,
                                   children: new Map() });
      }
      node = node.children.get(label);
      node.total += memories;
    });
    node.own = memories;
  }
  return root;
}

// A branch: a toggle button beside its link (a link inside <summary> would nest two controls).
function renderNode(node) {
  const link = h('a', { href: nsHref(node.path), 'data-ns': nsText(node.path) }, node.label,
    h('span', { class: 'count', 'aria-label': `${node.total} memories`,
                title: `${node.own} here, ${node.total} with the namespaces below` },
      String(node.total)));
  if (!node.children.size) return h('li', {}, link);
  const children = h('ul', {}, [...node.children.values()].map(renderNode));
  const toggle = h('button', { type: 'button', class: 'toggle', 'aria-expanded': 'true',
    'aria-label': `Show or hide below ${node.label}`, onclick: () => {
      children.hidden = !children.hidden;
      toggle.setAttribute('aria-expanded', String(!children.hidden));
    } }, '▾');
  return h('li', {}, toggle, link, children);
}
