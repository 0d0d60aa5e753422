// The audit log, newest first, filtered by key (target), actor and action.
import { get } from './api.js';
import { h, fill, when } from './dom.js';
import { route } from './router.js';

const ACTIONS = ['CreateProject', 'DeleteProject', 'AddMember', 'RemoveMember', 'CreateKey', 'UpdateKey',
  'DuplicateKey', 'RotateKey', 'DisableKey', 'EnableKey', 'RevokeKey', 'DeleteKey', 'ImportLegacyKey',
  'ResetKeyUsage', 'Bootstrap', 'RecoverAdminKey', 'RefusedCalls', 'RefusedWhileDiskFull'];

route(/^#\/audit$/, async (view) => {
  const body = h('tbody');
  const more = h('button', { type: 'button', class: 'quiet', hidden: true, onclick: () => load(true) }, 'Load more');
  const form = h('form', { class: 'filters', id: 'audit-filters', role: 'search' },
    h('label', { for: 'audit-key' }, 'Key id '), h('input', { id: 'audit-key', placeholder: 'key_…' }),
    h('label', { for: 'audit-actor' }, 'Actor key id '), h('input', { id: 'audit-actor' }),
    h('label', { for: 'audit-action' }, 'Action '),
    h('select', { id: 'audit-action' }, h('option', { value: '' }, 'Any action'), ACTIONS.map((a) => h('option', { value: a }, a))),
    h('button', { type: 'submit', class: 'primary' }, 'Filter'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    load(false);
  });
  fill(view, h('h1', {}, 'Audit log'), form,
    h('table', { id: 'audit-table' }, h('thead', {}, h('tr', {},
      ['Time', 'Actor', 'Action', 'Target', 'Outcome', 'Changes'].map((c) => h('th', { scope: 'col' }, c)))), body),
    more);
  let nextPage = '';

  async function load(append) {
    const key = form.querySelector('#audit-key').value.trim();
    const page = await get('/v1/audit-records', {
      target: key && !key.includes('/') ? 'key/' + key : key,
      actorKeyId: form.querySelector('#audit-actor').value.trim(),
      action: form.querySelector('#audit-action').value,
      pageSize: 100,
      pageToken: append ? nextPage : '',
    });
    if (!append) body.replaceChildren();
    for (const record of page.records || []) {
      body.append(h('tr', { class: record.outcome === 'OK' ? '' : 'refused' },
        h('td', {}, when(record.time)), h('td', {}, record.actorKeyId || '—'), h('td', {}, record.action),
        h('td', {}, record.target), h('td', {}, record.outcome),
        h('td', { class: 'changes' }, Object.entries(record.changes || {}).map(([k, v]) => `${k}=${v}`).join(', '))));
    }
    if (!body.children.length) body.append(h('tr', {}, h('td', { colspan: 6, class: 'empty' }, 'No records match.')));
    nextPage = page.nextPageToken || '';
    more.hidden = !nextPage;
  }
  await load(false);
});
