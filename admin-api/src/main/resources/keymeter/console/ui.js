// Pieces every screen uses: the notice line, the confirmation dialog, the "Save your key" dialog,
// the permission summary and showing an API error next to the field it names.
import { h, fill, label, resourceLabel } from './dom.js';
import { ApiError } from './api.js';

/** A message in the notice line under the header (role=status: screen readers announce it). */
export function notify(text, kind = 'info') {
  const notice = document.getElementById('notice');
  notice.className = 'notice ' + kind;
  fill(notice, text);
  notice.hidden = !text;
}

let pending = '';

/** A notice for the next screen, shown once it has drawn (a navigation clears the notice line). */
export function notifyNext(text) {
  pending = text;
}

/** Shows the notice left by notifyNext, if any. */
export function showPending() {
  if (pending) notify(pending);
  pending = '';
}

/** Shows err in a form's error slot and marks the field the server named. */
export function showError(form, err) {
  const slot = form.querySelector('.form-error');
  const text = err instanceof ApiError ? err.text : String(err && err.message ? err.message : err);
  for (const marked of form.querySelectorAll('[aria-invalid]')) marked.removeAttribute('aria-invalid');
  if (slot) fill(slot, text);
  if (err instanceof ApiError && err.field) {
    // UpdateKey names the key's fields under "key." ("key.name: required"); the form's fields have no prefix.
    const field = err.field.replace(/^key\./, '');
    const candidates = [err.field, field, field.split(/[.[]/)[0]];
    const input = candidates.map((name) => form.querySelector(`[data-field="${CSS.escape(name)}"]`)).find(Boolean);
    if (input) {
      input.setAttribute('aria-invalid', 'true');
      input.focus();
    }
  }
}

/** A modal dialog: showModal moves focus into it, Escape closes it; removed from the DOM when closed. */
export function modal(title, body, className = '') {
  const dialog = h('dialog', { class: className, 'aria-labelledby': 'dialog-title' },
    h('h2', { id: 'dialog-title' }, title), body);
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  return dialog;
}

/** Asks before something that cannot be undone; resolves true when confirmed. */
export function confirmAction(title, text, confirmLabel) {
  return new Promise((resolve) => {
    let confirmed = false;
    const cancel = h('button', { type: 'button', class: 'quiet', onclick: () => dialog.close() }, 'Cancel');
    const ok = h('button', { type: 'button', class: 'danger', onclick: () => { confirmed = true; dialog.close(); } },
      confirmLabel);
    const dialog = modal(title, [h('p', {}, text), h('div', { class: 'actions' }, cancel, ok)], 'confirm');
    dialog.addEventListener('close', () => resolve(confirmed));
    cancel.focus();
  });
}

/** What a key may do, in words: "Read and write API resources", or the restricted list. */
export function permissionSummary(permissions) {
  const preset = (permissions && permissions.preset) || 'PERMISSION_PRESET_ALL';
  if (preset === 'PERMISSION_PRESET_ALL' || preset === 'PERMISSION_PRESET_UNSPECIFIED') {
    return 'Read and write API resources';
  }
  if (preset === 'PERMISSION_PRESET_READ_ONLY') return 'Read API resources';
  const granted = Object.entries((permissions && permissions.resources) || {})
    .filter(([, level]) => level === 'ACCESS_LEVEL_READ' || level === 'ACCESS_LEVEL_WRITE')
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, level]) => `${resourceLabel(name)}: ${label(level)}`);
  return granted.length ? 'Restricted — ' + granted.join(', ') : 'Restricted — no access to any resource';
}

/**
 * "Save your key": the token, shown this once, with a Copy button and the permission summary. When
 * it closes the dialog leaves the DOM and the token with it; nothing keeps a copy.
 */
export function saveKeyDialog(token, key, onClosed) {
  const code = h('code', { class: 'token', id: 'new-token', tabindex: '0' }, token);
  const copied = h('span', { class: 'copied', role: 'status', 'aria-live': 'polite' });
  const copy = h('button', {
    type: 'button', class: 'primary', onclick: async () => {
      try {
        await navigator.clipboard.writeText(code.textContent);
        fill(copied, 'Copied');
      } catch (denied) {
        getSelection().selectAllChildren(code);
        fill(copied, 'Select the token and copy it yourself (the browser refused the clipboard)');
      }
    },
  }, 'Copy');
  const done = h('button', { type: 'button', id: 'dialog-done', onclick: () => dialog.close() }, 'Done');
  const dialog = modal('Save your key', [
    h('p', { class: 'warning' },
      'The token is only shown once. Store it securely before closing this dialog. It cannot be retrieved afterwards.'),
    h('div', { class: 'token-row' }, code, copy), copied,
    h('h3', {}, 'Permissions'),
    h('p', { class: 'summary' }, permissionSummary(key.permissions)),
    h('div', { class: 'actions' }, done),
  ], 'save-key');
  dialog.addEventListener('close', () => {
    code.textContent = '';
    if (onClosed) onClosed();
  });
  copy.focus();
  return dialog;
}
