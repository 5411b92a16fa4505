// Paste a conversation and submit it for background extraction, now or debounced.

import { api } from '../lib/api.js';
import { parseConversation } from '../lib/conversation.js';
import { field, h, radios } from '../lib/dom.js';
import { jobHref } from '../lib/format.js';

export function renderExtract(view) {
  const conversation = h('textarea', { name: 'conversation', rows: 10, required: true,
    placeholder: 'user: I moved to Lisbon last week.\nassistant: How exciting!' });
  const namespace = h('input', { name: 'namespace', required: true, autocomplete: 'off',
                                 placeholder: 'memories.alice' });
  const thread = h('input', { name: 'thread', required: true, autocomplete: 'off',
                              value: `ui-${crypto.randomUUID().slice(0, 8)}` });
  const quiet = h('input', { name: 'after', type: 'number', min: '0', step: 'any', value: '30' });
  const form = h('form', { onsubmit: async (e) => {
    e.preventDefault();
    const debounced = form.querySelector('input[name=when]:checked').value === 'debounced';
    const job = await api('POST', 'v1/jobs/extract', {
      messages: parseConversation(conversation.value),
      namespace: namespace.value.trim().split('.'),
      thread_id: thread.value.trim(),
      after_seconds: debounced ? Number(quiet.value || 0) : 0,
    });
    location.hash = jobHref(job.id);
  } },
    field('Conversation', conversation, 'One message per line, starting "user:" or '
      + '"assistant:"; or a JSON list of {"role", "content"}'),
    field('Namespace', namespace, 'Where the memories go, dotted'),
    field('Thread', thread, 'A newer submission on the thread replaces a job not yet started'),
    radios('When', 'when', [['now', 'Now'], ['debounced', 'Debounced']], 'now'),
    field('Quiet for (seconds)', quiet, 'Debounced: run once the thread has been quiet this long'),
    h('button', { type: 'submit' }, 'Submit for extraction'));
  view.replaceChildren(h('h2', {}, 'Extract memories from a conversation'), form);
}
