// The Help overlay (button "Help", key `?`): every key of the labeling screen, generated from the tool registry.
import type { Label } from '../api/types';
import type { ToolRegistry } from '../tools/registry';
import { h } from './dom';
import { openModal, type Modal } from './modal';

export interface Shortcut {
  /** Each entry is one way to do it; "+" joins keys pressed together. */
  readonly keys: readonly string[];
  readonly action: string;
}

export const HELP_KEY = '?';

/** Keys that are not tools of the registry (UI.md); tools add their own rows from their definitions. */
export const STATIC_SHORTCUTS: readonly Shortcut[] = [
  { keys: ['W'], action: 'Window/level' },
  { keys: ['D'], action: 'Length' },
  { keys: ['Ctrl+Z'], action: 'Undo' },
  { keys: ['Ctrl+Shift+Z', 'Ctrl+Y'], action: 'Redo' },
  { keys: ['Delete', 'Backspace'], action: 'Delete the selected shapes' },
  { keys: ['Enter'], action: 'Finish the polygon or polyline being drawn' },
  { keys: ['Backspace'], action: 'While drawing a polygon or polyline: take back the last vertex' },
  { keys: ['Shift'], action: 'Select: add to the selection; drawing a polygon or mask: join with the shape underneath' },
  { keys: ['Alt'], action: 'Select: click a vertex to remove it; drawing: cut out of the shape underneath' },
  { keys: ['I'], action: 'Interpolate between two annotated slices of one label' },
  { keys: ['Home'], action: 'Fit: whole image in view' },
  { keys: ['ArrowUp', 'PageUp'], action: 'Previous slice' },
  { keys: ['ArrowDown', 'PageDown'], action: 'Next slice' },
  { keys: ['Escape'], action: 'Cancel the shape being drawn, then leave the tool' },
  { keys: ['1–9'], action: 'Pick one of the first nine labels' },
  { keys: ['[', ']'], action: 'Brush and eraser size: smaller, larger' },
  { keys: [HELP_KEY], action: 'Help: this list' },
];

/** Every shortcut: the registry's tools in order, the static keys, then labels' own hotkeys. */
export function shortcuts(tools: ToolRegistry, labels: readonly Label[] = []): Shortcut[] {
  const toolRows = tools.all().map((t) => ({ keys: [t.key.toUpperCase()], action: t.name }));
  const labelRows = labels.filter((l) => l.hotkey).map((l) => ({ keys: [l.hotkey!], action: `Label ${l.name}` }));
  return [...toolRows, ...STATIC_SHORTCUTS, ...labelRows];
}

function keyCell(keys: readonly string[]): HTMLElement {
  const cell = h('td', { class: 'keys' });
  keys.forEach((combo, i) => {
    if (i > 0) cell.append(' or ');
    combo.split(/\+(?=.)/).forEach((k, j) => {
      if (j > 0) cell.append('+');
      cell.append(h('kbd', {}, k));
    });
  });
  return cell;
}

export class HelpOverlay {
  readonly button: HTMLButtonElement;
  private modal: Modal | null = null;

  constructor(
    private readonly host: HTMLElement,
    private readonly rows: () => readonly Shortcut[],
  ) {
    this.button = h('button', { type: 'button', 'aria-haspopup': 'dialog', title: 'Keyboard shortcuts (?)' }, 'Help');
    this.button.addEventListener('click', () => this.open());
  }

  get isOpen(): boolean {
    return this.modal !== null;
  }

  open(): void {
    if (this.modal) return;
    const close = h('button', { type: 'button' }, 'Close');
    const table = h(
      'table',
      { class: 'shortcuts' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Key'), h('th', { scope: 'col' }, 'Action'))),
      h('tbody', {}, ...this.rows().map((r) => h('tr', {}, keyCell(r.keys), h('td', {}, r.action)))),
    );
    this.modal = openModal(this.host, 'Keyboard shortcuts', () => this.close(), table, h('div', { class: 'form-actions' }, close));
    this.modal.dialog.classList.add('help-overlay');
    this.modal.dialog.addEventListener('keydown', (e) => {
      if (e.key === HELP_KEY) this.close();
    });
    close.addEventListener('click', () => this.close());
  }

  close(): void {
    this.modal?.close();
    this.modal = null;
  }

  toggle(): void {
    if (this.modal) this.close();
    else this.open();
  }
}
