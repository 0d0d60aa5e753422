// The create panel (also Edit and Duplicate): owner, name, project, permission preset with the
// per-resource None/Read/Write matrix, expiration, and the optional limits each behind its toggle.
import { get, post, patch, seg, ApiError } from './api.js';
import { h, label, resourceLabel, toMicros, usd } from './dom.js';
import { modal, showError, saveKeyDialog, notify } from './ui.js';

let catalog = null;

async function resources() {
  if (!catalog) catalog = (await get('/console/catalog.json')).resources;
  return catalog;
}

async function projectIds(ctx) {
  if (ctx.session.kind !== 'KEY_KIND_ADMIN') return [];
  try {
    return ((await get('/v1/projects', { pageSize: 1000 })).projects || []).map((p) => p.id);
  } catch (err) {
    return [];
  }
}

/**
 * Opens the panel. options.mode: 'create', 'edit' or 'duplicate' (create, pre-filled from options.key);
 * options.projectId pre-selects a project; options.onDone runs after a successful save.
 */
export async function openKeyPanel(ctx, options) {
  const { mode, key } = options;
  const [catalogEntries, projects] = await Promise.all([resources(), projectIds(ctx)]);
  const legacy = Boolean(key && key.legacy);
  const editing = mode === 'edit';
  const form = h('form', { class: 'key-form', novalidate: true },
    ownerField(ctx, mode, key),
    h('label', { for: 'key-name' }, 'Name'),
    h('input', { id: 'key-name', name: 'name', required: true, maxlength: 100, 'data-field': 'name',
      value: key ? (mode === 'duplicate' ? `${key.name} (copy)` : key.name) : '' }),
    projectField(projects, key, options.projectId, editing),
    permissionsField(catalogEntries, key, legacy),
    expirationField(key),
    legacy ? legacyNote() : limitsField(key),
    h('p', { class: 'form-error', role: 'alert' }),
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'quiet', onclick: () => dialog.close() }, 'Cancel'),
      h('button', { type: 'submit', class: 'primary', id: 'key-submit' },
        editing ? 'Save changes' : 'Create API key')));
  const title = editing ? `Edit ${key.name}` : (mode === 'duplicate' ? 'Duplicate API key' : 'Create API key');
  const dialog = modal(title, form, 'panel');
  wireToggles(form);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      if (editing) {
        await patch('/v1/keys/' + seg(key.id), updateRequest(form, legacy));
        dialog.close();
        notify(`${form.elements.name.value} is saved.`);
        if (options.onDone) await options.onDone();
      } else {
        const created = await post('/v1/keys', createRequest(form, ctx));
        dialog.close();
        saveKeyDialog(created.token, created.key, options.onDone);
      }
    } catch (err) {
      showError(form, err);
    }
  });
  return dialog;
}

function ownerField(ctx, mode, key) {
  const choices = [];
  const other = key && key.ownerType === 'OWNER_TYPE_USER' && key.ownerUser !== ctx.user ? key.ownerUser : '';
  const wanted = key ? (key.ownerType === 'OWNER_TYPE_USER' ? (other ? 'other' : 'you') : 'service')
    : (ctx.user ? 'you' : 'service');
  if (ctx.user) choices.push(['you', `You (${ctx.user})`]);
  if (other) choices.push(['other', other]);
  choices.push(['service', 'Service account']);
  return h('fieldset', { class: 'owner', disabled: mode === 'edit', 'data-field': 'owner_user' },
    h('legend', {}, 'Owner'),
    choices.map(([value, text]) => h('label', { class: 'choice' },
      h('input', { type: 'radio', name: 'owner', value, id: 'owner-' + value, checked: value === wanted,
        dataset: { user: value === 'you' ? ctx.user : (value === 'other' ? other : '') } }), ' ' + text)),
    h('p', { class: 'help' }, ctx.user ? 'A user key is revoked when its user leaves the project.'
      : 'Service account keys belong to no user. (Signed in without a user: "You" is not offered.)'));
}

function projectField(projects, key, preselected, editing) {
  const current = key ? key.projectId || '' : (preselected || projects[0] || '');
  const ids = new Set(projects);
  if (current) ids.add(current);
  return [h('label', { for: 'key-project' }, 'Project'),
    h('select', { id: 'key-project', name: 'project', disabled: editing, 'data-field': 'project_id' },
      [...ids].map((id) => h('option', { value: id, selected: id === current }, id)),
      h('option', { value: '', selected: current === '' }, 'Organization-wide (admin key)'))];
}

