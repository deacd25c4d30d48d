// mountSidePanels: tags above the Annotations region, attributes edits and deletes as undoable commands.
// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import type { Label } from '../../src/api/types';
import { CommandStack, createCommand } from '../../src/core/commands';
import { Selection } from '../../src/core/selection';
import { AnnotationStore } from '../../src/core/store';
import { defaultTools } from '../../src/tools/index';
import { mountSidePanels } from '../../src/ui/sidePanels';

const labels: Label[] = [
  { id: 1, name: 'Liver', color: '#aa0000', kind: 'bbox', hotkey: null, attributes: [{ name: 'size', type: 'number', required: false }] },
  { id: 2, name: 'Motion', color: '#00aa00', kind: 'tag', hotkey: null, attributes: [] },
];

function setup(readOnly = false) {
  const store = new AnnotationStore();
  const stack = new CommandStack(store);
  const side = document.body.appendChild(document.createElement('aside'));
  const zoomed: string[] = [];
  const panels = mountSidePanels({
    side, store, stack, selection: new Selection(), labels, tools: defaultTools(), readOnly, frameCount: 1,
    layerStyle: () => undefined, zoomTo: (key) => zoomed.push(key),
  });
  const c = createCommand({ label: 1, frame: 0, shape: { kind: 'bbox', x: 0, y: 0, w: 2, h: 2 }, attributes: {} }, 'a');
  stack.execute(c);
  return { store, stack, side, panels, zoomed };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('mountSidePanels', () => {
  afterEach(() => document.body.replaceChildren());

  it('puts Image tags above the Annotations region', () => {
    const { side } = setup();
    expect([...side.children].map((el) => el.getAttribute('aria-label'))).toEqual(['Image tags', 'Annotations']);
  });

  it('"Edit attributes" opens the form and saves the answer as one undoable command', async () => {
    const { store, stack } = setup();
    document.querySelector<HTMLButtonElement>('[aria-label^="Edit attributes of Liver"]')!.click();
    await settle();
    const size = document.querySelector<HTMLInputElement>('[role=dialog] input[type=number]')!;
    size.value = '12';
    [...document.querySelectorAll('button')].find((b) => b.textContent === 'Save')!.click();
    await settle();
    expect(store.get('a')!.attributes).toEqual({ size: 12 });
    expect(stack.undoName).toBe('Attributes');
    stack.undo();
    expect(store.get('a')!.attributes).toEqual({});
  });

  it('Delete removes through the stack; read-only edits nothing', async () => {
    const { store, stack } = setup();
    document.querySelector<HTMLButtonElement>('[aria-label="Delete Liver · box"]')!.click();
    expect(store.size).toBe(0);
    stack.undo();
    expect(store.size).toBe(1);
    document.body.replaceChildren();
    const ro = setup(true);
    await ro.panels.editAttributes('a');
    expect(document.querySelector('[role=dialog]')).toBeNull();
  });
});
