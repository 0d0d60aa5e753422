// The API Keys screen: the table (Created, Name, Type, Status, Permissions, Created by) with filters by
// type and permissions, the status toggle, and Edit, Duplicate, Revoke and Delete on every row.
import { get, post, del, seg, ApiError } from './api.js';
import { h, fill, when, label } from './dom.js';
import { route } from './router.js';
import { notify, confirmAction } from './ui.js';
import { openKeyPanel } from './keyform.js';

route(/^#\/keys$/, async (view, ctx) => {
  fill(view,
    h('div', { class: 'heading' }, h('h1', {}, 'API Keys'),
      h('button', { type: 'button', class: 'primary', id: 'create-key',
        onclick: () => openKeyPanel(ctx, { mode: 'create', onDone: () => table.reload() }) }, 'Create API key')));
  const table = keysTable(view, ctx, {});
  await table.reload();
});

const TYPE_FILTER = [['', 'All types'], ['OWNER_TYPE_USER', 'User'], ['OWNER_TYPE_SERVICE_ACCOUNT', 'Service']];
const PERMISSION_FILTER = [['', 'All permissions'], ['PERMISSION_PRESET_ALL', 'All'],
  ['PERMISSION_PRESET_READ_ONLY', 'Read only'], ['PERMISSION_PRESET_RESTRICTED', 'Restricted']];
const STATUS_FILTER = [['', 'Any status'], ['KEY_STATUS_ACTIVE', 'Active'], ['KEY_STATUS_DISABLED', 'Disabled'],
  ['KEY_STATUS_REVOKED', 'Revoked']];

function select(id, text, options, onchange) {
  return h('label', { class: 'filter' }, text + ' ',
    h('select', { id, onchange }, options.map(([value, name]) => h('option', { value }, name))));
}

/**
 * A keys table with its filters, appended to container; fixed holds filters that never change (the
 * project page passes its projectId). Returns { reload }.
 */
export function keysTable(container, ctx, fixed) {
  const body = h('tbody');
  const more = h('button', { type: 'button', class: 'quiet', hidden: true, onclick: () => load(true) }, 'Load more');
  const reload = () => load(false);
  const filters = h('div', { class: 'filters', role: 'group', 'aria-label': 'Filter keys' },
    select('filter-type', 'Type', TYPE_FILTER, reload),
    select('filter-permissions', 'Permissions', PERMISSION_FILTER, reload),
    select('filter-status', 'Status', STATUS_FILTER, reload));
  container.append(filters, h('table', { class: 'keys', id: 'keys-table' },
    h('thead', {}, h('tr', {}, ['Created', 'Name', 'Type', 'Status', 'Permissions', 'Created by', 'Actions']
      .map((c) => h('th', { scope: 'col' }, c)))), body), more);
  let nextPage = '';
  // "Created by" names the creating key when it is known (the signed-in key, or a key on the page).
  const names = new Map([[ctx.me.id, ctx.me.name]]);

  async function load(append) {
    const params = {
      ...fixed,
      ownerType: filters.querySelector('#filter-type').value,
      permissionPreset: filters.querySelector('#filter-permissions').value,
      status: filters.querySelector('#filter-status').value,
      pageSize: 50,
      pageToken: append ? nextPage : '',
    };
    const page = await get('/v1/keys', params);
    if (!append) body.replaceChildren();
    for (const key of page.keys || []) names.set(key.id, key.name);
    for (const key of page.keys || []) body.append(row(key, ctx, reload, names));
    if (!body.children.length) {
      body.append(h('tr', {}, h('td', { colspan: 7, class: 'empty' }, 'No keys match these filters.')));
    }
    nextPage = page.nextPageToken || '';
    more.hidden = !nextPage;
  }
  return { reload };
}

function row(key, ctx, reload, names) {
  const scope = key.kind === 'KEY_KIND_ADMIN' ? 'Organization' : key.projectId;
  return h('tr', { dataset: { keyId: key.id, status: key.status } },
    h('td', {}, when(key.createTime)),
    h('td', {}, h('a', { href: '#/keys/' + seg(key.id), class: 'key-name' }, key.name),
      h('div', { class: 'sub' }, `${label(key.kind)} · ${scope} · ${key.displayToken || ''}`,
        key.legacy ? h('span', { class: 'badge' }, 'Legacy') : null)),
    h('td', { class: 'type' }, label(key.ownerType)),
    h('td', {}, statusToggle(key, reload)),
    h('td', { class: 'permissions' }, label(key.permissions && key.permissions.preset)),
    h('td', { class: 'created-by', title: key.createdBy }, names.get(key.createdBy) || key.createdBy),
    h('td', { class: 'row-actions' }, actions(key, ctx, reload)));
}

/** Active ⇄ Disabled as a switch; a revoked key has no way back, so no switch. */
function statusToggle(key, reload) {
  if (key.status === 'KEY_STATUS_REVOKED') return h('span', { class: 'status revoked' }, 'Revoked');
  const active = key.status === 'KEY_STATUS_ACTIVE';
  return h('button', {
    type: 'button', role: 'switch', class: 'toggle', 'aria-checked': String(active),
    'aria-label': `${key.name}: ${active ? 'active' : 'disabled'}`,
    onclick: async (event) => {
      event.currentTarget.disabled = true;
      try {
        await post(`/v1/keys/${seg(key.id)}:${active ? 'disable' : 'enable'}`);
        notify(`${key.name} is now ${active ? 'disabled' : 'active'}.`);
      } catch (err) {
        notify(err instanceof ApiError ? err.text : String(err), 'error');
      }
      await reload();
    },
  }, h('span', { class: 'knob' }), active ? 'Active' : 'Disabled');
}

function actions(key, ctx, reload) {
  const revoked = key.status === 'KEY_STATUS_REVOKED';
  return [
    h('a', { href: '#/keys/' + seg(key.id), class: 'button quiet' }, 'Overview'),
    h('button', { type: 'button', class: 'quiet', disabled: revoked,
      onclick: () => openKeyPanel(ctx, { mode: 'edit', key, onDone: reload }) }, 'Edit'),
    h('button', { type: 'button', class: 'quiet', disabled: key.legacy,
      onclick: () => openKeyPanel(ctx, { mode: 'duplicate', key, onDone: reload }) }, 'Duplicate'),
    h('button', { type: 'button', class: 'quiet danger-text', disabled: revoked,
      onclick: () => revoke(key, reload) }, 'Revoke'),
    h('button', { type: 'button', class: 'quiet danger-text', onclick: () => remove(key, reload) }, 'Delete'),
  ];
}

async function revoke(key, reload) {
  const sure = await confirmAction(`Revoke ${key.name}?`,
    'Revoking an API key is permanent and cannot be undone. Make sure the key is not being used by any '
    + 'applications before revoking it.', 'Revoke');
  if (!sure) return;
  try {
    await post(`/v1/keys/${seg(key.id)}:revoke`);
    notify(`${key.name} is revoked.`);
  } catch (err) {
    notify(err instanceof ApiError ? err.text : String(err), 'error');
  }
  await reload();
}

async function remove(key, reload) {
  const sure = await confirmAction(`Delete ${key.name}?`,
    'Deleting an API key is permanent and cannot be undone: it stops working and leaves this list.', 'Delete');
  if (!sure) return;
  try {
    await del(`/v1/keys/${seg(key.id)}`);
    notify(`${key.name} is deleted.`);
  } catch (err) {
    notify(err instanceof ApiError ? err.text : String(err), 'error');
  }
  await reload();
}
