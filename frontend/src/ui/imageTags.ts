// The "Image tags" group: a checkbox per tag label; checking creates a tag annotation through the command stack.
import type { Label } from '../api/types';
import { hasAttributes, hasRequiredAttributes } from '../core/attributes';
import { createCommand, deleteCommand, updateCommand, type CommandStack } from '../core/commands';
import type { AnnotationStore } from '../core/store';
import { openAttributesForm } from './attributesForm';
import { h } from './dom';
import './panels.css';

/** Tags belong to the whole image; they live on frame 0, which every image has. */
export const TAG_FRAME = 0;

export interface ImageTagsOptions {
  store: AnnotationStore;
  stack: CommandStack;
  labels: readonly Label[];
  readOnly: boolean;
  /** Where the attributes form opens (default: document.body). */
  formHost?: HTMLElement;
}

interface Row {
  readonly label: Label;
  readonly box: HTMLInputElement;
  readonly edit: HTMLButtonElement | null;
}

export class ImageTags {
  readonly el: HTMLElement;
  private readonly rows: Row[];
  private busy = false;
  private readonly unsubscribe: () => void;

  constructor(private readonly opts: ImageTagsOptions) {
    const tags = opts.labels.filter((l) => l.kind === 'tag');
    this.rows = tags.map((label) => this.row(label));
    this.el = h(
      'div',
      { class: 'image-tags panel-section', role: 'group', 'aria-label': 'Image tags', hidden: tags.length === 0 },
      h('h2', { 'aria-hidden': 'true' }, 'Image tags'),
      ...this.rows.map((r) => h('div', { class: 'tag-row' }, h('label', { class: 'check' }, r.box, r.label.name), r.edit)),
    );
    this.refresh();
    this.unsubscribe = opts.store.subscribe(() => this.refresh());
  }

  destroy(): void {
    this.unsubscribe();
    this.el.remove();
  }

  /** Keys of the tag annotations of this label (normally one; imports may have brought more). */
  keysOf(labelId: number): string[] {
    return this.opts.store
      .all()
      .filter((r) => r.label === labelId)
      .map((r) => r.key);
  }

  private row(label: Label): Row {
    const box = h('input', { type: 'checkbox', disabled: this.opts.readOnly });
    box.addEventListener('change', () => void this.toggle(label, box.checked));
    const edit =
      hasAttributes(label) && !this.opts.readOnly
        ? h('button', { type: 'button', class: 'link-button', hidden: true }, `Edit ${label.name} attributes`)
        : null;
    edit?.addEventListener('click', () => void this.edit(label));
    return { label, box, edit };
  }

  private refresh(): void {
    for (const { label, box, edit } of this.rows) {
      const on = this.keysOf(label.id).length > 0;
      box.checked = on;
      if (edit) edit.hidden = !on;
    }
  }

  private form(label: Label, initial: Record<string, unknown>) {
    return openAttributesForm(this.opts.formHost ?? document.body, label, initial);
  }

  private async toggle(label: Label, on: boolean): Promise<void> {
    if (this.busy) return;
    if (!on) {
      this.opts.stack.execute(deleteCommand(this.opts.store, this.keysOf(label.id), `Untag ${label.name}`));
      return;
    }
    let attributes: Record<string, unknown> = {};
    if (hasRequiredAttributes(label)) {
      this.busy = true;
      const values = await this.form(label, {});
      this.busy = false;
      if (values === null) {
        this.refresh(); // cancelled: the box goes back to what the store says
        return;
      }
      attributes = values;
    }
    if (this.keysOf(label.id).length > 0) return; // tagged meanwhile (undo/redo while the form was open)
    this.opts.stack.execute(
      createCommand({ label: label.id, frame: TAG_FRAME, shape: { kind: 'tag' }, attributes }, undefined, `Tag ${label.name}`),
    );
  }

  private async edit(label: Label): Promise<void> {
    const key = this.keysOf(label.id)[0];
    const record = key ? this.opts.store.get(key) : undefined;
    if (!key || !record) return;
    const values = await this.form(label, { ...record.attributes });
    if (values === null || !this.opts.store.get(key)) return;
    this.opts.stack.execute(updateCommand(this.opts.store, key, { attributes: values }, 'Attributes'));
  }
}
