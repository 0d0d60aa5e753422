// The Overview of one key: its settings, each limit as a bar (used, reserved, remaining, when it
// resets) and its usage over the last 24 hours, from GetKeyUsage.
import { get, post, seg, ApiError } from './api.js';
import { h, fill, when, label, usd, count } from './dom.js';
import { route, go } from './router.js';
import { notify, permissionSummary } from './ui.js';
import { limitBar, usageChart } from './chart.js';
import { openKeyPanel } from './keyform.js';

route(/^#\/keys\/([^/?]+)$/, async (view, ctx, keyId) => {
  const [key, usage] = await Promise.all([get('/v1/keys/' + seg(keyId)), get(`/v1/keys/${seg(keyId)}/usage`)]);
  const reload = () => go('#/keys/' + seg(keyId));
  fill(view,
    h('p', { class: 'crumbs' }, ctx.session.kind === 'KEY_KIND_ADMIN' ? h('a', { href: '#/keys' }, 'API Keys') : null),
    h('div', { class: 'heading' }, h('h1', {}, key.name), h('span', { class: 'status ' + label(key.status).toLowerCase() },
      label(key.status)), actions(key, ctx, reload)),
    facts(key),
    key.legacy ? legacyNote() : null,
    h('section', { 'aria-labelledby': 'limits-title' }, h('h2', { id: 'limits-title' }, 'Usage and limits'),
      lines(key, usage)),
    h('section', { 'aria-labelledby': 'history-title' }, h('h2', { id: 'history-title' }, 'Last 24 hours'),
      usageChart(usage.history)),
    h('p', { class: 'sub', id: 'as-of' }, usage.asOfTime
      ? `As of ${when(usage.asOfTime)}, from ${usage.reportingSidecars || 0} sidecar(s).`
      : 'No sidecar has reported usage of this key since the control plane started.'));
});

function actions(key, ctx, reload) {
  if (ctx.session.kind !== 'KEY_KIND_ADMIN' || key.status === 'KEY_STATUS_REVOKED') return null;
  return h('div', { class: 'heading-actions' },
    h('button', { type: 'button', class: 'quiet', onclick: () => openKeyPanel(ctx, { mode: 'edit', key, onDone: reload }) },
      'Edit'),
    key.legacy ? null : h('button', { type: 'button', class: 'quiet', id: 'reset-usage', onclick: async () => {
      try {
        await post(`/v1/keys/${seg(key.id)}/usage:reset`);
        notify('Usage counters start again from zero.');
        reload();
      } catch (err) {
        notify(err instanceof ApiError ? err.text : String(err), 'error');
      }
    } }, 'Reset usage'));
}

function facts(key) {
  const rows = [
    ['Key id', key.id], ['Token', key.displayToken], ['Kind', label(key.kind)],
    ['Project', key.projectId || 'Organization-wide'], ['Type', label(key.ownerType) + (key.ownerUser ? ` (${key.ownerUser})` : '')],
    ['Permissions', permissionSummary(key.permissions)], ['Created', when(key.createTime)],
    ['Created by', key.createdBy], ['Expires', key.expireTime ? when(key.expireTime) : 'Never'],
    ['Last used', key.lastUsedTime ? when(key.lastUsedTime) : 'Not yet reported'],
  ];
  return h('dl', { class: 'facts' }, rows.map(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]));
}

function legacyNote() {
  return h('p', { class: 'note', id: 'legacy-note' }, 'This is a legacy key: it keeps working but supports no cost, '
    + 'token or rate limits and no per-resource permissions, and it cannot be converted. To replace it: create a new '
    + 'key with the limits you need, update your integrations and environment variables to use it, then disable or '
    + 'delete this one once every consumer has switched.');
}

function period(usage) {
  const reset = label(usage.resetPeriod || 'RESET_PERIOD_NEVER');
  if (!usage.periodEndTime) return 'never resets';
  return `resets ${reset.toLowerCase()}, next at ${when(usage.periodEndTime)}`;
}

/** One line per limit: the figures as text (data-figure attributes name them) and the bar. */
function lines(key, usage) {
  const cost = usage.costMicroUsd || {};
  const tokens = usage.tokens || {};
  const rpm = usage.requestsPerMinute || {};
  return h('div', { class: 'lines' },
    line('cost', 'Cost (USD)', usd(cost.used), '$' + usd(usage.costReservedMicroUsd), cost.limit === undefined ? null : '$' + usd(cost.limit),
      cost.remaining === undefined ? null : '$' + usd(cost.remaining), period(usage),
      limitBar(cost.used, usage.costReservedMicroUsd, cost.limit, 'Cost used, reserved and remaining'), '$'),
    line('tokens', 'Tokens', count(tokens.used), count(usage.tokensReserved), tokens.limit === undefined ? null : count(tokens.limit),
      tokens.remaining === undefined ? null : count(tokens.remaining), period(usage),
      limitBar(tokens.used, usage.tokensReserved, tokens.limit, 'Tokens used, reserved and remaining'), ''),
    line('rpm', 'Requests/Min', count(rpm.used), null, rpm.limit === undefined ? null : count(rpm.limit),
      rpm.remaining === undefined ? null : count(rpm.remaining), 'rolling 60-second window',
      limitBar(rpm.used, 0, rpm.limit, 'Requests in the last minute'), ''),
    h('p', { class: 'sub' }, `${count(usage.reservationsInFlight)} request(s) in flight.`));
}

function line(id, title, used, reserved, limit, remaining, resets, bar, unit) {
  const figure = (name, text) => h('span', { class: 'figure', dataset: { figure: `${id}-${name}` } }, text);
  return h('div', { class: 'line', id: 'line-' + id },
    h('h3', {}, title),
    bar,
    h('p', { class: 'figures' },
      'Used ', figure('used', unit + used),
      reserved === null ? null : [' · reserved ', figure('reserved', reserved)],
      limit === null ? [' · ', figure('limit', 'no limit')] : [' of ', figure('limit', limit), ' · remaining ', figure('remaining', remaining)],
      ' · ', h('span', { class: 'resets' }, resets)));
}
