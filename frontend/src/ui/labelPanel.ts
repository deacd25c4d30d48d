// Side-panel region "Annotations": annotations grouped by label with counts, show/hide and opacity per label.
import type { Label, LabelKind } from '../api/types';
import { hasAttributes } from '../core/attributes';
import { labelColor } from '../core/palette';
import type { Selection } from '../core/selection';
import type { AnnotationRecord, AnnotationStore, StoreChange } from '../core/store';
import { h } from './dom';
import './panels.css';

export interface LabelPanelOptions {
  store: AnnotationStore;
  labels: readonly Label[];
  selection: Selection;
  /** Show/hide and opacity (0–1) of one label's shapes; ShapeLayer.setLabelStyle fits. */
  layerStyle: (labelId: number, style: { visible?: boolean; opacity?: number }) => void;
  readOnly: boolean;
  /** Frames of the image: items say their slice only on stacks. */
  frameCount?: number;
  zoomTo: (key: string) => void;
  editAttributes: (key: string) => void;
  remove: (key: string) => void;
}

const KIND_WORDS: Record<LabelKind, string> = {
  tag: 'tag',
  bbox: 'box',
  polygon: 'polygon',
  polyline: 'polyline',
  point: 'point',
  mask: 'mask',
};

interface Item {
  readonly li: HTMLLIElement;
  readonly show: HTMLButtonElement;
  record: AnnotationRecord;
  /** Order of first sight, so items keep their place within a frame. */
  readonly seq: number;
}

interface Group {
  readonly label: Label;
  readonly section: HTMLElement;
  readonly heading: HTMLElement;
  readonly list: HTMLUListElement;
  readonly keys: string[];
}

function describe(record: AnnotationRecord, label: Label, frameCount: number): string {
  const parts = [label.name, KIND_WORDS[label.kind] ?? label.kind];
  if (frameCount > 1 && label.kind !== 'tag') parts.push(`slice ${record.frame + 1}`);
  return parts.join(' · ');
}

function summary(attributes: Readonly<Record<string, unknown>>): string {
  return Object.entries(attributes)
    .map(([k, v]) => `${k}: ${typeof v === 'boolean' ? (v ? 'yes' : 'no') : String(v)}`)
    .join(', ');
}

export class LabelPanel {
  readonly el: HTMLElement;
  private readonly body: HTMLElement;
  private readonly total: HTMLElement;
  private readonly empty: HTMLElement;
  private readonly labels = new Map<number, { label: Label; color: string }>();
  private readonly groups = new Map<number, Group>();
  private readonly items = new Map<string, Item>();
  private readonly selected = new Set<string>();
  /** Show/opacity per label, kept while a label's group is gone (its last shape deleted, then undone). */
  private readonly styles = new Map<number, { visible: boolean; opacity: number }>();
  private seq = 0;
  private readonly unsubscribe: (() => void)[];

  constructor(private readonly opts: LabelPanelOptions) {
    opts.labels.forEach((label, i) => this.labels.set(label.id, { label, color: labelColor(label, i) }));
    this.total = h('span', { class: 'count' }, '0');
    this.empty = h('p', { class: 'empty muted' }, opts.readOnly ? 'No annotations.' : 'No annotations yet.');
    this.body = h('div', { class: 'label-groups' });
    this.el = h(
      'section',
      { class: 'panel-section label-panel', 'aria-label': 'Annotations' },
      h('h2', {}, 'Annotations ', this.total),
      this.empty,
      this.body,
    );
    this.body.addEventListener('click', (e) => this.onClick(e));
    this.rebuild();
    this.unsubscribe = [
      opts.store.subscribe((changes) => this.onStore(changes)),
      opts.selection.subscribe(() => this.onSelection()),
    ];
  }

  destroy(): void {
    for (const u of this.unsubscribe) u();
    this.el.remove();
  }

  /** Everything from the store again (also used for big batches, where it is cheaper than item by item). */
  rebuild(): void {
    this.items.clear();
    for (const g of this.groups.values()) g.section.remove();
    this.groups.clear();
    const records = this.opts.store.all();
    for (const r of records) this.items.set(r.key, this.buildItem(r));
    const byLabel = new Map<number, string[]>();
    for (const r of records) {
      if (!this.labels.has(r.label)) continue;
      const keys = byLabel.get(r.label) ?? [];
      keys.push(r.key);
      byLabel.set(r.label, keys);
    }
    for (const id of this.labels.keys()) {
      const keys = byLabel.get(id);
      if (!keys) continue;
      const group = this.group(id);
      keys.sort((a, b) => this.compare(a, b));
      group.keys.push(...keys);
      const fragment = document.createDocumentFragment();
      for (const k of keys) fragment.appendChild(this.items.get(k)!.li);
      group.list.appendChild(fragment);
      this.count(group);
    }
    this.onSelection();
    this.totals();
  }

  private onStore(changes: readonly StoreChange[]): void {
    if (changes.length > 200) {
      this.rebuild();
      return;
    }
    const touched = new Set<Group>();
    for (const c of changes) {
      const item = this.items.get(c.key);
      if (item) this.detach(c.key, item, touched);
      if (c.after) this.attach(c.after, touched, item?.seq);
    }
    for (const g of touched) this.count(g);
    this.totals();
  }

  private detach(key: string, item: Item, touched: Set<Group>): void {
    this.items.delete(key);
    item.li.remove();
    const group = this.groups.get(item.record.label);
    if (!group) return;
    const at = group.keys.indexOf(key);
    if (at >= 0) group.keys.splice(at, 1);
    touched.add(group);
  }

