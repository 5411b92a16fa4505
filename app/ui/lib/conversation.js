// A pasted conversation as chat messages: a JSON list of {role, content}, or lines that
// start with "user:" / "assistant:" / "system:" (other lines continue the message above).

const ROLE = /^\s*(user|assistant|system|human|ai)\s*:\s?(.*)$/i;
const ALIASES = { human: 'user', ai: 'assistant' };

export function parseConversation(text) {
  const trimmed = text.trim();
  if (!trimmed) throw new Error('The conversation is empty.');
  if (trimmed.startsWith('[')) {
    let messages;
    try { messages = JSON.parse(trimmed); } catch (e) {
      throw new Error(`The conversation looks like JSON but does not parse: ${e.message}`);
    }
    if (!Array.isArray(messages) || !messages.every((m) => m && typeof m === 'object')) {
      throw new Error('A JSON conversation must be a list of {"role", "content"} objects.');
    }
    return messages;
  }
  const messages = [];
  for (const line of trimmed.split('\n')) {
    const match = ROLE.exec(line);
    if (match) {
      const role = match[1].toLowerCase();
      messages.push({ role: ALIASES[role] ?? role, content: match[2] });
    } else if (messages.length) {
      messages.at(-1).content += `\n${line}`;
    } else {
      messages.push({ role: 'user', content: line });
    }
  }
  return messages;
}
