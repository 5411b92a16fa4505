// Extraction jobs, newest first, filtered by namespace, thread and status; the filters live
// in the address. A key granted several prefixes lists each and merges them.

import { api, q } from '../lib/api.js';
import { field, fill, h, plural, shortId, time } from '../lib/dom.js';
import { jobHref, nsText } from '../lib/format.js';
import { scopesUnder } from '../lib/session.js';
import { pager } from './cards.js';

const PAGE = 25;
const STATUSES = ['', 'queued', 'running', 'succeeded', 'failed', 'cancelled'];

export async function renderJobs(view, _args, params, current = () => true) {
  const state = { namespace: params.get('namespace') ?? '', thread_id: params.get('thread_id') ?? '',
                  status: params.get('status') ?? '' };
  const page = Math.max(1, Number(params.get('page')) || 1);
  const namespace = h('input', { name: 'namespace', value: state.namespace, placeholder: 'all',
                                 autocomplete: 'off' });
  const thread = h('input', { name: 'thread_id', value: state.thread_id, autocomplete: 'off' });
  const status = h('select', { name: 'status', value: state.status },
    STATUSES.map((s) => h('option', { value: s }, s || 'any')));
  const form = h('form', { onsubmit: (e) => {
    e.preventDefault();
    location.hash = address({ namespace: namespace.value.trim(), thread_id: thread.value.trim(),
                              status: status.value }, 1);
  } },
    h('div', { class: 'actions' }, field('Namespace', namespace, 'Under this prefix, dotted'),
      field('Thread', thread), field('Status', status)),
    h('button', { type: 'submit' }, 'Filter'));
  const jobs = await listJobs(state, (page - 1) * PAGE);
  if (!current()) return; // a newer filter was chosen meanwhile: its answer draws the view
  const shown = jobs.slice(0, PAGE);
  fill(view, h('h2', {}, 'Extraction jobs'), form,
    h('p', { class: 'meta' }, shown.length
      ? `${plural(shown.length, 'job')} on page ${page}${jobs.length > PAGE ? ', more on the next' : ''}`
      : 'No jobs match.'),
    shown.length > 0 && h('ol', { class: 'memories' }, shown.map((job) => h('li', {},
      h('article', { class: 'memory job' },
        h('header', {},
          h('a', { href: jobHref(job.id), title: job.id }, `Job ${shortId(job.id)}`),
          h('strong', { class: 'job-status' }, job.status),
          job.result && h('span', { class: 'badge' }, outcome(job.result))),
        h('p', { class: 'meta' }, nsText(job.namespace), ' · thread ', job.thread_id ?? '—',
          ' · submitted ', time(job.created_at)))))),
    pager(page, jobs.length > PAGE, (p) => address(state, p)));
}

function outcome(result) {
  const n = result.created.length + result.updated.length + result.deleted.length;
  return `${plural(n, 'change')}, ${result.rejected.length} rejected`;
}

async function listJobs(state, offset) {
  const filters = `${state.thread_id ? `&thread_id=${q(state.thread_id)}` : ''}`
    + `${state.status ? `&status=${q(state.status)}` : ''}`;
  const scopes = scopesUnder(state.namespace);
  const one = (scope, skip, limit) => api('GET', `v1/jobs?limit=${limit}&offset=${skip}${filters}`
    + `${scope ? `&namespace=${q(scope)}` : ''}`).then((data) => data.jobs);
  if (scopes.length === 1) return one(scopes[0], offset, PAGE + 1);
  const lists = await Promise.all(scopes.map((s) => one(s, 0, offset + PAGE + 1)));
  return lists.flat().sort((a, b) => b.created_at.localeCompare(a.created_at))
    .slice(offset, offset + PAGE + 1);
}

function address(state, page) {
  const params = new URLSearchParams({ ...state, page: String(page) });
  return `#/jobs?${params}`;
}
