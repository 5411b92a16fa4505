// One memory: its fields, edit and delete (confirmed), and its history below.

import { api, ApiError, q } from '../lib/api.js';
import { fill, h, time } from '../lib/dom.js';
import { contentBlock, nsHref, ttlText } from '../lib/format.js';
import { notify } from '../lib/messages.js';
import { confirmDialog } from './confirm.js';
import { historySection } from './history.js';
import { memoryForm } from './memory-form.js';
import { markCurrent, refreshTree } from './tree.js';

export async function renderMemory(view, [dotted, key]) {
  const where = `namespace=${q(dotted)}`;
  let memory = null;
  try {
    memory = await api('GET', `v1/memories/${q(key)}?${where}`);
  } catch (e) {
    if (e.status !== 404) throw e; // deleted: its history can still bring it back
  }
  const { changes } = await api('GET', `v1/history?${where}&key=${q(key)}&limit=200`);
  if (!memory && !changes.length) {
    throw new ApiError(404, `No memory ${key} in ${dotted}, and no history of one.`);
  }
  // after a save, delete or restore the view is redrawn: keep the keyboard in it
  const reload = async () => {
    await renderMemory(view, [dotted, key]);
    const heading = view.querySelector('h2');
    heading.tabIndex = -1;
    heading.focus();
  };
  markCurrent(dotted);
  const body = h('div', {});
  const show = () => fill(body, memory ? details(memory, edit, remove) : h('p', {
    class: 'gone' }, 'This memory is deleted. Restore a version from its history below.'));
  const edit = () => fill(body, memoryForm({
    memory, submitLabel: 'Save',
    onCancel: show,
    onSubmit: async (changes) => {
      await api('PUT', `v1/memories/${q(key)}?${where}`, changes);
      notify(`Saved ${key}.`);
      await reload();
    },
  }));
  const remove = async () => {
    if (!await confirmDialog(`Delete ${key}?`, `It leaves ${dotted} and every search. Its `
      + 'history stays, so it can be restored.', 'Delete memory')) return;
    await api('DELETE', `v1/memories/${q(key)}?${where}`);
    refreshTree();
    notify(`Deleted ${key}. Its history keeps every version, so it can be restored.`);
    await reload();
  };
  show();
  fill(view,
    h('h2', {}, 'Memory ', h('code', {}, key)),
    h('p', {}, 'In namespace ', h('a', { href: nsHref(dotted.split('.')) }, dotted)),
    body,
    historySection(changes, { key, dotted, reload }));
}

function details(memory, onEdit, onDelete) {
  return h('div', {},
    h('dl', { class: 'props' },
      h('dt', {}, 'Kind'), h('dd', { class: 'kind' }, memory.value?.kind ?? 'Memory'),
      h('dt', {}, 'Content'), h('dd', {}, scrollable(contentBlock(memory.value))),
      h('dt', {}, 'Created'), h('dd', {}, time(memory.created_at)),
      h('dt', {}, 'Updated'), h('dd', {}, time(memory.updated_at)),
      h('dt', {}, 'TTL'), h('dd', {}, ttlText(memory))),
    h('div', { class: 'actions' },
      h('button', { type: 'button', onclick: onEdit }, 'Edit'),
      h('button', { type: 'button', class: 'danger', onclick: onDelete }, 'Delete')));
}

// A long value scrolls in its box: reachable by keyboard too.
function scrollable(block) {
  block.tabIndex = 0;
  return block;
}
