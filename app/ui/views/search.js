// Search with the mode switch and a filter; the form's state lives in the address, so
// back and forward replay searches.

import { api } from '../lib/api.js';
import { field, h, radios } from '../lib/dom.js';
import { memoryList, pager } from './cards.js';

const PAGE = 10;
const MODES = [['hybrid', 'Hybrid (words and meaning)'], ['semantic', 'Semantic (meaning)'],
               ['keyword', 'Keyword (words)']];

export async function renderSearch(view, _args, params) {
  const state = {
    q: params.get('q') ?? '', mode: params.get('mode') || 'hybrid',
    filter: params.get('filter') ?? '', prefix: params.get('prefix') ?? '',
  };
  const page = Math.max(1, Number(params.get('page')) || 1);
  const query = h('input', { name: 'q', type: 'search', value: state.q });
  const filter = h('input', { name: 'filter', value: state.filter, class: 'mono',
                              placeholder: '{"kind": "Memory"}' });
  const prefix = h('input', { name: 'prefix', value: state.prefix, placeholder: 'all' });
  const form = h('form', { onsubmit: (e) => {
    e.preventDefault();
    const mode = form.querySelector('input[name=mode]:checked').value;
    location.hash = address({ q: query.value, mode, filter: filter.value.trim(),
                              prefix: prefix.value.trim() }, 1);
  } },
    field('Query', query, 'Empty: list the newest memories that match the filter'),
    radios('Mode', 'mode', MODES, state.mode),
    field('Filter (JSON)', filter, 'Value fields: {"kind": "UserProfile"}, {"content": {"age": {"$gt": 30}}}'),
    field('Under namespace', prefix, 'Dotted prefix, e.g. memories.alice'),
    h('button', { type: 'submit' }, 'Search'));
  const results = h('section', { 'aria-label': 'Results' });
  view.replaceChildren(h('h2', {}, 'Search'), form, results);
  if (!params.has('mode')) return; // not submitted yet

  let parsedFilter = null;
  if (state.filter) {
    try { parsedFilter = JSON.parse(state.filter); } catch (e) {
      throw new Error(`The filter is not valid JSON: ${e.message}`);
    }
  }
  const data = await api('POST', 'v1/search', {
    query: state.q || null, mode: state.mode, filter: parsedFilter,
    namespace_prefix: state.prefix ? state.prefix.split('.') : [],
    limit: PAGE + 1, offset: (page - 1) * PAGE,
  });
  const items = data.items.slice(0, PAGE);
  results.replaceChildren(
    h('h3', {}, items.length ? `Results ${(page - 1) * PAGE + 1}–${(page - 1) * PAGE + items.length}`
      : 'No results'),
    items.length ? memoryList(items, { showNamespace: true }) : null,
    pager(page, data.items.length > PAGE, (p) => address(state, p)));
}

function address(state, page) {
  const params = new URLSearchParams({ ...state, page: String(page) });
  return `#/search?${params}`;
}
