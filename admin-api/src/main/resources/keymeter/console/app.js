// The console's entry point: loads the session, then draws the screen location.hash names.
import { loadSession, signOut, get, seg, ApiError } from './api.js';
import { h, fill } from './dom.js';
import { match, go } from './router.js';
import { notify, showPending } from './ui.js';
import './keys.js';
import './overview.js';
import './projects.js';
import './audit.js';

const view = document.getElementById('view');
let ctx = null;

async function show() {
  const hash = location.hash || '';
  const home = ctx.session.kind === 'KEY_KIND_PROJECT' ? '#/keys/' + seg(ctx.session.keyId) : '#/keys';
  if (!hash || hash === '#' || hash === '#/') {
    go(home);
    return;
  }
  const found = match(hash);
  for (const link of document.querySelectorAll('[data-nav]')) {
    link.toggleAttribute('aria-current', hash.startsWith('#/' + link.dataset.nav));
  }
  notify('');
  if (!found) {
    fill(view, h('h1', {}, 'Not found'), h('p', {}, 'No screen at ' + hash + '. '), h('a', { href: home }, 'Back'));
    return;
  }
  fill(view, h('p', { class: 'loading' }, 'Loading…'));
  try {
    await found.render(view, ctx, ...found.args);
    showPending();
  } catch (err) {
    fill(view, h('h1', {}, 'Something went wrong'),
      h('p', { class: 'form-error', role: 'alert' }, err instanceof ApiError ? err.text : String(err)));
  }
}

async function start() {
  const session = await loadSession();
  let me = null;
  try {
    me = await get('/v1/keys/' + seg(session.keyId));
  } catch (err) {
    me = { id: session.keyId, name: session.keyId };
  }
  ctx = { session, me, user: youUser(session, me) };
  fill(document.getElementById('who'), 'Signed in as ', h('strong', {}, session.user || me.name || me.id),
    session.kind === 'KEY_KIND_PROJECT' ? ' (project key)' : '');
  if (session.kind === 'KEY_KIND_PROJECT') {
    for (const link of document.querySelectorAll('[data-nav]')) link.hidden = true;
  }
  document.getElementById('sign-out').addEventListener('click', () => signOut());
  window.addEventListener('hashchange', show);
  await show();
}

/** Who "You" is when creating a key: the person the proxy named, else the signed-in key's own user. */
function youUser(session, me) {
  if (session.user) return session.user;
  if (me && me.ownerType === 'OWNER_TYPE_USER' && me.ownerUser) return me.ownerUser;
  return '';
}

start().catch((err) => notify(err instanceof ApiError ? err.text : String(err), 'error'));
