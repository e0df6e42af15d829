// The login page: username or e-mail and password, REST login, token kept
// in localStorage. A server without users says how to make the first
// administrator.
import { h, clear } from './dom.js';
import { post, get, auth } from './api.js';

export function renderLogin(root, onDone) {
  clear(root);
  const err = h('p', { role: 'alert', class: 'error', hidden: true });
  const user = h('input', { id: 'login-user', name: 'username', autocomplete: 'username', required: true, autofocus: true });
  const pass = h('input', { id: 'login-pass', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const button = h('button', { type: 'submit', class: 'primary' }, 'Log in');
  const hint = h('div', { class: 'first-admin', hidden: true },
    h('h2', null, 'No accounts yet'),
    h('p', null, 'This server has no users. Create the first administrator, then log in here:'),
    h('ul', null,
      h('li', null, 'start the server with ', h('code', null, 'ADMIN_USERNAME'), ', ', h('code', null, 'ADMIN_PASS'), ' and ', h('code', null, 'ADMIN_EMAIL'), ' set, or'),
      h('li', null, 'run ', h('code', null, 'parley admin create-user --admin'), '.')));
  const form = h('form', { class: 'login-form', 'aria-labelledby': 'login-title' },
    h('h1', { id: 'login-title' }, 'Log in to Parley'),
    h('label', { for: 'login-user' }, 'Username or email'), user,
    h('label', { for: 'login-pass' }, 'Password'), pass,
    err, button, hint);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    err.hidden = true;
    button.disabled = true;
    try {
      const r = await post('login', { user: user.value.trim(), password: pass.value });
      auth.set(r.data.userId, r.data.authToken);
      onDone(r.data.me);
    } catch (e2) {
      err.textContent = e2.status === 401 || e2.status === 403 ? 'Wrong username or password.' :
        e2.status === 429 ? 'Too many attempts. Wait a moment and try again.' :
        e2.status === 0 ? 'The server cannot be reached.' : (e2.message || 'Login failed.');
      err.hidden = false;
      pass.select();
    } finally {
      button.disabled = false;
    }
  });
  root.append(h('div', { class: 'login-page' }, form));
  // Show_Setup_Wizard stays "pending" until the server has an
  // administrator, as in Rocket.Chat.
  get('settings.public', { _id: 'Show_Setup_Wizard' }).then((r) => {
    const s = (r.settings || []).find((x) => x._id === 'Show_Setup_Wizard');
    if (s && s.value === 'pending') hint.hidden = false;
  }).catch(() => {});
}
