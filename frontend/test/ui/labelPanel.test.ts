// The "Annotations" region: groups by label with counts, per-label show/opacity, selection, callbacks, 2,000 items.
// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import type { Label } from '../../src/api/types';
import { CommandStack, createCommand, deleteCommand, updateCommand } from '../../src/core/commands';
import { OKABE_ITO } from '../../src/core/palette';
import { Selection } from '../../src/core/selection';
import { AnnotationStore, type AnnotationState } from '../../src/core/store';
import { LabelPanel, type LabelPanelOptions } from '../../src/ui/labelPanel';

const labels: Label[] = [
  { id: 1, name: 'Liver', color: '#aa0000', kind: 'polygon', hotkey: null, attributes: [{ name: 'grade', type: 'choice', choices: ['1', '2'], required: true }] },
  { id: 2, name: 'Lesion', color: '', kind: 'bbox', hotkey: null, attributes: [] },
  { id: 3, name: 'Motion', color: '#00aa00', kind: 'tag', hotkey: null, attributes: [] },
];

const box = (label: number, frame = 0, attributes: Record<string, unknown> = {}): AnnotationState => ({
  label,
  frame,
  attributes,
  shape: label === 1 ? { kind: 'polygon', points: [{ x: 0, y: 0 }, { x: 5, y: 0 }, { x: 0, y: 5 }] } : { kind: 'bbox', x: 1, y: 2, w: 3, h: 4 },
});

function setup(extra: Partial<LabelPanelOptions> = {}) {
  const store = extra.store ?? new AnnotationStore();
  const stack = new CommandStack(store);
  const selection = new Selection();
  const calls: string[] = [];
  const panel = new LabelPanel({
    store,
    labels,
    selection,
    readOnly: false,
    frameCount: 10,
    layerStyle: (id, style) => calls.push(`style ${id} ${JSON.stringify(style)}`),
    zoomTo: (key) => calls.push(`zoom ${key}`),
    editAttributes: (key) => calls.push(`attributes ${key}`),
    remove: (key) => calls.push(`remove ${key}`),
    ...extra,
  });
  document.body.appendChild(panel.el);
  return { store, stack, selection, panel, calls };
}

const headings = () => [...document.querySelectorAll('h3')].map((x) => x.textContent);
const items = () => [...document.querySelectorAll<HTMLElement>('[data-testid=annotation-item]')];
const itemTexts = () => items().map((li) => li.querySelector('.annotation-show')!.textContent);
const control = <T extends HTMLElement>(name: string) => {
  const el = document.querySelector<T>(`[aria-label="${name}"]`);
  if (!el) throw new Error(`no control named ${name}`);
  return el;
};

