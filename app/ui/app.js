// The memory browser: sign-in, the hash router, and the views it shows.

import { api, auth, onUnauthorized } from './lib/api.js';
import { clearError, clearNotice, showError } from './lib/messages.js';
import { renderCreate } from './views/create.js';
import { renderExtract } from './views/extract.js';
import { renderJob } from './views/job.js';
import { renderMemory } from './views/memory.js';
import { renderNamespace } from './views/namespace.js';
import { renderSearch } from './views/search.js';
import { markCurrent, refreshTree } from './views/tree.js';

const $ = (id) => document.getElementById(id);
const ROUTES = {
  '': renderHome, ns: renderNamespace, memory: renderMemory, search: renderSearch,
  new: renderCreate, extract: renderExtract, jobs: renderJob,
};
let shownRoute = 0;
let lastHash = null;

// Whatever fails, say so in the page: never a blank screen.
window.addEventListener('error', (e) => showError(e.error ?? e.message));
window.addEventListener('unhandledrejection', (e) => showError(e.reason));

onUnauthorized((message) => {
  const hadKey = Boolean(auth.key);
  auth.clear();
  showSignIn(hadKey ? `The key was refused (${message}). Sign in again.` : '');
});

$('sign-in-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  auth.set($('api-key').value.trim());
  $('api-key').value = '';
  if (await probe()) enter();
});

$('sign-out').addEventListener('click', () => {
  auth.clear();
  showSignIn('Signed out.');
});

window.addEventListener('hashchange', route);

// Does the API accept this tab as it is (its key, or none while no keys are configured)?
// A 401 shows the sign-in form (onUnauthorized); 403 is a key that may read less.
async function probe() {
  try {
    await api('GET', 'v1/namespaces?limit=1');
  } catch (e) {
    if (e.status === 401) return false;
    if (e.status !== 403) showError(e);
  }
  return true;
}

function showSignIn(message) {
  $('loading').hidden = true;
  $('app').hidden = true;
  $('sign-out').hidden = true;
  $('sign-in').hidden = false;
  $('sign-in-message').textContent = message;
  clearError();
  $('api-key').focus();
}

function enter() {
  $('loading').hidden = true;
  $('sign-in').hidden = true;
  $('app').hidden = false;
  $('sign-out').hidden = !auth.key;
  lastHash = null;
  refreshTree();
  route();
}

async function route() {
  if (location.hash === lastHash) return;
  lastHash = location.hash;
  const [path, query = ''] = location.hash.replace(/^#\/?/, '').split('?');
  const [name, ...args] = path.split('/').map(decodeURIComponent);
  const render = ROUTES[name] ?? renderHome;
  const id = ++shownRoute;
  const view = $('view');
  clearError();
  if (name !== 'memory') clearNotice(); // a create or delete lands on a memory with a notice
  if (!['ns', 'memory'].includes(name)) markCurrent(null);
  try {
    await render(view, args, new URLSearchParams(query), () => id === shownRoute);
  } catch (e) {
    if (id === shownRoute) showError(e);
  }
}

function renderHome(view) {
  view.replaceChildren(document.createRange().createContextualFragment(`
    <h2>What do your agents remember?</h2>
    <p>Pick a namespace in the tree to list its memories, newest first. Open a memory for its
      history: where each change came from, what changed, and a way back to any version.</p>
    <p><a href="#/search">Search</a> across namespaces, add a <a href="#/new">new memory</a>,
      or <a href="#/extract">extract memories from a conversation</a>.</p>`));
}

(async () => { if (await probe()) enter(); })();
