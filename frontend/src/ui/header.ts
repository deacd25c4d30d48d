// App header: product name, signed-in user from /auth/me/ and a POST logout form carrying the CSRF token.
import type { ApiClient } from '../api/client';
import { h, setChildren } from './dom';

export const LOGOUT_URL = '/accounts/logout/';
export const LOGIN_URL = '/accounts/login/?next=/';

/** Django 5 only logs out on POST, so logout is a form with the csrfmiddlewaretoken field. */
export function logoutForm(api: ApiClient): HTMLFormElement {
  const token = h('input', { type: 'hidden', name: 'csrfmiddlewaretoken', value: api.csrfToken() ?? '' });
  const form = h(
    'form',
    { class: 'logout', method: 'post', action: LOGOUT_URL },
    token,
    h('button', { type: 'submit', class: 'link-button', 'data-testid': 'logout' }, 'Log out'),
  );
  // The cookie may have been rotated since rendering; send the current value.
  form.addEventListener('submit', () => {
    token.value = api.csrfToken() ?? '';
  });
  return form;
}

export function renderHeader(api: ApiClient): HTMLElement {
  const user = h('span', { class: 'user', 'data-testid': 'username' });
  const account = h('div', { class: 'account' }, user);
  const header = h(
    'header',
    { class: 'app-header' },
    h('a', { class: 'brand', href: '#/' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }, '▣'), 'Annotator'),
    account,
  );
  api.me().then(
    (me) => {
      user.textContent = me.username;
      user.title = `Signed in as ${me.username}`;
      account.appendChild(logoutForm(api));
    },
    () => {
      setChildren(account, h('a', { href: LOGIN_URL }, 'Sign in'));
    },
  );
  return header;
}
