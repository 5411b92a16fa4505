// An extraction job, watched until it finishes: what it was given, what it changed, and
// what was rejected and why.

import { api, q } from '../lib/api.js';
import { fill, h, plural, shortId, time } from '../lib/dom.js';
import { jobHref, nsText } from '../lib/format.js';
import { notify, showError } from '../lib/messages.js';
import { jobResult } from './job-result.js';
import { refreshTree } from './tree.js';

const POLL_MS = 500;

// alive(): this view is still the one shown (stop polling once the person navigates away).
export async function renderJob(view, [id], _params, alive) {
  let shown = '';
  const conversation = h('section', { 'aria-labelledby': 'conversation-title' });
  api('GET', `v1/jobs/${q(id)}/conversation`)
    .then(({ messages }) => fill(conversation, conversationView(messages)))
    .catch((e) => fill(conversation, h('p', { class: 'error-inline' }, e.message)));
  const poll = async () => {
    const job = await api('GET', `v1/jobs/${q(id)}`);
    if (!alive()) return;
    const state = JSON.stringify(job);
    if (state !== shown) {
      shown = state;
      draw(view, job, conversation);
      if (job.status === 'succeeded') refreshTree();
    }
    if (job.status === 'queued' || job.status === 'running') {
      setTimeout(() => poll().catch((e) => alive() && showError(e)), POLL_MS);
    }
  };
  await poll();
}

function draw(view, job, conversation) {
  const finished = !['queued', 'running'].includes(job.status);
  const again = `#/extract?ns=${q(nsText(job.namespace))}&thread=${q(job.thread_id ?? '')}`;
  fill(view,
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
      h('a', { href: jobHref(job.superseded_by), title: job.superseded_by },
        `job ${shortId(job.superseded_by)}`)),
    h('div', { class: 'actions' },
      !finished && h('button', { type: 'button', class: 'secondary', onclick: async () => {
        await api('POST', `v1/jobs/${q(job.id)}/cancel`);
        notify('Cancelled.');
      } }, 'Cancel job'),
      h('a', { href: again }, 'Submit more on this thread'),
      h('a', { href: `#/jobs?thread_id=${q(job.thread_id ?? '')}` }, 'Jobs of this thread'),
      h('a', { href: '#/jobs' }, 'All jobs')),
    job.result && jobResult(job.result),
    conversation);
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

function conversationView(messages) {
  return [h('h3', { id: 'conversation-title' }, `Conversation (${plural(messages.length, 'message')})`),
    h('ol', { class: 'conversation' }, messages.map((m) => h('li', {},
      h('strong', {}, `${m.role ?? m.type ?? 'message'}: `),
      typeof m.content === 'string' ? m.content : JSON.stringify(m.content))))];
}
