// Who is signed in (GET /v1/whoami), and the prefixes a listing must be split into: a key
// with grants on several prefixes cannot list "everything" in one call (the API's 403).

import { api } from './api.js';

export const session = { me: null };

export async function loadMe() {
  session.me = await api('GET', 'v1/whoami');
  return session.me;
}

const covers = (grant, labels) => grant.every((label, i) => labels[i] === label);

// The dotted prefixes to query for "under `prefix`" ('' is everything): the prefix itself when
// one grant covers it, else each granted prefix inside it (none: nothing readable).
export function scopesUnder(prefix) {
  const labels = prefix ? prefix.split('.') : [];
  const grants = (session.me?.grants ?? [{ prefix: [] }]).map((g) => g.prefix);
  if (grants.some((g) => covers(g, labels))) return [prefix];
  const inside = grants.filter((g) => covers(labels, g))
    .filter((g, i, all) => !all.some((o, j) => j !== i && o.length < g.length && covers(o, g)));
  return [...new Set(inside.map((g) => g.join('.')))];
}

export function describeMe(me) {
  if (!me.key_id) return 'Open access (no keys configured)';
  const grants = me.admin ? 'admin' : me.grants.map(
    (g) => `${g.access} ${g.prefix.join('.') || 'everything'}`).join(', ') || 'no grants';
  return `Signed in as ${me.name} (${grants})`;
}
