// Paste a conversation and submit it for background extraction, now or debounced. The
// thread is remembered for the tab (a debounce needs the same thread again), and a profile
// fills in its instructions, kinds and allowed operations.

import { api } from '../lib/api.js';
import { parseConversation } from '../lib/conversation.js';
import { field, fill, h, radios } from '../lib/dom.js';
import { jobHref } from '../lib/format.js';

const LAST = 'memory-service.extract';
const newThread = () => `ui-${crypto.randomUUID().slice(0, 8)}`;

export async function renderExtract(view, _args, params) {
  const last = JSON.parse(sessionStorage.getItem(LAST) ?? '{}');
  const { profiles } = await api('GET', 'v1/profiles');
  const conversation = h('textarea', { name: 'conversation', rows: 10, required: true,
    placeholder: 'user: I moved to Lisbon last week.\nassistant: How exciting!' });
  const namespace = h('input', { name: 'namespace', required: true, autocomplete: 'off',
    placeholder: 'memories.alice', value: params.get('ns') ?? last.namespace ?? '' });
  const thread = h('input', { name: 'thread', required: true, autocomplete: 'off',
    value: params.get('thread') || last.thread || newThread() });
  const profile = h('select', { name: 'profile', value: last.profile ?? '' },
    h('option', { value: '' }, 'None: facts as text (kind Memory)'),
    profiles.map((p) => h('option', { value: p.name },
      `${p.name}${p.description ? ` — ${p.description}` : ''}`)));
  const quiet = h('input', { name: 'after', type: 'number', min: '0', step: 'any', value: '30' });
  const form = h('form', { onsubmit: async (e) => {
    e.preventDefault();
    const debounced = form.querySelector('input[name=when]:checked').value === 'debounced';
    const chosen = profiles.find((p) => p.name === profile.value);
    const body = {
      messages: parseConversation(conversation.value),
      namespace: namespace.value.trim().split('.'),
      thread_id: thread.value.trim(),
      after_seconds: debounced ? Number(quiet.value || 0) : 0,
    };
    if (chosen) {
      Object.assign(body, { instructions: chosen.instructions, kinds: chosen.kinds,
        enable_inserts: chosen.enable_inserts, enable_updates: chosen.enable_updates,
        enable_deletes: chosen.enable_deletes });
    }
    const job = await api('POST', 'v1/jobs/extract', body);
    sessionStorage.setItem(LAST, JSON.stringify({ namespace: namespace.value.trim(),
      thread: body.thread_id, profile: profile.value }));
    location.hash = jobHref(job.id);
  } },
    field('Conversation', conversation, 'One message per line, starting "user:" or '
      + '"assistant:"; or a JSON list of {"role", "content"}'),
    field('Namespace', namespace, 'Where the memories go, dotted'),
    field('Thread', thread, 'Kept for this tab: a newer submission on the thread replaces a '
      + 'job not yet started'),
    h('div', { class: 'actions' }, h('button', { type: 'button', class: 'secondary',
      onclick: () => { thread.value = newThread(); } }, 'New thread')),
    field('Profile', profile, 'Its instructions, kinds and allowed operations'),
    radios('When', 'when', [['now', 'Now'], ['debounced', 'Debounced']], 'now'),
    field('Quiet for (seconds)', quiet, 'Debounced: run once the thread has been quiet this long'),
    h('button', { type: 'submit' }, 'Submit for extraction'));
  fill(view, h('h2', {}, 'Extract memories from a conversation'), form);
}
