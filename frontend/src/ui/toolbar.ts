// Viewer toolbar: label picker, box tool toggle, undo/redo (or a read-only note), zoom buttons and the save status.
import type { Label } from '../api/types';
import { h } from './dom';
import { StatusLine } from './status';

export interface ToolbarEvents {
  onToolToggle(): void;
  onUndo(): void;
  onRedo(): void;
  onZoom(kind: 'in' | 'out' | 'home'): void;
}

export class Toolbar {
  readonly el: HTMLElement;
  readonly status = new StatusLine('save-status');
  readonly labelSelect: HTMLSelectElement;
  readonly toolButton: HTMLButtonElement;
  private readonly undoButton: HTMLButtonElement;
  private readonly redoButton: HTMLButtonElement;
  private readonly editGroup: HTMLElement;
  private readonly readOnlyNote: HTMLElement;
  /** Where the viewer's own controls (window/level, slices…) go, after the zoom buttons. */
  private readonly extra = h('span', { class: 'toolbar-extra' });

  constructor(labels: Label[], events: ToolbarEvents) {
    this.labelSelect = h('select', { 'data-testid': 'label-select', id: 'label-select', disabled: labels.length === 0 });
    for (const label of labels) {
      const text = label.hotkey ? `${label.name} (${label.hotkey})` : label.name;
      this.labelSelect.appendChild(h('option', { value: label.id }, text));
    }
    if (labels.length === 0) this.labelSelect.appendChild(h('option', { value: '' }, 'No box labels'));
    this.labelSelect.selectedIndex = 0;
    // Return focus to the page so tool hotkeys keep working after choosing a label.
    this.labelSelect.addEventListener('change', () => this.labelSelect.blur());

    this.toolButton = h(
      'button',
      {
        type: 'button',
        class: 'tool-button',
        'data-testid': 'tool-bbox',
        'aria-pressed': 'false',
        title: 'Box tool (B) — drag on the image to draw; Esc to leave',
        disabled: labels.length === 0,
      },
      h('span', { class: 'tool-icon', 'aria-hidden': 'true' }),
      'Box',
    );
    this.toolButton.addEventListener('click', () => events.onToolToggle());

    const small = (text: string, title: string, handler: () => void, testId: string): HTMLButtonElement => {
      const b = h('button', { type: 'button', class: 'icon-button', title, 'aria-label': title, 'data-testid': testId }, text);
      b.addEventListener('click', handler);
      return b;
    };
    this.undoButton = small('↶', 'Undo (Ctrl+Z)', events.onUndo, 'undo');
    this.redoButton = small('↷', 'Redo (Ctrl+Shift+Z)', events.onRedo, 'redo');
    this.setHistory(false, false);

    // Drawing controls, hidden as a group when the image is read-only for the caller.
    this.editGroup = h(
      'span',
      { class: 'toolbar-group' },
      h('label', { for: 'label-select', class: 'toolbar-label' }, 'Label'),
      this.labelSelect,
      this.toolButton,
      h('span', { class: 'separator', 'aria-hidden': 'true' }),
      this.undoButton,
      this.redoButton,
      h('span', { class: 'separator', 'aria-hidden': 'true' }),
    );
    this.readOnlyNote = h('span', { class: 'read-only', 'data-testid': 'read-only', hidden: true });

    this.el = h(
      'div',
      { class: 'toolbar', role: 'toolbar', 'aria-label': 'Annotation tools' },
      this.editGroup,
      this.readOnlyNote,
      small('−', 'Zoom out', () => events.onZoom('out'), 'zoom-out'),
      small('+', 'Zoom in', () => events.onZoom('in'), 'zoom-in'),
      small('⤢', 'Fit', () => events.onZoom('home'), 'zoom-home'),
      this.extra,
      h('span', { class: 'spacer' }),
      this.status.el,
    );
  }

  /** Add controls after the zoom buttons (they stay visible when the image is read-only). */
  addControls(...nodes: Node[]): void {
    this.extra.append(...nodes);
  }

  get selectedLabelId(): number | null {
    const value = Number(this.labelSelect.value);
    return Number.isInteger(value) && value > 0 ? value : null;
  }

  selectLabel(id: number): void {
    this.labelSelect.value = String(id);
  }

  setToolActive(active: boolean): void {
    this.toolButton.setAttribute('aria-pressed', String(active));
    this.toolButton.classList.toggle('active', active);
  }

  /** Show the drawing controls, or hide them and say why the image is read-only. */
  setEditable(editable: boolean, reason: string | null = null): void {
    this.editGroup.hidden = !editable;
    this.readOnlyNote.hidden = editable;
    this.readOnlyNote.textContent = editable ? '' : (reason ?? 'View only');
  }

  setHistory(canUndo: boolean, canRedo: boolean): void {
    this.undoButton.disabled = !canUndo;
    this.redoButton.disabled = !canRedo;
  }
}