  private attach(record: AnnotationRecord, touched: Set<Group>, seq?: number): void {
    const item = this.buildItem(record, seq);
    this.items.set(record.key, item);
    if (!this.labels.has(record.label)) return;
    const group = this.group(record.label);
    // Binary search for the place by (frame, first sight).
    let lo = 0;
    let hi = group.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.compare(group.keys[mid]!, record.key) < 0) lo = mid + 1;
      else hi = mid;
    }
    const next = group.keys[lo];
    group.keys.splice(lo, 0, record.key);
    group.list.insertBefore(item.li, next ? this.items.get(next)!.li : null);
    if (this.selected.has(record.key)) item.show.setAttribute('aria-pressed', 'true');
    touched.add(group);
  }

  private compare(a: string, b: string): number {
    const x = this.items.get(a)!;
    const y = this.items.get(b)!;
    return x.record.frame - y.record.frame || x.seq - y.seq;
  }

  private buildItem(record: AnnotationRecord, seq?: number): Item {
    const entry = this.labels.get(record.label);
    const label: Label = entry?.label ?? { id: record.label, name: `Label ${record.label}`, color: '', kind: record.shape.kind, hotkey: null, attributes: [] };
    const text = describe(record, label, this.opts.frameCount ?? 1);
    const swatch = h('span', { class: 'swatch', 'aria-hidden': 'true' });
    swatch.style.background = entry?.color ?? '#888888';
    const show = h('button', { type: 'button', class: 'annotation-show', 'data-action': 'select', 'aria-pressed': 'false' }, swatch, text);
    const attrs = summary(record.attributes);
    const li = h(
      'li',
      { class: 'annotation-item', 'data-testid': 'annotation-item', 'data-key': record.key, 'data-frame': record.frame },
      show,
      attrs ? h('span', { class: 'annotation-attributes muted' }, attrs) : null,
      !this.opts.readOnly && entry && hasAttributes(label)
        ? h('button', { type: 'button', class: 'link-button', 'data-action': 'attributes', 'aria-label': `Edit attributes of ${text}` }, 'Edit attributes')
        : null,
      this.opts.readOnly
        ? null
        : h('button', { type: 'button', class: 'delete icon-button', 'data-action': 'delete', 'data-testid': 'delete-annotation', 'aria-label': `Delete ${text}`, title: 'Delete' }, '✕'),
    );
    return { li, show, record, seq: seq ?? this.seq++ };
  }

  private group(labelId: number): Group {
    const existing = this.groups.get(labelId);
    if (existing) return existing;
    const { label, color } = this.labels.get(labelId)!;
    const heading = h('h3', { class: 'label-group-title' });
    const swatch = h('span', { class: 'swatch', 'aria-hidden': 'true' });
    swatch.style.background = color;
    const list = h('ul', { class: 'annotation-list', 'aria-label': label.name });
    const controls = label.kind === 'tag' ? null : this.styleControls(label);
    const section = h('section', { class: 'label-group', 'data-label': label.id }, h('div', { class: 'label-group-head' }, swatch, heading), controls, list);
    const group: Group = { label, section, heading, list, keys: [] };
    this.groups.set(labelId, group);
    // Groups follow the project's label order.
    const after = [...this.labels.keys()].slice([...this.labels.keys()].indexOf(labelId) + 1).map((id) => this.groups.get(id)).find(Boolean);
    this.body.insertBefore(section, after?.section ?? null);
    return group;
  }

  private styleControls(label: Label): HTMLElement {
    const style = this.styles.get(label.id) ?? { visible: true, opacity: 1 };
    this.styles.set(label.id, style);
    const visible = h('input', { type: 'checkbox', 'aria-label': `Show ${label.name}`, checked: style.visible });
    visible.addEventListener('change', () => {
      style.visible = visible.checked;
      this.opts.layerStyle(label.id, { visible: style.visible });
    });
    const opacity = h('input', { type: 'range', min: 0, max: 100, step: 5, value: Math.round(style.opacity * 100), 'aria-label': `Opacity ${label.name}` });
    opacity.addEventListener('input', () => {
      style.opacity = Number(opacity.value) / 100;
      this.opts.layerStyle(label.id, { opacity: style.opacity });
    });
    return h('div', { class: 'label-style' }, h('label', { class: 'check' }, visible, ' Show'), h('label', { class: 'range' }, 'Opacity ', opacity));
  }

  private count(group: Group): void {
    if (group.keys.length === 0) {
      group.section.remove();
      this.groups.delete(group.label.id);
      return;
    }
    group.heading.textContent = `${group.label.name} (${group.keys.length})`;
  }

  private totals(): void {
    let n = 0;
    for (const g of this.groups.values()) n += g.keys.length;
    this.total.textContent = String(n);
    this.empty.hidden = n > 0;
  }

  private onSelection(): void {
    const now = new Set(this.opts.selection.list());
    for (const key of this.selected) if (!now.has(key)) this.items.get(key)?.show.setAttribute('aria-pressed', 'false');
    for (const key of now) if (!this.selected.has(key)) this.items.get(key)?.show.setAttribute('aria-pressed', 'true');
    this.selected.clear();
    for (const key of now) this.selected.add(key);
  }

  private onClick(e: MouseEvent): void {
    const button = (e.target as Element).closest<HTMLElement>('button[data-action]');
    const key = button?.closest<HTMLElement>('li[data-key]')?.dataset.key;
    if (!button || !key) return;
    switch (button.dataset.action) {
      case 'select':
        if (e.shiftKey) this.opts.selection.toggle(key);
        else {
          this.opts.selection.set([key]);
          this.opts.zoomTo(key);
        }
        break;
      case 'attributes':
        this.opts.editAttributes(key);
        break;
      case 'delete':
        this.opts.remove(key);
        break;
    }
  }
}
