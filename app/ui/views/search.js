// Search with the mode switch, a filter, a time range and (without a query) an order; the
// form's state lives in the address, so back and forward replay searches. A key granted
// several prefixes searches each of them.

import { api } from '../lib/api.js';
import { field, fill, h, radios } from '../lib/dom.js';
import { terms } from '../lib/highlight.js';
import { scopesUnder } from '../lib/session.js';
import { compareIn, orderFields, readTime, timeControls, timeFields, timeParams }
  from '../lib/time-filter.js';
import { countText, memoryList, pager } from './cards.js';

const PAGE = 10;
const MODES = [['hybrid', 'Hybrid (words and meaning)'], ['semantic', 'Semantic (meaning)'],
               ['keyword', 'Keyword (words)']];

export async function renderSearch(view, _args, params) {
  const state = {
    q: params.get('q') ?? '', mode: params.get('mode') || 'hybrid',
    filter: params.get('filter') ?? '', prefix: params.get('prefix') ?? '',
  };
  const time = readTime(params);
  const page = Math.max(1, Number(params.get('page')) || 1);
  const controls = timeControls(time, 'Without a query; a search ranks by score');
  const query = h('input', { name: 'q', type: 'search', value: state.q });
  const filter = h('input', { name: 'filter', value: state.filter, class: 'mono',
                              placeholder: '{"kind": "Memory"}' });
  const prefix = h('input', { name: 'prefix', value: state.prefix, placeholder: 'all' });
  const form = h('form', { onsubmit: (e) => {
    e.preventDefault();
    const mode = form.querySelector('input[name=mode]:checked').value;
    location.hash = address({ q: query.value, mode, filter: filter.value.trim(),
                              prefix: prefix.value.trim() }, controls.read(), 1);
  } },
    field('Query', query, 'Empty: list the newest memories that match the filter'),
    radios('Mode', 'mode', MODES, state.mode),
    field('Filter (JSON)', filter, 'Value fields: {"kind": "UserProfile"}, {"content": {"age": {"$gt": 30}}}'),
    field('Under namespace', prefix, 'Dotted prefix, e.g. memories.alice'),
    controls.fields,
    h('button', { type: 'submit' }, 'Search'));
  const results = h('section', { 'aria-labelledby': 'results-title' });
  fill(view, h('h2', {}, 'Search'), form, results);
  if (!params.has('mode')) return; // not submitted yet

  let parsedFilter = null;
  if (state.filter) {
    try { parsedFilter = JSON.parse(state.filter); } catch (e) {
      throw new Error(`The filter is not valid JSON: ${e.message}`);
    }
  }
  const offset = (page - 1) * PAGE;
  const found = await searchScopes(state, time, parsedFilter, offset);
  const items = found.slice(0, PAGE);
  const first = offset + 1;
  const last = offset + items.length;
  const more = found.length > PAGE;
  const heading = h('h3', { id: 'results-title', tabindex: '-1' }, items.length
    ? `Results ${first}–${last}${more ? ' (more on the next page)' : ` of ${countText(last)}`}`
    : 'No results');
  fill(results, heading,
    items.length > 0 && memoryList(items, { showNamespace: true, words: terms(state.q) }),
    pager(page, more, (p) => address(state, time, p)));
  heading.focus(); // the keyboard lands on what the search found
}

// One call per readable prefix (usually one); several are merged in the API's order: by
// score with a query, in the chosen order without.
async function searchScopes(state, time, filter, offset) {
  const scopes = scopesUnder(state.prefix);
  const one = (scope, skip, limit) => api('POST', 'v1/search', {
    query: state.q || null, mode: state.mode, filter,
    namespace_prefix: scope ? scope.split('.') : [], limit, offset: skip,
    ...timeFields(time), ...(state.q ? {} : orderFields(time)),
  }).then((data) => data.items);
  if (scopes.length === 1) return one(scopes[0], offset, PAGE + 1);
  const lists = await Promise.all(scopes.map((s) => one(s, 0, offset + PAGE + 1)));
  const merged = lists.flat().sort(state.q
    ? (a, b) => (b.score ?? 0) - (a.score ?? 0)
    : compareIn(time));
  return merged.slice(offset, offset + PAGE + 1);
}

function address(state, time, page) {
  const params = new URLSearchParams({ ...state, ...timeParams(time), page: String(page) });
  return `#/search?${params}`;
}
