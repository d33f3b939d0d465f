import { post, setCsrf } from './api.js';
import { h, clear } from './dom.js';

export function renderLogin(main, done) {
  const name = h('input', { name: 'name', autocomplete: 'username', required: true, id: 'login-name' });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true, id: 'login-password' });
  const error = h('p', { class: 'warn', id: 'login-error' });
  const form = h('form', { class: 'login', id: 'login-form' },
    h('h1', null, 'Log in'),
    h('label', { class: 'field' }, 'User name', name),
    h('label', { class: 'field' }, 'Password', password),
    error,
    h('button', { class: 'primary', type: 'submit' }, 'Log in'));
  form.addEventListener('submit', async e => {
    e.preventDefault();
    error.textContent = '';
    try {
      const s = await post('/v1/session', { user: name.value, password: password.value });
      if (s && (s.csrf_token || s.csrf)) setCsrf(s.csrf_token || s.csrf);
      await done();
    } catch (err) {
      error.textContent = err.message;
      password.value = '';
    }
  });
  clear(main, form);
  name.focus();
}