const PRESETS = [['PERMISSION_PRESET_ALL', 'All', 'Read and write access to all API resources'],
  ['PERMISSION_PRESET_READ_ONLY', 'Read only', 'Read access to all API resources'],
  ['PERMISSION_PRESET_RESTRICTED', 'Restricted', 'Custom per-resource access']];
const LEVELS = ['ACCESS_LEVEL_NONE', 'ACCESS_LEVEL_READ', 'ACCESS_LEVEL_WRITE'];

function permissionsField(entries, key, legacy) {
  const preset = (key && key.permissions && key.permissions.preset) || 'PERMISSION_PRESET_ALL';
  const granted = (key && key.permissions && key.permissions.resources) || {};
  const presets = PRESETS.filter(([value]) => !legacy || value !== 'PERMISSION_PRESET_RESTRICTED');
  const matrix = h('table', { class: 'matrix', id: 'matrix', hidden: preset !== 'PERMISSION_PRESET_RESTRICTED' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Resource'),
      LEVELS.map((level) => h('th', { scope: 'col' }, label(level))))),
    h('tbody', {}, entries.map((entry) => h('tr', { dataset: { resource: entry.name } },
      h('th', { scope: 'row' }, resourceLabel(entry.name), entry.group === 'gateway' ? h('span', { class: 'sub' }, ' gateway') : null),
      LEVELS.map((level) => h('td', {}, h('input', {
        type: 'radio', name: 'perm-' + entry.name, value: level, id: `perm-${entry.name}-${label(level).toLowerCase()}`,
        'aria-label': `${resourceLabel(entry.name)}: ${label(level)}`,
        checked: (granted[entry.name] || 'ACCESS_LEVEL_NONE') === level,
      })))))));
  return h('fieldset', { class: 'permissions', 'data-field': 'permissions' }, h('legend', {}, 'Permissions'),
    presets.map(([value, text, help]) => h('label', { class: 'choice' },
      h('input', { type: 'radio', name: 'preset', value, id: 'preset-' + text.toLowerCase().replace(' ', '-'),
        checked: value === preset }), ` ${text} `, h('span', { class: 'sub' }, help))),
    h('p', { class: 'help', hidden: preset !== 'PERMISSION_PRESET_RESTRICTED', id: 'matrix-help' },
      'Write includes Read. Resources left at None are refused.'),
    matrix);
}

function toggled(id, text, checked, control) {
  return h('div', { class: 'toggled' },
    h('label', { class: 'choice' }, h('input', { type: 'checkbox', id: id + '-toggle', checked,
      'aria-controls': id + '-box' }), ' ' + text),
    h('div', { id: id + '-box', class: 'toggled-box', hidden: !checked }, control));
}

function expirationField(key) {
  const date = key && key.expireTime ? key.expireTime.slice(0, 10) : '';
  return h('fieldset', {}, h('legend', {}, 'Expiration'),
    toggled('expires', 'Set an expiration date', Boolean(date),
      [h('label', { for: 'expires' }, 'Expires at the start of (UTC)'),
        h('input', { type: 'date', id: 'expires', value: date, 'data-field': 'expire_time' })]));
}

function limitsField(key) {
  const limits = (key && key.limits) || {};
  const reset = limits.resetPeriod && limits.resetPeriod !== 'RESET_PERIOD_NEVER'
    && limits.resetPeriod !== 'RESET_PERIOD_UNSPECIFIED' ? limits.resetPeriod : '';
  const number = (id, value, field, text) => [h('label', { for: id }, text),
    h('input', { id, inputmode: 'numeric', value: value === undefined ? '' : String(value), 'data-field': field })];
  return h('fieldset', { class: 'limits' }, h('legend', {}, 'Limits (optional)'),
    h('p', { class: 'help' }, 'A request past any limit is refused with 429 Too Many Requests.'),
    toggled('cost', 'Cost limit (USD)', limits.costLimitMicroUsd !== undefined,
      [h('label', { for: 'cost-limit' }, 'USD per period'),
        h('input', { id: 'cost-limit', inputmode: 'decimal', 'data-field': 'limits.cost_limit_micro_usd',
          value: limits.costLimitMicroUsd !== undefined ? usd(limits.costLimitMicroUsd) : '' })]),
    toggled('tokens', 'Token limit', limits.tokenLimit !== undefined,
      number('token-limit', limits.tokenLimit, 'limits.token_limit', 'Tokens per period')),
    toggled('rpm', 'Requests/Min', limits.requestsPerMinute !== undefined,
      number('rpm-limit', limits.requestsPerMinute, 'limits.requests_per_minute', 'Requests in any 60 seconds')),
    toggled('reset', 'Reset limit period', Boolean(reset),
      [h('label', { for: 'reset-period' }, 'Cost and token counters reset'),
        h('select', { id: 'reset-period', 'data-field': 'limits.reset_period' },
          ['RESET_PERIOD_DAILY', 'RESET_PERIOD_WEEKLY', 'RESET_PERIOD_MONTHLY'].map((p) =>
            h('option', { value: p, selected: p === reset }, label(p) + (p === 'RESET_PERIOD_DAILY' ? ' (00:00 UTC)' : '')))),
        h('p', { class: 'help' }, 'Does not apply to Requests/Min, which always uses a 60-second window.')]));
}

