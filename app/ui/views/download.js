// Export a prefix as a JSON Lines download: fetched with the tab's key (a plain link would
// carry none), handed to the browser as a file.

import { ApiError, auth } from '../lib/api.js';
import { notify } from '../lib/messages.js';
import { scopesUnder } from '../lib/session.js';

export async function exportPrefix(dotted) {
  const parts = [];
  for (const scope of scopesUnder(dotted)) {
    const headers = auth.key ? { authorization: `Bearer ${auth.key}` } : {};
    const response = await fetch(new URL(`v1/export?prefix=${encodeURIComponent(scope)}`,
      new URL('.', location.href)), { headers });
    if (!response.ok) throw new ApiError(response.status, `${response.status}: ${await response.text()}`);
    parts.push(await response.text());
  }
  const text = parts.join('');
  const lines = text.split('\n').filter(Boolean).length;
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([text], { type: 'application/x-ndjson' }));
  link.download = `${dotted || 'memories'}.jsonl`;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  notify(`Exported ${lines} ${lines === 1 ? 'memory' : 'memories'} to ${link.download}.`);
}
