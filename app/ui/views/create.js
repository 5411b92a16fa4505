// A new memory, optionally in the namespace the page came from (#/new?ns=...).

import { api } from '../lib/api.js';
import { fill, h } from '../lib/dom.js';
import { memoryHref } from '../lib/format.js';
import { notify } from '../lib/messages.js';
import { memoryForm } from './memory-form.js';
import { refreshTree } from './tree.js';

export function renderCreate(view, _args, params) {
  fill(view, h('h2', {}, 'New memory'), memoryForm({
    namespace: params.get('ns') ?? '',
    submitLabel: 'Create',
    onSubmit: async (body) => {
      const created = await api('POST', 'v1/memories', body);
      refreshTree();
      location.hash = memoryHref(created.namespace, created.key);
      notify(`Created ${created.key}.`);
    },
  }));
}