function legacyNote() {
  return h('p', { class: 'note', id: 'legacy-panel-note' }, 'Legacy keys support no limits and no per-resource '
    + 'permissions, and cannot be converted. To get them, create a new key, move your integrations to it, then '
    + 'disable or delete this one.');
}

function wireToggles(form) {
  for (const box of form.querySelectorAll('input[type=checkbox][aria-controls]')) {
    box.addEventListener('change', () => { form.querySelector('#' + box.getAttribute('aria-controls')).hidden = !box.checked; });
  }
  for (const radio of form.querySelectorAll('input[name=preset]')) {
    radio.addEventListener('change', () => {
      const restricted = form.querySelector('input[name=preset]:checked').value === 'PERMISSION_PRESET_RESTRICTED';
      form.querySelector('#matrix').hidden = !restricted;
      form.querySelector('#matrix-help').hidden = !restricted;
    });
  }
}

/** Refused before sending: the same shape as the server's errors, so showError marks the field. */
function invalid(field, rule) {
  return new ApiError(400, 'INVALID_ARGUMENT', `${field}: ${rule}`);
}

function permissions(form) {
  const preset = form.querySelector('input[name=preset]:checked').value;
  const result = { preset };
  if (preset === 'PERMISSION_PRESET_RESTRICTED') {
    result.resources = {};
    for (const radio of form.querySelectorAll('#matrix input:checked')) {
      if (radio.value !== 'ACCESS_LEVEL_NONE') result.resources[radio.name.slice(5)] = radio.value;
    }
  }
  return result;
}

function whole(form, id, field) {
  const text = form.querySelector('#' + id).value.trim();
  if (!/^\d+$/.test(text)) throw invalid(field, `'${text}' is not a whole number of 0 or more`);
  return text;
}

function limits(form) {
  const result = {};
  const on = (id) => form.querySelector(`#${id}-toggle`).checked;
  if (on('cost')) {
    const micros = toMicros(form.querySelector('#cost-limit').value);
    if (micros === null) throw invalid('limits.cost_limit_micro_usd', 'enter an amount of USD, at most 6 decimals');
    result.costLimitMicroUsd = micros;
  }
  if (on('tokens')) result.tokenLimit = whole(form, 'token-limit', 'limits.token_limit');
  if (on('rpm')) result.requestsPerMinute = whole(form, 'rpm-limit', 'limits.requests_per_minute');
  result.resetPeriod = on('reset') ? form.querySelector('#reset-period').value : 'RESET_PERIOD_NEVER';
  return result;
}

function expireTime(form) {
  if (!form.querySelector('#expires-toggle').checked) return undefined;
  const date = form.querySelector('#expires').value;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw invalid('expire_time', 'choose a date');
  return date + 'T00:00:00Z';
}

function createRequest(form, ctx) {
  const owner = form.querySelector('input[name=owner]:checked');
  const projectId = form.querySelector('#key-project').value;
  return {
    name: form.elements.name.value,
    kind: projectId ? 'KEY_KIND_PROJECT' : 'KEY_KIND_ADMIN',
    projectId,
    ownerType: owner && owner.value !== 'service' ? 'OWNER_TYPE_USER' : 'OWNER_TYPE_SERVICE_ACCOUNT',
    ownerUser: owner && owner.value !== 'service' ? owner.dataset.user : '',
    permissions: permissions(form),
    limits: limits(form),
    expireTime: expireTime(form),
  };
}

function updateRequest(form, legacy) {
  const key = { name: form.elements.name.value, permissions: permissions(form), expireTime: expireTime(form) };
  const mask = ['name', 'permissions', 'expireTime'];
  if (!legacy) {
    key.limits = limits(form);
    mask.push('limits');
  }
  return { key, updateMask: mask.join(',') };
}

