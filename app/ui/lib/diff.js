// Word diff (longest common subsequence over words, spaces and punctuation): small values,
// so O(n*m) is fine; huge ones are shown as a whole replacement rather than freezing the tab.

const MAX_CELLS = 4_000_000;
const TOKEN = /\s+|[\p{L}\p{N}_]+|[^\s\p{L}\p{N}_]/gu;

// [kind, text] runs, kind one of same/del/ins; adjacent tokens of one kind are merged.
export function diffWords(before, after) {
  const a = before ? before.match(TOKEN) : [];
  const b = after ? after.match(TOKEN) : [];
  if (a.length * b.length > MAX_CELLS) return merge([['del', before ?? ''], ['ins', after ?? '']]);
  // lcs[i][j]: common tokens of a[i:] and b[j:]
  const lcs = Array.from({ length: a.length + 1 }, () => new Uint32Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const out = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) { out.push(['same', a[i]]); i++; j++; }
    else if (lcs[i + 1][j] >= lcs[i][j + 1]) out.push(['del', a[i++]]);
    else out.push(['ins', b[j++]]);
  }
  while (i < a.length) out.push(['del', a[i++]]);
  while (j < b.length) out.push(['ins', b[j++]]);
  return merge(out);
}

function merge(parts) {
  const out = [];
  for (const [kind, text] of parts) {
    if (!text) continue;
    if (out.length && out.at(-1)[0] === kind) out.at(-1)[1] += text;
    else out.push([kind, text]);
  }
  return out;
}
