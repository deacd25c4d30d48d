// Viewer toolbar: label picker, one button per registered tool, undo/redo, selection actions, zoom, save status.
import type { Label } from '../api/types';
import { h } from './dom';
import { StatusLine } from './status';

/** A tool as the toolbar offers it (a ToolDefinition's name and key). */
export interface ToolButtonSpec {
  readonly name: string;
  readonly key: string;
}

export interface ToolbarEvents {
  onTool(name: string): void;
  /** A label was chosen in the select (not when set through selectLabel()). */
  onLabel(id: number): void;
  onUndo(): void;
  onRedo(): void;
  onDelete(): void;
  onInterpolate(): void;
  onCopyNext(): void;
  onZoom(kind: 'in' | 'out' | 'home'): void;
}

/** Test ids stay stable across renames: the Box tool kept the id of the first box-only toolbar. */
export function toolTestId(name: string): string {
  return name === 'Box' ? 'tool-bbox' : `tool-${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
}

const TOOL_HINTS: Record<string, string> = {
  Select: 'select, move, drag vertices and handles; Shift adds to the selection',
  Box: 'drag a rectangle',
  Polygon: 'click vertices, Enter or a click on the first closes; drag for freehand',
  Polyline: 'click vertices, Enter or double-click ends',
  Point: 'one click',
  Brush: 'paint a mask; [ and ] change the size',
  Eraser: 'erase from the selected mask',
};

export class Toolbar {
  readonly el: HTMLElement;
  readonly status = new StatusLine('save-status');
  /** Shown while the server refuses changes for good: drops them so the rest can be saved. */
  readonly discardButton: HTMLButtonElement;
  /** What the last action could not do, or did not keep ("Shape discarded"); the save status stays the queue's. */
  readonly notice = new StatusLine('notice');
  readonly labelSelect: HTMLSelectElement;
  private readonly toolButtons = new Map<string, HTMLButtonElement>();
  private readonly undoButton: HTMLButtonElement;
  private readonly redoButton: HTMLButtonElement;
  readonly deleteButton: HTMLButtonElement;
  readonly interpolateButton: HTMLButtonElement;
  readonly copyButton: HTMLButtonElement;
  /** Brush and Eraser size in screen px (`[` and `]`), shown while one of them is active. */
  readonly brushSize = h('output', { class: 'readout', 'aria-label': 'Brush size', 'data-testid': 'brush-size', hidden: true });
  private readonly editGroup: HTMLElement;
  private readonly readOnlyNote: HTMLElement;
  /** Where the viewer's own controls (window/level, slices…) go, after the zoom buttons. */
  private readonly extra = h('span', { class: 'toolbar-extra' });

  /** `keysOf`: the keys that pick a label (default: its position, 1–9, in `labels`). */
  constructor(
    labels: readonly Label[],
    tools: readonly ToolButtonSpec[],
    events: ToolbarEvents & { onDiscard?(): void },
    keysOf: (label: Label) => readonly string[] = (label) => {
      const i = labels.indexOf(label);
      return i >= 0 && i < 9 ? [String(i + 1)] : [];
    },
  ) {
    this.status.el.setAttribute('aria-label', 'Save status');
    this.discardButton = h(
      'button',
      { type: 'button', class: 'text-button', 'data-testid': 'discard-refused', hidden: true, title: 'The server will not take these changes; drop them and save the rest' },
      'Discard unsaved changes',
    );
    this.discardButton.addEventListener('click', () => events.onDiscard?.());
    this.labelSelect = h('select', { 'data-testid': 'label-select', id: 'label-select', disabled: labels.length === 0 });
    labels.forEach((label) => {
      const keys = keysOf(label);
      const text = keys.length ? `${label.name} (${keys.join(', ')})` : label.name;
      this.labelSelect.appendChild(h('option', { value: label.id }, text));
    });
    if (labels.length === 0) this.labelSelect.appendChild(h('option', { value: '' }, 'No labels to draw'));
    this.labelSelect.selectedIndex = 0;
    this.labelSelect.addEventListener('change', () => {
      const id = this.selectedLabelId;
      if (id !== null) events.onLabel(id);
      this.labelSelect.blur(); // focus back to the page so tool keys keep working
    });

    const toolGroup = h('span', { class: 'toolbar-group tools', role: 'group', 'aria-label': 'Drawing tools' });
    for (const tool of tools) {
      const hint = TOOL_HINTS[tool.name];
      const b = h(
        'button',
        {
          type: 'button',
          class: 'tool-button',
          'data-testid': toolTestId(tool.name),
          'aria-pressed': 'false',
          'aria-keyshortcuts': tool.key.toUpperCase(),
          title: `${tool.name} (${tool.key.toUpperCase()})${hint ? ` — ${hint}` : ''}`,
        },
        tool.name,
      );
      b.addEventListener('click', () => events.onTool(tool.name));
      this.toolButtons.set(tool.name, b);
      toolGroup.append(b);
    }

    const small = (text: string, name: string, title: string, handler: () => void, testId: string): HTMLButtonElement => {
      const b = h('button', { type: 'button', class: 'icon-button', title, 'aria-label': name, 'data-testid': testId }, text);
      b.addEventListener('click', handler);
      return b;
    };
    this.undoButton = small('↶', 'Undo', 'Undo (Ctrl+Z)', events.onUndo, 'undo');
    this.redoButton = small('↷', 'Redo', 'Redo (Ctrl+Shift+Z or Ctrl+Y)', events.onRedo, 'redo');
    const action = (text: string, title: string, handler: () => void, testId: string): HTMLButtonElement => {
      const b = h('button', { type: 'button', class: 'text-button', title, 'data-testid': testId, disabled: true }, text);
      b.addEventListener('click', handler);
      return b;
    };
    this.deleteButton = action('Delete', 'Delete the selected shapes (Delete, Backspace)', events.onDelete, 'delete');
    this.interpolateButton = action(
      'Interpolate',
      'Fill the slices between two selected shapes of one label (I)',
      events.onInterpolate,
      'interpolate',
    );
    this.copyButton = action('Copy to following slice', 'Copy the selected shapes to the next slice', events.onCopyNext, 'copy-next');
    this.setHistory(false, false);

    // Drawing controls, hidden as a group when the image is read-only for the caller.
    this.editGroup = h(
      'span',
      { class: 'toolbar-group' },
      h('label', { for: 'label-select', class: 'toolbar-label' }, 'Label'),
      this.labelSelect,
      toolGroup,
      this.brushSize,
      h('span', { class: 'separator', 'aria-hidden': 'true' }),
      this.undoButton,
      this.redoButton,
      this.deleteButton,
      this.interpolateButton,
      this.copyButton,
      h('span', { class: 'separator', 'aria-hidden': 'true' }),
    );
    this.readOnlyNote = h('span', { class: 'read-only', 'data-testid': 'read-only', hidden: true });

    this.el = h(
      'div',
      { class: 'toolbar', role: 'toolbar', 'aria-label': 'Annotation tools' },
      this.editGroup,
      this.readOnlyNote,
      small('−', 'Zoom out', 'Zoom out', () => events.onZoom('out'), 'zoom-out'),
      small('+', 'Zoom in', 'Zoom in', () => events.onZoom('in'), 'zoom-in'),
      small('⤢', 'Fit', 'Fit (Home)', () => events.onZoom('home'), 'zoom-home'),
      this.extra,
      h('span', { class: 'spacer' }),
      this.notice.el,
      this.status.el,
      this.discardButton,
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

  /** Press the active tool's button (null: none). */
  setActiveTool(name: string | null): void {
    for (const [n, b] of this.toolButtons) {
      b.setAttribute('aria-pressed', String(n === name));
      b.classList.toggle('active', n === name);
    }
  }

  /** Offer to discard the changes the server refused (0 hides the button). */
  setRefused(count: number): void {
    this.discardButton.hidden = count === 0;
    this.discardButton.textContent = count === 1 ? 'Discard unsaved change' : 'Discard unsaved changes';
  }

  /** Show the brush size (null hides it). */
  setBrushSize(px: number | null): void {
    this.brushSize.hidden = px === null;
    this.brushSize.textContent = px === null ? '' : `${px} px`;
  }

  setToolEnabled(name: string, enabled: boolean, why = ''): void {
    const b = this.toolButtons.get(name);
    if (!b) return;
    b.disabled = !enabled;
    if (why) b.dataset.disabledReason = why;
  }

  /** Show the drawing controls, or hide them and say why the image is read-only. */
  setEditable(editable: boolean, reason: string | null = null): void {
    this.editGroup.hidden = !editable;
    this.readOnlyNote.hidden = editable;
    this.readOnlyNote.textContent = editable ? '' : (reason ?? 'View only');
  }

  setHistory(canUndo: boolean, canRedo: boolean, undoName?: string, redoName?: string): void {
    this.undoButton.disabled = !canUndo;
    this.redoButton.disabled = !canRedo;
    this.undoButton.title = undoName ? `Undo ${undoName} (Ctrl+Z)` : 'Undo (Ctrl+Z)';
    this.redoButton.title = redoName ? `Redo ${redoName} (Ctrl+Shift+Z or Ctrl+Y)` : 'Redo (Ctrl+Shift+Z or Ctrl+Y)';
  }

  /** Enable the actions on the selection (Delete, Interpolate, Copy to following slice). */
  setSelectionActions(can: { delete: boolean; interpolate: boolean; copy: boolean }): void {
    this.deleteButton.disabled = !can.delete;
    this.interpolateButton.disabled = !can.interpolate;
    this.copyButton.disabled = !can.copy;
  }
}
