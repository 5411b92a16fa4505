// The memory browser: sign-in, the hash router, and the views it shows.

import { api, auth, onUnauthorized } from './lib/api.js';
import { fill } from './lib/dom.js';
import { clearError, clearNotice, showError } from './lib/messages.js';
import { describeMe, loadMe } from './lib/session.js';
import { renderAdmin } from './views/admin.js';
import { renderCreate } from './views/create.js';
import { renderExtract } from './views/extract.js';
import { renderJob } from './views/job.js';
import { renderJobs } from './views/jobs.js';
import { renderMemory } from './views/memory.js';
import { renderNamespace } from './views/namespace.js';
import { renderSearch } from './views/search.js';
import { markCurrent, refreshTree } from './views/tree.js';

const $ = (id) => document.getElementById(id);
const ROUTES = {
  '': renderHome, ns: renderNamespace, memory: renderMemory, search: renderSearch,
  new: renderCreate, extract: renderExtract,
  jobs: (view, args, ...rest) => (args[0] ? renderJob : renderJobs)(view, args, ...rest),
  admin: renderAdmin,
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

window.addEventListener('hashchange', () => route());

// The skip link jumps past the header and the tree; the router owns the hash, so no href jump.
$('skip').addEventListener('click', (e) => {
  e.preventDefault();
  const target = $('app').hidden ? $('api-key') : $('view').querySelector('h2') ?? $('view');
  target.tabIndex = target.tabIndex < 0 || target === $('view') ? -1 : target.tabIndex;
  target.focus();
});

// Does the API accept this tab as it is (its key, or none while no keys are configured)?
// A 401 shows the sign-in form (onUnauthorized); 403 is a key that may read less.
async function probe() {
  try {
    const me = await loadMe();
    $('whoami').textContent = describeMe(me);
    $('admin-link').hidden = !me.admin;
  } catch (e) {
    if (e.status === 401) return false;
    showError(e);
  }
  return true;
}

function showSignIn(message) {
  $('loading').hidden = true;
  $('app').hidden = true;
  $('sign-out').hidden = true;
  $('whoami').textContent = '';
  $('admin-link').hidden = true;
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
  route(false);
}

// focus: move the keyboard to the new view's heading (not on the first load: the page's top).
async function route(focus = true) {
  if (location.hash === lastHash) return;
  const hash = lastHash = location.hash;
  const [path, query = ''] = location.hash.replace(/^#\/?/, '').split('?');
  const [name, ...args] = path.split('/').map(decodeURIComponent);
  const render = ROUTES[name] ?? renderHome;
  const id = ++shownRoute;
  const view = $('view');
  clearError();
  if (name !== 'memory') clearNotice(); // a create or delete lands on a memory with a notice
  if (!['ns', 'memory'].includes(name)) markCurrent(null);
  const previous = view.firstChild;
  view.setAttribute('aria-busy', 'true'); // until this route's answer is drawn (or replaced)
  try {
    await render(view, args, new URLSearchParams(query), () => id === shownRoute);
    if (focus && id === shownRoute && !view.contains(document.activeElement)) {
      const heading = view.querySelector('h2');
      if (heading) { heading.tabIndex = -1; heading.focus(); }
    }
  } catch (e) {
    if (id !== shownRoute) return;
    // the last view's content must not read as this one's (a view that drew its form first,
    // like search, keeps it: the error is about what was typed there)
    if (view.firstChild === previous) fill(view);
    showError(e);
  } finally {
    if (id === shownRoute) {
      view.removeAttribute('aria-busy');
      view.dataset.shows = hash; // which address the drawn view answers
    }
  }
}

function renderHome(view) {
  fill(view, document.createRange().createContextualFragment(`
    <h2 tabindex="-1">What do your agents remember?</h2>
    <p>Pick a namespace in the tree to list its memories, newest first. Open a memory for its
      history: where each change came from, what changed, and a way back to any version.</p>
    <p><a href="#/search">Search</a> across namespaces, add a <a href="#/new">new memory</a>,
      or <a href="#/extract">extract memories from a conversation</a> and follow its
      <a href="#/jobs">jobs</a>.</p>`));
}

(async () => { if (await probe()) enter(); })();
