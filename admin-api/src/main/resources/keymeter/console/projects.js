// Projects: the list (create, delete), and one project's page with its members and its keys.
import { get, post, del, seg, ApiError } from './api.js';
import { h, fill, when } from './dom.js';
import { route, go } from './router.js';
import { notify, notifyNext, confirmAction, showError, saveKeyDialog } from './ui.js';
import { keysTable } from './keys.js';
import { openKeyPanel } from './keyform.js';

route(/^#\/projects$/, async (view) => {
  const page = await get('/v1/projects', { pageSize: 1000 });
  const form = h('form', { class: 'inline-form', id: 'create-project' },
    h('label', { for: 'project-id' }, 'Project id'),
    h('input', { id: 'project-id', required: true, maxlength: 63, 'data-field': 'project_id',
      placeholder: 'payments', pattern: '[a-z][a-z0-9-]*' }),
    h('label', { for: 'project-name' }, 'Display name (optional)'),
    h('input', { id: 'project-name', maxlength: 100, 'data-field': 'display_name' }),
    h('button', { type: 'submit', class: 'primary' }, 'Create project'),
    h('p', { class: 'form-error', role: 'alert' }));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const created = await post('/v1/projects', {
        projectId: form.querySelector('#project-id').value.trim(),
        displayName: form.querySelector('#project-name').value.trim(),
      });
      saveKeyDialog(created.token, created.key, () => go('#/projects'));
    } catch (err) {
      showError(form, err);
    }
  });
  const rows = (page.projects || []).map((project) => h('tr', { dataset: { projectId: project.id } },
    h('td', {}, h('a', { href: '#/projects/' + seg(project.id) }, project.id)),
    h('td', {}, project.displayName), h('td', {}, when(project.createTime)), h('td', {}, project.createdBy),
    h('td', {}, h('button', { type: 'button', class: 'quiet danger-text', onclick: () => removeProject(project) },
      'Delete'))));
  fill(view, h('h1', {}, 'Projects'),
    h('p', { class: 'help' }, 'Creating a project also creates its first key (a service account, preset All): '
      + 'its token is shown once.'),
    form,
    h('table', { id: 'projects-table' }, h('thead', {}, h('tr', {},
      ['Project', 'Name', 'Created', 'Created by', 'Actions'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, rows.length ? rows : h('tr', {}, h('td', { colspan: 5, class: 'empty' }, 'No projects yet.')))));
});

async function removeProject(project) {
  const sure = await confirmAction(`Delete project ${project.id}?`,
    'Deleting a project revokes every key scoped to it. This cannot be undone.', 'Delete project');
  if (!sure) return;
  try {
    const result = await del('/v1/projects/' + seg(project.id));
    notifyNext(`Project ${project.id} is deleted; ${result.revokedKeys || 0} key(s) revoked.`);
    go('#/projects');
  } catch (err) {
    notify(err instanceof ApiError ? err.text : String(err), 'error');
  }
}

route(/^#\/projects\/([^/?]+)$/, async (view, ctx, projectId) => {
  const project = await get('/v1/projects/' + seg(projectId));
  const members = h('section', { 'aria-labelledby': 'members-title' });
  const keys = h('section', { 'aria-labelledby': 'project-keys-title' },
    h('div', { class: 'heading' }, h('h2', { id: 'project-keys-title' }, 'Keys'),
      h('button', { type: 'button', class: 'primary', id: 'create-project-key',
        onclick: () => openKeyPanel(ctx, { mode: 'create', projectId, onDone: () => table.reload() }) },
      'Create API key')));
  fill(view, h('p', { class: 'crumbs' }, h('a', { href: '#/projects' }, 'Projects')),
    h('h1', {}, project.displayName || project.id), h('p', { class: 'sub' }, `Project ${project.id}, created ${when(project.createTime)}`),
    members, keys);
  const table = keysTable(keys, ctx, { projectId });
  await Promise.all([drawMembers(members, projectId, () => table.reload()), table.reload()]);
});

async function drawMembers(section, projectId, keysChanged) {
  const list = await get(`/v1/projects/${seg(projectId)}/members`);
  const form = h('form', { class: 'inline-form', id: 'add-member' },
    h('label', { for: 'member-user' }, 'User'),
    h('input', { id: 'member-user', required: true, 'data-field': 'user', placeholder: 'ana@example.com' }),
    h('button', { type: 'submit', class: 'primary' }, 'Add member'),
    h('p', { class: 'form-error', role: 'alert' }));
  const redraw = () => drawMembers(section, projectId, keysChanged);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await post(`/v1/projects/${seg(projectId)}/members`, { user: form.querySelector('#member-user').value.trim() });
      await redraw();
    } catch (err) {
      showError(form, err);
    }
  });
  const rows = (list.members || []).map((member) => h('tr', { dataset: { user: member.user } },
    h('td', {}, member.user), h('td', {}, when(member.createTime)),
    h('td', {}, h('button', { type: 'button', class: 'quiet danger-text',
      onclick: () => removeMember(projectId, member.user, redraw, keysChanged) }, 'Remove'))));
  fill(section, h('h2', { id: 'members-title' }, 'Members'), form,
    h('table', { id: 'members-table' }, h('thead', {}, h('tr', {},
      ['User', 'Member since', 'Actions'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, rows.length ? rows : h('tr', {}, h('td', { colspan: 3, class: 'empty' }, 'No members yet.')))));
}

async function removeMember(projectId, user, redraw, keysChanged) {
  const sure = await confirmAction(`Remove ${user} from ${projectId}?`,
    'Their user keys in this project are revoked at once. This cannot be undone.', 'Remove');
  if (!sure) return;
  try {
    const result = await del(`/v1/projects/${seg(projectId)}/members/${seg(user)}`);
    const revoked = result.revokedKeyIds || [];
    await Promise.all([redraw(), keysChanged()]);
    notify(revoked.length ? `${user} removed. Revoked user keys: ${revoked.join(', ')}`
      : `${user} removed. They had no user keys in this project.`);
  } catch (err) {
    notify(err instanceof ApiError ? err.text : String(err), 'error');
  }
}
