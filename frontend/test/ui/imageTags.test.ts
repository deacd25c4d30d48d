// "Image tags": checkboxes per tag label that create/delete tag annotations through the one command stack.
// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import type { Label } from '../../src/api/types';
import { CommandStack } from '../../src/core/commands';
import { AnnotationStore } from '../../src/core/store';
import { ImageTags } from '../../src/ui/imageTags';

const labels: Label[] = [
  { id: 1, name: 'Liver', color: '#aa0000', kind: 'polygon', hotkey: null, attributes: [] },
  { id: 7, name: 'Motion artefact', color: '#00aa00', kind: 'tag', hotkey: null, attributes: [] },
  {
    id: 8,
    name: 'Quality',
    color: '#0000aa',
    kind: 'tag',
    hotkey: null,
    attributes: [{ name: 'score', type: 'choice', choices: ['good', 'poor'], required: true }],
  },
];

function setup(readOnly = false) {
  const store = new AnnotationStore();
  const stack = new CommandStack(store);
  const tags = new ImageTags({ store, stack, labels, readOnly });
  document.body.appendChild(tags.el);
  return { store, stack, tags };
}

const checkbox = (name: string) => {
  const label = [...document.querySelectorAll('[role=group][aria-label="Image tags"] label')].find((l) => l.textContent === name);
  if (!label) throw new Error(`no checkbox ${name}`);
  return label.querySelector('input[type=checkbox]') as HTMLInputElement;
};
const buttonNamed = (name: string) => [...document.querySelectorAll('button')].find((b) => b.textContent === name);
const settle = () => new Promise((r) => setTimeout(r, 0));

describe('ImageTags', () => {
  afterEach(() => document.body.replaceChildren());

  it('offers one checkbox per tag label, named after the label', () => {
    setup();
    const group = document.querySelector('[role=group][aria-label="Image tags"]')!;
    expect([...group.querySelectorAll('label')].map((l) => l.textContent)).toEqual(['Motion artefact', 'Quality']);
  });

  it('checking creates a tag annotation on frame 0; undo removes it, redo brings it back; unchecking deletes', async () => {
    const { store, stack } = setup();
    const box = checkbox('Motion artefact');
    box.click();
    await settle();
    expect(store.all().map((r) => [r.label, r.frame, r.shape.kind])).toEqual([[7, 0, 'tag']]);
    expect(stack.undoName).toBe('Tag Motion artefact');
    stack.undo();
    expect(store.size).toBe(0);
    expect(box.checked).toBe(false);
    stack.redo();
    expect(box.checked).toBe(true);
    box.click();
    await settle();
    expect(store.size).toBe(0);
    stack.undo();
    expect(box.checked).toBe(true);
  });

  it('a tag with required attributes asks for them first; Cancel leaves it unchecked', async () => {
    const { store } = setup();
    const box = checkbox('Quality');
    box.click();
    await settle();
    expect(document.querySelector('[role=dialog]')).not.toBeNull();
    buttonNamed('Cancel')!.click();
    await settle();
    expect(box.checked).toBe(false);
    expect(store.size).toBe(0);

    box.click();
    await settle();
    (document.querySelector('[role=dialog] select') as HTMLSelectElement).value = 'poor';
    buttonNamed('Save')!.click();
    await settle();
    expect(store.all().map((r) => r.attributes)).toEqual([{ score: 'poor' }]);
    expect(box.checked).toBe(true);
  });

  it('"Edit <label> attributes" shows while checked and edits as one undoable step', async () => {
    const { store, stack } = setup();
    expect(buttonNamed('Edit Quality attributes')!.hidden).toBe(true);
    expect(buttonNamed('Edit Motion artefact attributes')).toBeUndefined();
    checkbox('Quality').click();
    await settle();
    (document.querySelector('[role=dialog] select') as HTMLSelectElement).value = 'good';
    buttonNamed('Save')!.click();
    await settle();
    const edit = buttonNamed('Edit Quality attributes')!;
    expect(edit.hidden).toBe(false);
    edit.click();
    const select = document.querySelector('[role=dialog] select') as HTMLSelectElement;
    expect(select.value).toBe('good');
    select.value = 'poor';
    buttonNamed('Save')!.click();
    await settle();
    expect(store.all()[0]!.attributes).toEqual({ score: 'poor' });
    expect(stack.undoName).toBe('Attributes');
    stack.undo();
    expect(store.all()[0]!.attributes).toEqual({ score: 'good' });
  });

  it('read-only: the checkboxes show the tags but are disabled', () => {
    const store = new AnnotationStore();
    store.putServer([{ key: 'a', id: 1, version: 1, label: 7, frame: 0, shape: { kind: 'tag' }, attributes: {} }]);
    document.body.appendChild(new ImageTags({ store, stack: new CommandStack(store), labels, readOnly: true }).el);
    expect(checkbox('Motion artefact').checked).toBe(true);
    expect(checkbox('Motion artefact').disabled).toBe(true);
    expect(buttonNamed('Edit Quality attributes')).toBeUndefined();
  });

  it('is hidden when the project has no tag labels', () => {
    const store = new AnnotationStore();
    const tags = new ImageTags({ store, stack: new CommandStack(store), labels: [labels[0]!], readOnly: false });
    expect(tags.el.hidden).toBe(true);
  });
});
