// A memory's history: a timeline of changes with their sources, a word diff between any two
// versions, and restore. The newest change is the current version (or the deletion).

import { api } from '../lib/api.js';
import { diffWords } from '../lib/diff.js';
import { field, fill, h, plural, shortId, time } from '../lib/dom.js';
import { contentBlock, jobHref, pretty, SOURCES } from '../lib/format.js';
import { notify } from '../lib/messages.js';
import { refreshTree } from './tree.js';

const LIST_LIMIT = 2000; // characters of each version shown in the timeline

// changes: newest first, as GET /v1/history answers.
export function historySection(changes, { key, reload }) {
  const restore = async (change) => {
    await api('POST', `v1/history/${change.id}/restore`);
    refreshTree();
    notify(`Restored ${key} to its version after change #${change.id}.`);
    await reload();
  };
  return h('section', { 'aria-labelledby': 'history-title' },
    h('h3', { id: 'history-title' }, `History (${plural(changes.length, 'change')})`),
    changes.filter((c) => c.new_value).length > 1 ? compare(changes) : null,
    h('h4', {}, 'Changes, newest first'),
    h('ol', { class: 'timeline' }, changes.map((c, i) => h('li', {}, entry(c, i === 0, restore)))));
}

function entry(change, newest, restore) {
  const diff = h('div', { hidden: true });
  const toggle = h('button', { type: 'button', class: 'secondary', 'aria-expanded': 'false',
    onclick: () => {
      // drawn on first opening: a long history does not diff every version up front
      if (!diff.childNodes.length) fill(diff, diffView(change.old_value, change.new_value));
      diff.hidden = !diff.hidden;
      toggle.setAttribute('aria-expanded', String(!diff.hidden));
    } }, 'Show changes');
  const deleted = change.action === 'delete';
  const current = newest && !deleted;
  return h('article', { class: current ? 'change current' : 'change' },
    h('header', {},
      h('strong', {}, `#${change.id} ${change.action}`),
      current && h('span', { class: 'badge current-badge' }, 'Current version'),
      h('span', { class: 'badge source' }, SOURCES[change.source] ?? change.source),
      change.job_id && h('a', { href: jobHref(change.job_id), title: change.job_id },
        `job ${shortId(change.job_id)}`),
      time(change.changed_at)),
    deleted ? h('p', { class: 'meta' }, 'Deleted.')
      : contentBlock(change.new_value, { limit: LIST_LIMIT }),
    h('div', { class: 'actions' },
      toggle,
      !current && h('button', { type: 'button', class: 'secondary', onclick: () => restore(change) },
        deleted ? `Undelete (#${change.id})` : `Restore this version (#${change.id})`)),
    diff);
}

// Versions are what each change left; a deletion left none, so it is not offered. The
// default: the current version against the one before it.
function compare(changes) {
  const versions = changes.filter((c) => c.new_value);
  const option = (c) => h('option', { value: String(c.id) },
    `#${c.id} ${c.action} (${SOURCES[c.source] ?? c.source}), ${new Date(c.changed_at).toLocaleString()}`);
  const from = h('select', { name: 'from', value: String(versions[1].id) }, versions.map(option));
  const to = h('select', { name: 'to', value: String(versions[0].id) }, versions.map(option));
  const out = h('div', {});
  const versionAfter = (id) => versions.find((c) => String(c.id) === id).new_value;
  const draw = () => fill(out, diffView(versionAfter(from.value), versionAfter(to.value)));
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
  const parts = diffWords(pretty(before), pretty(after));
  const changed = parts.some(([kind]) => kind !== 'same');
  return h('pre', { class: 'diff', tabindex: '0', role: 'group', 'aria-label': 'Differences' },
    changed ? parts.map(([kind, text]) => (kind === 'same' ? text
      : h(kind, {}, text)))
      : 'No differences.');
}
