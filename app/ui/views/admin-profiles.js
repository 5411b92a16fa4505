// Admin: extraction profiles, listed, created or replaced from JSON, deleted (not the default).

import { api, q } from '../lib/api.js';
import { field, fill, h, plural } from '../lib/dom.js';
import { notify } from '../lib/messages.js';
import { adminNav } from './admin.js';
import { confirmDialog } from './confirm.js';

const EXAMPLE = { description: 'What happened, one episode per memory',
  namespace: ['episodes', '{user_id}'], instructions: 'Record notable events with their date.' };

export async function renderProfiles(view) {
  const { profiles } = await api('GET', 'v1/profiles');
  fill(view, h('h2', {}, 'Extraction profiles'), adminNav(), profileForm(view, profiles),
    h('h3', {}, plural(profiles.length, 'profile')),
    h('ol', { class: 'memories' }, profiles.map((p) => h('li', {}, h('article', { class: 'memory' },
      h('header', {}, h('strong', {}, p.name), p.default && h('span', { class: 'badge' }, 'default')),
      p.description && h('p', {}, p.description),
      h('p', { class: 'meta' }, `namespace ${p.namespace.join('.')} · kinds `,
        (p.kinds ?? []).map((k) => k.name).join(', ') || 'Memory'),
      !p.default && h('button', { type: 'button', class: 'danger', onclick: async () => {
        if (!await confirmDialog(`Delete profile ${p.name}?`, 'Runs naming it are refused '
          + 'from now on.', 'Delete profile')) return;
        await api('DELETE', `v1/profiles/${q(p.name)}`);
        notify(`Deleted profile ${p.name}.`);
        await renderProfiles(view);
      } }, `Delete ${p.name}`))))));
}

function profileForm(view, profiles) {
  const name = h('input', { name: 'name', required: true, autocomplete: 'off' });
  const body = h('textarea', { name: 'profile', rows: 8, class: 'mono',
                               value: JSON.stringify(EXAMPLE, null, 2) });
  return h('form', { onsubmit: async (e) => {
    e.preventDefault();
    let parsed;
    try { parsed = JSON.parse(body.value); } catch (err) {
      throw new Error(`The profile is not valid JSON: ${err.message}`);
    }
    const exists = profiles.some((p) => p.name === name.value.trim());
    if (exists) await api('PUT', `v1/profiles/${q(name.value.trim())}`, parsed);
    else await api('POST', 'v1/profiles', { ...parsed, name: name.value.trim() });
    notify(`${exists ? 'Replaced' : 'Created'} profile ${name.value.trim()}.`);
    await renderProfiles(view);
  } },
    h('h3', {}, 'Create or replace a profile'),
    field('Profile name', name, 'An existing name replaces that profile'),
    field('Settings (JSON)', body, 'description, namespace, instructions, kinds, enable_inserts/updates/deletes'),
    h('button', { type: 'submit' }, 'Save profile'));
}
