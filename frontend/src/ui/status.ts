// Status widgets: the live save-status line and page-level loading / error messages.
import { ApiError } from '../api/client';
import { h } from './dom';

export type StatusKind = 'idle' | 'busy' | 'ok' | 'error';

/** Polite live region showing "Saving…", "Saved" or the last error's detail. */
export class StatusLine {
  readonly el: HTMLElement;

  constructor(testId = 'save-status') {
    this.el = h('span', { class: 'status', 'data-testid': testId, role: 'status', 'aria-live': 'polite' });
  }

  set(kind: StatusKind, text: string, title = ''): void {
    this.el.textContent = text;
    this.el.dataset.kind = kind;
    if (title) this.el.title = title;
    else this.el.removeAttribute('title');
  }

  get text(): string {
    return this.el.textContent ?? '';
  }
}

/** Human-readable detail of any error, with field errors when the API sent them. */
export function describeError(err: unknown): { detail: string; fields: string } {
  if (err instanceof ApiError) {
    const fields = Object.entries(err.errors)
      .map(([field, msgs]) => `${field}: ${msgs.join(' ')}`)
      .join('\n');
    return { detail: err.detail, fields };
  }
  return { detail: err instanceof Error ? err.message : String(err), fields: '' };
}

export function isAuthError(err: unknown): boolean {
  return err instanceof ApiError && (err.status === 401 || err.code === 'not_authenticated');
}

export function loadingMessage(text = 'Loading…'): HTMLElement {
  return h('p', { class: 'message loading', role: 'status' }, text);
}

/** Full-width error box for a page that could not load. */
export function errorMessage(err: unknown, what: string): HTMLElement {
  const { detail, fields } = describeError(err);
  const box = h('div', { class: 'message error', role: 'alert' }, h('strong', {}, `${what}: `), detail);
  if (fields) box.appendChild(h('pre', { class: 'field-errors' }, fields));
  if (isAuthError(err)) {
    box.appendChild(h('p', {}, h('a', { href: '/accounts/login/?next=/' }, 'Sign in again')));
  }
  return box;
}
