// Side-panel section listing an image's saved annotations (label + geometry) with a delete button each.
import type { Annotation, Label } from '../api/types';
import { isRect } from '../core/geometry';
import { h, setChildren } from './dom';

export interface PanelEvents {
  onDelete(id: number): void;
  onSelect(id: number): void;
  onHover(id: number | null): void;
}

const fmt = (n: number): string => String(Math.round(n * 100) / 100);

export function describeGeometry(geometry: unknown): string {
  if (isRect(geometry)) return `x ${fmt(geometry.x)}, y ${fmt(geometry.y)}, ${fmt(geometry.w)} × ${fmt(geometry.h)} px`;
  if (typeof geometry === 'object' && geometry !== null) {
    const keys = Object.keys(geometry);
    return keys.length ? `{${keys.join(', ')}}` : 'no geometry';
  }
  return String(geometry);
}

export class AnnotationPanel {
  readonly el: HTMLElement;
  private readonly list: HTMLOListElement;
  private readonly count: HTMLElement;
  /** Delete buttons are only offered when the caller may edit the image. */
  editable = true;
  /** Frames of the image; on stacks each item says its slice. */
  frameCount = 1;

  constructor(private readonly events: PanelEvents) {
    this.count = h('span', { class: 'count', 'data-testid': 'annotation-count' }, '0');
    this.list = h('ol', { class: 'annotation-list', 'data-testid': 'annotation-list' });
    this.el = h(
      'section',
      { class: 'panel-section', 'aria-label': 'Annotations' },
      h('h2', {}, 'Annotations ', this.count),
      this.list,
    );
    this.list.addEventListener('mouseleave', () => this.events.onHover(null));
  }

  render(annotations: Annotation[], labels: Map<number, Label>): void {
    this.count.textContent = String(annotations.length);
    if (annotations.length === 0) {
      const hint = this.editable ? 'No annotations yet. Choose a label, press B and drag a box.' : 'No annotations.';
      setChildren(this.list, h('li', { class: 'empty muted' }, hint));
      return;
    }
    const items = [...annotations]
      .sort((a, b) => a.id - b.id)
      .map((a) => this.item(a, labels.get(a.label)));
    setChildren(this.list, ...items);
  }

  private item(a: Annotation, label: Label | undefined): HTMLElement {
    const name = label?.name ?? `Label ${a.label}`;
    const slice = this.frameCount > 1 ? ` · slice ${(a.frame ?? 0) + 1}` : '';
    const geometry = describeGeometry(a.geometry) + slice;
    const swatch = h('span', { class: 'swatch', 'aria-hidden': 'true' });
    swatch.style.background = label?.color ?? '#888888';
    const del = this.editable ? this.deleteButton(a.id, name) : null;
    const show = h(
      'button',
      { type: 'button', class: 'annotation-show', title: 'Show on image' },
      swatch,
      h('span', { class: 'annotation-label' }, name),
      h('span', { class: 'annotation-geometry muted' }, geometry),
    );
    show.addEventListener('click', () => this.events.onSelect(a.id));
    const li = h('li', { class: 'annotation-item', 'data-testid': 'annotation-item', 'data-id': a.id }, show, del);
    li.addEventListener('mouseenter', () => this.events.onHover(a.id));
    return li;
  }

  private deleteButton(id: number, name: string): HTMLButtonElement {
    const del = h(
      'button',
      {
        type: 'button',
        class: 'delete icon-button',
        'data-testid': 'delete-annotation',
        'aria-label': `Delete ${name} annotation ${id}`,
        title: 'Delete',
      },
      '✕',
    );
    del.addEventListener('click', (e) => {
      e.stopPropagation();
      this.events.onDelete(id);
    });
    return del;
  }
}
