// Admin: API keys (create shows the secret once, list, revoke) and, at #/admin/profiles,
// extraction profiles. The API refuses non-admin keys; the page says so.

import { api, q } from '../lib/api.js';
import { field, fill, h, plural, time } from '../lib/dom.js';
import { notify } from '../lib/messages.js';
import { renderProfiles } from './admin-profiles.js';
import { confirmDialog } from './confirm.js';

export const adminNav = () => h('nav', { class: 'actions', 'aria-label': 'Admin' },
  h('a', { href: '#/admin' }, 'API keys'), h('a', { href: '#/admin/profiles' }, 'Extraction profiles'));

export async function renderAdmin(view, [page], params) {
  if (page === 'profiles') return renderProfiles(view, params);
  const { keys } = await api('GET', 'v1/keys?include_revoked=true');
  const secret = h('div', { 'aria-live': 'polite' });
  fill(view, h('h2', {}, 'API keys'), adminNav(), createForm(view, secret), secret,
    h('h3', {}, plural(keys.length, 'key')),
    h('ol', { class: 'memories' }, keys.map((k) => h('li', {}, keyCard(view, k)))));
}

function keyCard(view, key) {
  const grants = key.admin ? 'admin: everything'
    : key.grants.map((g) => `${g.access} ${g.prefix.join('.') || 'everything'}`).join(', ') || 'no grants';
  return h('article', { class: 'memory key' },
    h('header', {}, h('strong', {}, key.name), h('code', {}, `${key.prefix}…`),
      key.revoked_at && h('span', { class: 'badge' }, 'revoked')),
    h('p', {}, grants, key.identity ? ` · acts as ${key.identity}` : ''),
    h('p', { class: 'meta' }, 'created ', time(key.created_at), ' · last used ',
      time(key.last_used_at)),
    !key.revoked_at && h('button', { type: 'button', class: 'danger', onclick: async () => {
      if (!await confirmDialog(`Revoke ${key.name}?`, 'Requests with it are refused at once. '
        + 'This cannot be undone.', 'Revoke key')) return;
      await api('DELETE', `v1/keys/${q(key.id)}`);
      notify(`Revoked ${key.name}.`);
      await renderAdmin(view, [], new URLSearchParams());
    } }, `Revoke ${key.name}`));
}

// Grants, one a line: "write memories.alice" or "read shared" ("read" alone: everything).
function parseGrants(text) {
  return text.split('\n').map((line) => line.trim()).filter(Boolean).map((line) => {
    const [access, prefix = ''] = line.split(/\s+/);
    if (!['read', 'write'].includes(access)) {
      throw new Error(`A grant line starts with "read" or "write": ${JSON.stringify(line)}`);
    }
    return { access, prefix: prefix ? prefix.split('.') : [] };
  });
}

function createForm(view, secret) {
  const name = h('input', { name: 'name', required: true, autocomplete: 'off' });
  const identity = h('input', { name: 'identity', autocomplete: 'off' });
  const grants = h('textarea', { name: 'grants', rows: 3, placeholder: 'write memories.alice\nread shared' });
  const admin = h('input', { type: 'checkbox', name: 'admin', id: 'key-admin' });
  const form = h('form', { onsubmit: async (e) => {
    e.preventDefault();
    const created = await api('POST', 'v1/keys', { name: name.value.trim(),
      identity: identity.value.trim() || null, grants: parseGrants(grants.value),
      admin: admin.checked });
    await renderAdmin(view, [], new URLSearchParams());
    const box = view.querySelector('[aria-live]');
    fill(box, h('div', { class: 'secret' },
      h('p', {}, `Key ${created.name} created. Copy it now: it is shown only this once.`),
      h('code', { class: 'new-secret' }, created.key)));
  } },
    h('h3', {}, 'Create a key'),
    field('Name', name),
    field('Identity (user_id)', identity, 'Optional: the key acts as this user'),
    field('Grants', grants, 'One a line: "write PREFIX" or "read PREFIX" (dotted)'),
    h('div', { class: 'actions selector' }, admin, h('label', { for: 'key-admin' }, 'Admin key')),
    h('button', { type: 'submit' }, 'Create key'));
  return form;
}
