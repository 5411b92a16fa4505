// The create and edit form: kind, content as text or a JSON object, TTL.

import { field, h } from '../lib/dom.js';
import { plainText } from '../lib/format.js';

// memory: the one being edited (namespace and key fixed), or null to create.
// onSubmit(body) receives the API body; its errors show in the page's error box.
export function memoryForm({ memory = null, namespace = '', submitLabel, onSubmit, onCancel }) {
  const value = memory?.value ?? { kind: 'Memory', content: { content: '' } };
  const text = plainText(value.content);
  const ns = h('input', { name: 'namespace', value: namespace, required: true,
                          placeholder: 'memories.alice', autocomplete: 'off' });
  const key = h('input', { name: 'key', autocomplete: 'off' });
  const kind = h('input', { name: 'kind', value: value.kind ?? 'Memory', required: true });
  const format = h('select', { name: 'format', value: text === null ? 'json' : 'text' },
    h('option', { value: 'text' }, 'Text'), h('option', { value: 'json' }, 'JSON object'));
  const content = h('textarea', { name: 'content', required: true, rows: 6,
    value: text ?? JSON.stringify(value.content, null, 2) });
  const ttl = h('input', { name: 'ttl', type: 'number', min: '0', step: 'any',
                           value: memory?.ttl_minutes ?? '' });

  const form = h('form', { class: 'memory-form', onsubmit: async (e) => {
    e.preventDefault();
    const body = { kind: kind.value.trim(), content: parseContent(format.value, content.value),
                   ttl: ttl.value ? Number(ttl.value) : null };
    if (!memory) {
      body.namespace = ns.value.trim().split('.');
      if (key.value.trim()) body.key = key.value.trim();
    }
    await onSubmit(body);
  } },
    !memory && field('Namespace', ns, 'Dotted labels, e.g. memories.alice'),
    !memory && field('Key', key, 'Optional: the server makes a UUID'),
    field('Kind', kind),
    field('Content format', format),
    field('Content', content, 'Text for a plain memory; a JSON object for a structured kind'),
    field('TTL (minutes)', ttl, 'Empty: kept forever; refreshed when read'),
    h('div', { class: 'actions' },
      h('button', { type: 'submit' }, submitLabel),
      onCancel && h('button', { type: 'button', class: 'secondary', onclick: onCancel }, 'Cancel')));
  return form;
}

function parseContent(format, text) {
  if (format === 'text') return text;
  let parsed;
  try { parsed = JSON.parse(text); } catch (e) {
    throw new Error(`The content is not valid JSON: ${e.message}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error('JSON content must be an object, e.g. {"name": "Alice"}.');
  }
  return parsed;
}
