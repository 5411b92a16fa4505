// The page's only way out: the service's public API, same origin, with the tab's key.

const KEY = 'memory-service.api-key';
const BASE = new URL('.', location.href); // the page is /ui: the API is beside it

export const auth = {
  get key() { return sessionStorage.getItem(KEY); },
  set(key) { sessionStorage.setItem(KEY, key); },
  clear() { sessionStorage.removeItem(KEY); },
};

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

const unauthorized = new EventTarget();
export function onUnauthorized(listener) {
  unauthorized.addEventListener('unauthorized', (e) => listener(e.detail));
}

export async function api(method, path, body) {
  const headers = { accept: 'application/json' };
  if (auth.key) headers.authorization = `Bearer ${auth.key}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response;
  try {
    response = await fetch(new URL(path, BASE), {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, `Could not reach the service (${e.message}).`);
  }
  if (!response.ok) {
    const error = new ApiError(response.status, await describe(response));
    if (response.status === 401) {
      unauthorized.dispatchEvent(new CustomEvent('unauthorized', { detail: error.message }));
    }
    throw error;
  }
  return response.status === 204 ? null : response.json();
}

export const q = encodeURIComponent;

// "422 Unprocessable Content: body.content: Field required" from FastAPI's {"detail": ...}.
async function describe(response) {
  const head = `${response.status} ${response.statusText || 'error'}`.trim();
  const text = await response.text().catch(() => '');
  let detail = text;
  try {
    const parsed = JSON.parse(text).detail;
    detail = Array.isArray(parsed)
      ? parsed.map((d) => `${(d.loc ?? []).join('.')}: ${d.msg}`).join('; ')
      : typeof parsed === 'string' ? parsed : JSON.stringify(parsed);
  } catch { /* not JSON: the text as it came */ }
  return detail ? `${head}: ${detail}` : head;
}