describe('LabelPanel', () => {
  afterEach(() => document.body.replaceChildren());

  it('is a region named Annotations with a heading and count per label, in the project order', () => {
    const { stack } = setup();
    const region = document.querySelector('section[aria-label="Annotations"]');
    expect(region).not.toBeNull();
    expect(region!.querySelector('.empty')!.hasAttribute('hidden')).toBe(false);
    stack.execute(createCommand(box(2, 3)));
    stack.execute(createCommand(box(1, 1, { grade: '2' })));
    stack.execute(createCommand(box(2, 0)));
    expect(headings()).toEqual(['Liver (1)', 'Lesion (2)']);
    expect(region!.querySelector('h2')!.textContent).toBe('Annotations 3');
    // label, kind and slice (1-based on stacks); within a label by frame
    expect(itemTexts()).toEqual(['Liver · polygon · slice 2', 'Lesion · box · slice 1', 'Lesion · box · slice 4']);
    expect(items()[0]!.dataset.frame).toBe('1');
    expect(items()[0]!.querySelector('.annotation-attributes')!.textContent).toBe('grade: 2');
    expect(region!.querySelector('.empty')!.hasAttribute('hidden')).toBe(true);
  });

  it('follows edits, deletes, undo and redo without losing its place', () => {
    const { store, stack } = setup();
    const a = createCommand(box(2, 0));
    const b = createCommand(box(2, 5));
    stack.execute(a);
    stack.execute(b);
    const key = a.changes[0]!.key;
    const before = items().find((li) => li.dataset.key === b.changes[0]!.key);
    stack.execute(updateCommand(store, key, { frame: 7 }));
    expect(itemTexts()).toEqual(['Lesion · box · slice 6', 'Lesion · box · slice 8']);
    // The item that did not change is the same element (no rebuild for one change).
    expect(items().find((li) => li.dataset.key === b.changes[0]!.key)).toBe(before);
    // An edit that keeps the frame keeps the item's place (first sight, not last change, orders a frame).
    const c = createCommand(box(2, 7));
    stack.execute(c);
    stack.execute(updateCommand(store, key, { attributes: { note: 'x' } }));
    expect(items().map((li) => li.dataset.key).slice(1)).toEqual([key, c.changes[0]!.key]);
    stack.undo();
    stack.undo();
    stack.execute(updateCommand(store, key, { label: 1, shape: box(1).shape, attributes: { grade: '1' } }));
    expect(headings()).toEqual(['Liver (1)', 'Lesion (1)']);
    stack.execute(deleteCommand(store, [key]));
    expect(headings()).toEqual(['Lesion (1)']);
    stack.undo();
    expect(headings()).toEqual(['Liver (1)', 'Lesion (1)']);
    stack.undo();
    stack.undo();
    expect(itemTexts()).toEqual(['Lesion · box · slice 1', 'Lesion · box · slice 6']);
  });

  it('Show and Opacity per label call the layer style and survive the group disappearing', () => {
    const { store, stack, calls } = setup();
    const c = createCommand(box(2));
    stack.execute(c);
    const show = control<HTMLInputElement>('Show Lesion');
    expect(show.type).toBe('checkbox');
    expect(show.checked).toBe(true);
    show.click();
    const opacity = control<HTMLInputElement>('Opacity Lesion');
    expect([opacity.type, opacity.min, opacity.max, opacity.value]).toEqual(['range', '0', '100', '100']);
    opacity.value = '40';
    opacity.dispatchEvent(new Event('input', { bubbles: true }));
    expect(calls).toEqual(['style 2 {"visible":false}', 'style 2 {"opacity":0.4}']);
    stack.execute(deleteCommand(store, [c.changes[0]!.key]));
    expect(document.querySelector('[aria-label="Show Lesion"]')).toBeNull();
    stack.undo();
    expect(control<HTMLInputElement>('Show Lesion').checked).toBe(false);
    expect(control<HTMLInputElement>('Opacity Lesion').value).toBe('40');
  });

  it('tags are listed without show/opacity controls (nothing is drawn)', () => {
    const { stack } = setup();
    stack.execute(createCommand({ label: 3, frame: 0, shape: { kind: 'tag' }, attributes: {} }));
    expect(itemTexts()).toEqual(['Motion · tag']);
    expect(document.querySelector('[aria-label="Show Motion"]')).toBeNull();
  });

  it('click selects and zooms, Shift+click adds, buttons call back; the pressed state follows the selection', () => {
    const { stack, selection, calls } = setup();
    const a = createCommand(box(1, 0, { grade: '1' }));
    const b = createCommand(box(2, 0));
    stack.execute(a);
    stack.execute(b);
    const [ka, kb] = [a.changes[0]!.key, b.changes[0]!.key];
    const show = (i: number) => items()[i]!.querySelector<HTMLButtonElement>('.annotation-show')!;
    show(0).click();
    expect(selection.list()).toEqual([ka]);
    show(1).dispatchEvent(new MouseEvent('click', { bubbles: true, shiftKey: true }));
    expect(selection.list()).toEqual([ka, kb]);
    expect([show(0).getAttribute('aria-pressed'), show(1).getAttribute('aria-pressed')]).toEqual(['true', 'true']);
    selection.set([kb]);
    expect(show(0).getAttribute('aria-pressed')).toBe('false');
    control<HTMLButtonElement>('Edit attributes of Liver · polygon · slice 1').click();
    control<HTMLButtonElement>('Delete Lesion · box · slice 1').click();
    expect(calls).toEqual([`zoom ${ka}`, `attributes ${ka}`, `remove ${kb}`]);
    // A label without attributes has no "Edit attributes" button.
    expect(items()[1]!.textContent).not.toContain('Edit attributes');
  });

  it('read-only: no Delete and no Edit attributes', () => {
    const { stack } = setup({ readOnly: true });
    stack.execute(createCommand(box(1, 0, { grade: '1' })));
    expect(document.querySelector('[data-action=delete], [data-action=attributes]')).toBeNull();
  });

  it('swatches use the label colour, else the Okabe–Ito palette by label position', () => {
    const { stack } = setup();
    stack.execute(createCommand(box(1)));
    stack.execute(createCommand(box(2)));
    const swatches = [...document.querySelectorAll<HTMLElement>('.label-group-head .swatch')].map((s) => s.style.background);
    const css = (hex: string) => {
      const el = document.createElement('span');
      el.style.background = hex;
      return el.style.background;
    };
    expect(swatches).toEqual([css('#aa0000'), css(OKABE_ITO[1])]);
  });

  it('never parses label names or attribute values as HTML', () => {
    const evil: Label[] = [{ ...labels[1]!, name: '<img src=x>' }];
    const { stack } = setup({ labels: evil });
    stack.execute(createCommand({ ...box(2), attributes: { note: '<b>x</b>' } }));
    expect(document.querySelector('img, b')).toBeNull();
    expect(headings()).toEqual(['<img src=x> (1)']);
  });

  it('stays responsive with 2,000 annotations: build and one change', () => {
    const store = new AnnotationStore();
    store.putServer(
      Array.from({ length: 2000 }, (_, i) => ({ key: `k${i}`, id: i + 1, version: 1, ...box(1 + (i % 2), i % 10, i % 2 ? {} : { grade: '1' }) })),
    );
    const t0 = performance.now();
    const { stack, selection } = setup({ store });
    const build = performance.now() - t0;
    expect(items()).toHaveLength(2000);
    expect(headings()).toEqual(['Liver (1000)', 'Lesion (1000)']);
    const t1 = performance.now();
    stack.execute(updateCommand(store, 'k10', { frame: 9 }));
    const update = performance.now() - t1;
    const t2 = performance.now();
    selection.set(['k11']);
    const select = performance.now() - t2;
    console.info(`LabelPanel 2000 items (jsdom): build ${build.toFixed(0)} ms, one edit ${update.toFixed(1)} ms, select ${select.toFixed(1)} ms`);
    expect(items().find((li) => li.dataset.key === 'k10')!.dataset.frame).toBe('9');
    expect(update).toBeLessThan(50);
    expect(build).toBeLessThan(3000);
  });
});
