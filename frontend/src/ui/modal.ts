// A modal dialog shell: backdrop, accessible name, focus trapped inside, Escape closes, focus returns on close.
import { h, type Child } from './dom';
import './panels.css';

export interface Modal {
  readonly dialog: HTMLElement;
  /** Remove the dialog and give focus back to what had it before. */
  close(): void;
}

const FOCUSABLE = 'button, input, select, textarea, a[href], [tabindex]:not([tabindex="-1"])';

function focusables(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(
    (el) => !(el as HTMLButtonElement).disabled && !el.hidden && el.getAttribute('aria-hidden') !== 'true',
  );
}

/**
 * Open a modal dialog named `title` in `host`. Keys pressed inside never reach the page's shortcuts, Tab and
 * Shift+Tab cycle within it, Escape calls `onEscape`. The first focusable element (or the dialog) gets focus.
 */
export function openModal(host: HTMLElement, title: string, onEscape: () => void, ...body: Child[]): Modal {
  const titleId = `modal-title-${Math.random().toString(36).slice(2)}`;
  const dialog = h(
    'div',
    { class: 'modal', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': titleId, tabindex: '-1' },
    h('h2', { id: titleId, class: 'modal-title' }, title),
    ...body,
  );
  const backdrop = h('div', { class: 'modal-backdrop' }, dialog);
  const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  dialog.addEventListener('keydown', (e) => {
    e.stopPropagation();
    if (e.key === 'Escape') {
      e.preventDefault();
      onEscape();
    } else if (e.key === 'Tab') {
      trapTab(dialog, e);
    }
  });
  // Key-ups and presses must not reach the page either (some shortcuts listen to them).
  for (const type of ['keyup', 'keypress'] as const) dialog.addEventListener(type, (e) => e.stopPropagation());
  host.appendChild(backdrop);
  (focusables(dialog)[0] ?? dialog).focus();
  let open = true;
  return {
    dialog,
    close() {
      if (!open) return;
      open = false;
      backdrop.remove();
      if (previous?.isConnected) previous.focus();
    },
  };
}

function trapTab(dialog: HTMLElement, e: KeyboardEvent): void {
  const items = focusables(dialog);
  if (items.length === 0) {
    e.preventDefault();
    return;
  }
  const first = items[0]!;
  const last = items[items.length - 1]!;
  const active = document.activeElement;
  if (e.shiftKey && (active === first || active === dialog)) {
    e.preventDefault();
    last.focus();
  } else if (!e.shiftKey && active === last) {
    e.preventDefault();
    first.focus();
  }
}
