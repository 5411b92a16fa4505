// A memory's history: a timeline of changes with their sources, a diff between any two
// versions, and restore.

import { api } from '../lib/api.js';
import { diffLines } from '../lib/diff.js';
import { field, h, time } from '../lib/dom.js';
import { contentBlock, jobHref, pretty, SOURCES } from '../lib/format.js';
import { notify } from '../lib/messages.js';
import { refreshTree } from './tree.js';

// changes: newest first, as GET /v1/history answers.
export function historySection(changes, { key, reload }) {
  const restore = async (change) => {
    await api('POST', `v1/history/${change.id}/restore`);
    refreshTree();
    notify(`Restored ${key} to its version after change #${change.id}.`);
    await reload();
  };
  return h('section', { 'aria-labelledby': 'history-title' },
    h('h3', { id: 'history-title' }, `History (${changes.length} changes)`),
    changes.length > 1 ? compare(changes) : null,
    h('h4', {}, 'Changes, newest first'),
    h('ol', { class: 'timeline' }, changes.map((c) => h('li', {}, entry(c, restore)))));
}

function entry(change, restore) {
  const diff = h('div', { hidden: true }, diffView(change.old_value, change.new_value));
  const toggle = h('button', { type: 'button', class: 'secondary', 'aria-expanded': 'false',
    onclick: () => {
      diff.hidden = !diff.hidden;
      toggle.setAttribute('aria-expanded', String(!diff.hidden));
    } }, 'Show changes');
  const deleted = change.action === 'delete';
  return h('article', { class: 'change' },
    h('header', {},
      h('strong', {}, `#${change.id} ${change.action}`),
      h('span', { class: 'badge' }, SOURCES[change.source] ?? change.source),
      change.job_id && h('a', { href: jobHref(change.job_id) }, `job ${change.job_id}`),
      time(change.changed_at)),
    deleted ? h('p', { class: 'meta' }, 'Deleted.') : contentBlock(change.new_value),
    h('div', { class: 'actions' },
      toggle,
      h('button', { type: 'button', class: 'secondary', onclick: () => restore(change) },
        deleted ? `Undelete (#${change.id})` : `Restore this version (#${change.id})`)),
    diff);
}

function compare(changes) {
  const option = (c) => h('option', { value: String(c.id) },
    `#${c.id} ${c.action} (${SOURCES[c.source] ?? c.source}), ${new Date(c.changed_at).toLocaleString()}`);
  const from = h('select', { name: 'from', value: String(changes[1].id) }, changes.map(option));
  const to = h('select', { name: 'to', value: String(changes[0].id) }, changes.map(option));
  const out = h('div', {});
  const versionAfter = (id) => changes.find((c) => String(c.id) === id).new_value;
  const draw = () => out.replaceChildren(diffView(versionAfter(from.value), versionAfter(to.value)));
  from.addEventListener('change', draw);
  to.addEventListener('change', draw);
  draw();
  return h('div', { class: 'compare' },
    h('h4', {}, 'Compare versions'),
    h('div', { class: 'actions' }, field('From the version after', from),
      field('To the version after', to)),
    out);
}

function diffView(before, after) {
  const lines = diffLines(pretty(before), pretty(after));
  return h('pre', { class: 'diff', 'aria-label': 'Differences' }, lines.map(([kind, line]) =>
    h('span', { class: kind }, `${{ ins: '+ ', del: '- ', same: '  ' }[kind]}${line}`)));
}
