// An extraction job, watched until it finishes, with links to what it changed.

import { api, q } from '../lib/api.js';
import { h, time } from '../lib/dom.js';
import { jobHref, memoryHref, nsText } from '../lib/format.js';
import { notify, showError } from '../lib/messages.js';
import { refreshTree } from './tree.js';

const POLL_MS = 500;

// alive(): this view is still the one shown (stop polling once the person navigates away).
export async function renderJob(view, [id], _params, alive) {
  let shown = '';
  const poll = async () => {
    const job = await api('GET', `v1/jobs/${q(id)}`);
    if (!alive()) return;
    const state = JSON.stringify(job);
    if (state !== shown) {
      shown = state;
      draw(view, job);
      if (job.status === 'succeeded') refreshTree();
    }
    if (job.status === 'queued' || job.status === 'running') {
      setTimeout(() => poll().catch((e) => alive() && showError(e)), POLL_MS);
    }
  };
  await poll();
}

function draw(view, job) {
  const finished = !['queued', 'running'].includes(job.status);
  view.replaceChildren(
    h('h2', {}, 'Extraction job ', h('code', {}, job.id)),
    h('p', {}, 'Status: ', h('strong', { class: 'job-status' }, job.status)),
    steps(job.status),
    h('dl', { class: 'props' },
      h('dt', {}, 'Namespace'), h('dd', {}, nsText(job.namespace)),
      h('dt', {}, 'Thread'), h('dd', {}, job.thread_id ?? '—'),
      h('dt', {}, 'Submitted'), h('dd', {}, time(job.created_at)),
      h('dt', {}, 'Due'), h('dd', {}, time(job.due_at)),
      h('dt', {}, 'Started'), h('dd', {}, time(job.started_at)),
      h('dt', {}, 'Finished'), h('dd', {}, time(job.finished_at)),
      h('dt', {}, 'Attempts'), h('dd', {}, String(job.attempts))),
    job.error && h('p', { class: 'error-inline' }, job.error),
    job.superseded_by && h('p', {}, 'Replaced by a newer submission: ',
      h('a', { href: jobHref(job.superseded_by) }, `job ${job.superseded_by}`)),
    !finished && h('div', { class: 'actions' }, h('button', { type: 'button', class: 'secondary',
      onclick: async () => {
        await api('POST', `v1/jobs/${q(job.id)}/cancel`);
        notify('Cancelled.');
      } }, 'Cancel job')),
    job.result && result(job.result));
}

// queued -> running -> done; a failed or cancelled job ends on its status instead.
function steps(status) {
  const at = { queued: 0, running: 1 }[status] ?? 2;
  const last = status === 'succeeded' ? 'done' : status;
  return h('ol', { class: 'steps', 'aria-label': 'Progress' }, ['queued', 'running', last].map(
    (step, i) => h('li', {
      class: i < at || status === 'succeeded' ? 'done' : i === at && at === 2 ? 'failed' : null,
      'aria-current': i === at ? 'step' : null,
    }, step)));
}

function result(res) {
  const group = (title, changes) => h('section', { 'aria-label': title },
    h('h3', {}, `${title} (${changes.length})`),
    changes.length ? h('ul', {}, changes.map((c) => h('li', {},
      h('a', { href: memoryHref(c.namespace, c.key) }, c.key),
      c.value ? ` — ${summary(c.value)}` : '')))
      : h('p', { class: 'hint' }, 'None.'));
  return h('div', { class: 'result' },
    h('p', {}, 'Outcome: ',
      h('strong', { class: 'job-outcome' }, OUTCOMES[res.outcome] ?? res.outcome)),
    group('Created', res.created), group('Updated', res.updated), group('Deleted', res.deleted),
    res.rejected.length > 0 && rejected(res.rejected),
    h('p', { class: 'meta' }, `${res.duplicates} duplicates skipped · ${res.rejected.length} `
      + `operations rejected · ${res.repaired ?? 0} repaired · `
      + `${res.candidates} existing memories shown to the model · `
      + `${res.usage.llm_calls} LLM calls, ${res.usage.prompt_tokens} + `
      + `${res.usage.completion_tokens} tokens`));
}

const OUTCOMES = {
  stored: 'stored',
  nothing_to_remember: 'nothing worth remembering',
  rejected: 'every operation rejected, nothing stored',
  partially_rejected: 'stored, some operations rejected',
};

// What the model proposed that failed validation (after its repair call), and why.
function rejected(items) {
  return h('section', { 'aria-label': 'Rejected' },
    h('h3', {}, `Rejected (${items.length})`),
    h('ul', {}, items.map((r) => h('li', { class: 'rejected' },
      h('span', { class: 'error-inline' }, r.reason), ' ',
      h('code', {}, JSON.stringify(r.operation))))));
}

function summary(value) {
  const content = value.content ?? value;
  return typeof content?.content === 'string' ? content.content : JSON.stringify(content);
}
