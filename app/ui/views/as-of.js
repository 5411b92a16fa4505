// A namespace as it stood at a past time, read-only, and what changed in it between two
// times: both from the history (GET /v1/as-of, GET /v1/changes). Times are UTC minutes,
// kept in the address (at, or since and until) like the rest of a view's state.

import { api, q } from '../lib/api.js';
import { diffWords } from '../lib/diff.js';
import { field, fill, h, plural, shortId, time } from '../lib/dom.js';
import { contentBlock, memoryHref, nsText, pretty } from '../lib/format.js';
import { pager } from './cards.js';

const PAGE = 20;
const LIST_LIMIT = 600;
const minute = (v) => (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(v ?? '') ? v : '');
const utc = (v) => `${v}:00Z`; // the API reads a time without an offset as UTC too
const shown = (v) => `${v.replace('T', ' ')} UTC`;
const ACTIONS = { created: 'Created', updated: 'Updated', deleted: 'Deleted',
  created_and_deleted: 'Created and deleted' };

export function readPast(params) {
  return { at: minute(params.get('at')), since: minute(params.get('since')),
           until: minute(params.get('until')) };
}

export const isPast = (past) => Boolean(past.at || past.since);

function address(dotted, past, page) {
  const params = new URLSearchParams(Object.entries(past).filter(([, v]) => v));
  if (page > 1) params.set('page', page);
  const text = params.toString();
  return `#/ns/${q(dotted)}${text ? `?${text}` : ''}`;
}

// Folded while unused, like the time filter: one Tab stop on the way to the memories.
export function pastForm(dotted, past) {
  const at = h('input', { type: 'datetime-local', name: 'at', value: past.at });
  const since = h('input', { type: 'datetime-local', name: 'since', value: past.since });
  const until = h('input', { type: 'datetime-local', name: 'until', value: past.until });
  const go = (state) => { location.hash = address(dotted, state, 1); };
  const need = (input, what) => {
    if (!minute(input.value)) throw new Error(`Pick a date and a time for ${what}.`);
    return input.value;
  };
  return h('details', { class: 'as-of', open: isPast(past) },
    h('summary', {}, 'As of a past time, or what changed'),
    h('form', { class: 'time-form', onsubmit: (e) => {
      e.preventDefault();
      go({ at: need(at, '"As of"') });
    } }, field('As of (UTC)', at, 'How the namespace and those below it stood then'),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'secondary' },
      'Show as of'))),
    h('form', { class: 'time-form', onsubmit: (e) => {
      e.preventDefault();
      const after = need(since, '"Changes after"');
      if (until.value && until.value < after) {
        throw new Error(`"Up to" (${shown(until.value)}) is before "Changes after" `
          + `(${shown(after)}).`);
      }
      go({ since: after, until: minute(until.value) });
    } },
    h('fieldset', { class: 'time-filter' }, h('legend', {}, 'Changes (UTC)'),
      field('Changes after', since), field('Up to', until, 'Empty: now')),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'secondary' },
      'Show changes'))));
}

export async function renderPast(view, dotted, past, page) {
  const paging = { namespace: dotted, limit: String(PAGE + 1),
    offset: String((page - 1) * PAGE) };
  const now = h('a', { href: `#/ns/${q(dotted)}` }, 'Back to the namespace now');
  if (past.at) {
    const query = new URLSearchParams({ ...paging, at: utc(past.at) });
    const data = await api('GET', `v1/as-of?${query}`);
    const items = data.items.slice(0, PAGE);
    return fill(view,
      h('h2', {}, 'Namespace ', h('code', {}, dotted), ` as of ${shown(past.at)}`),
      banner('Read-only: the namespace and those below it as they stood at that time, from '
        + 'the history. Open a memory for its current state and its changes.', now),
      pastForm(dotted, past),
      items.length
        ? h('ol', { class: 'memories' }, items.map((m) => h('li', {}, pastCard(m, dotted))))
        : h('p', {}, page > 1 ? 'No more memories.' : 'No memories here at that time.'),
      pager(page, data.items.length > PAGE, (p) => address(dotted, past, p)));
  }
  const bounds = { ...paging, since: utc(past.since),
    ...(past.until && { until: utc(past.until) }) };
  const data = await api('GET', `v1/changes?${new URLSearchParams(bounds)}`);
  const changes = data.changes.slice(0, PAGE);
  return fill(view,
    h('h2', {}, 'Namespace ', h('code', {}, dotted), ': changes'),
    banner(`What changed after ${shown(past.since)}, up to `
      + `${past.until ? shown(past.until) : 'now'}: each memory once, as its net change.`, now),
    pastForm(dotted, past),
    changes.length
      ? h('ol', { class: 'memories' }, changes.map((c) => h('li', {}, changeCard(c, dotted))))
      : h('p', {}, page > 1 ? 'No more changes.' : 'Nothing changed in that time.'),
    pager(page, data.changes.length > PAGE, (p) => address(dotted, past, p)));
}

function banner(text, link) {
  return h('div', { class: 'past-banner', role: 'note' }, h('p', {}, text), link);
}

const badge = (ns, dotted) => nsText(ns) !== dotted && h('span', { class: 'badge' }, nsText(ns));

function pastCard(memory, dotted) {
  return h('article', { class: 'memory past' },
    h('header', {}, h('span', { class: 'kind' }, memory.value.kind ?? 'Memory'),
      badge(memory.namespace, dotted)),
    contentBlock(memory.value, { limit: LIST_LIMIT }),
    h('p', { class: 'meta' },
      memory.created_at ? ['created ', time(memory.created_at)]
        : 'created before the history began',
      ' · ', memory.updated_at ? ['last changed ', time(memory.updated_at)]
        : 'as it was before its first recorded change'),
    h('a', { href: memoryHref(memory.namespace, memory.key), title: memory.key },
      `Open ${shortId(memory.key)}`));
}

function changeCard(change, dotted) {
  const value = change.after ?? change.last_value;
  return h('article', { class: 'memory past' },
    h('header', {}, h('span', { class: `badge change-${change.action}` }, ACTIONS[change.action]),
      h('span', { class: 'kind' }, value.kind ?? 'Memory'), badge(change.namespace, dotted)),
    change.action === 'updated' ? wordDiff(change.before, change.after)
      : contentBlock(value, { limit: LIST_LIMIT }),
    h('p', { class: 'meta' }, plural(change.changes, 'change'), ', the last ',
      time(change.last_changed_at)),
    h('a', { href: memoryHref(change.namespace, change.key), title: change.key },
      `Open ${shortId(change.key)}`));
}

function wordDiff(before, after) {
  const parts = diffWords(pretty(before.content), pretty(after.content));
  return h('pre', { class: 'diff', role: 'group', 'aria-label': 'Before and after' },
    parts.map(([kind, text]) => (kind === 'same' ? text : h(kind, {}, text))));
}
