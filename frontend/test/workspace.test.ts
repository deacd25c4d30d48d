// Wiring test of the viewer page with a fake viewer surface: tools, keys, autosave through bulk, undo, conflicts.
// @vitest-environment jsdom
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiClient } from '../src/api/client';
import type { Annotation, Label } from '../src/api/types';
import type { PageContext } from '../src/ui/page';
import { mountViewer } from '../src/ui/viewerPage';
import type { FakeSurface } from './fakeSurface';

const viewers = vi.hoisted(() => [] as FakeSurface[]);

vi.mock('../src/viewer/viewer', async () => {
  const { fakeTileModule } = await import('./fakeSurface');
  return fakeTileModule(viewers);
});

const labels: Label[] = [
  { id: 5, name: 'Tag only', color: '#111111', kind: 'tag', hotkey: null, attributes: [] },
  { id: 1, name: 'Tumour', color: '#e11d48', kind: 'bbox', hotkey: 'T', attributes: [] },
  { id: 2, name: 'Artifact', color: '#2563eb', kind: 'bbox', hotkey: null, attributes: [] },
  { id: 3, name: 'Liver', color: '#0072b2', kind: 'polygon', hotkey: null, attributes: [] },
  {
    id: 4,
    name: 'Lesion',
    color: '#009e73',
    kind: 'bbox',
    hotkey: null,
    attributes: [{ name: 'grade', type: 'choice', choices: ['1', '2', '3'], required: true }],
  },
];

function annotation(id: number, label: number, geometry: unknown, frame = 0, version = 2): Annotation {
  return { id, image: 7, label, frame, geometry, attributes: {}, author: 1, created_at: '', updated_at: '', version, source: 'manual' } as Annotation;
}

interface Setup {
  frames?: number;
  labels?: Label[];
  annotations?: Annotation[];
  /** Answer the next bulk request with a 412 and let GET /annotations/{id}/ return this newer version. */
  conflict?: Annotation;
}

type Bulk = { create: Record<string, unknown>[]; update: Record<string, unknown>[]; delete: { id: number; version: number }[] };

function backend(setup: Setup = {}) {
  const bulks: Bulk[] = [];
  let nextId = 100;
  let conflict = setup.conflict ?? null;
  const fetch = (async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = String(input);
    const method = init.method ?? 'GET';
    const ok = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
    const path = url.split('?')[0];
    if (path === '/api/v1/images/7/')
      return ok({ id: 7, project: 3, name: 'slide.svs', status: 'ready', width: 512, height: 512, frames: setup.frames ?? 1, dzi_url: '/api/v1/images/7/dzi' });
    if (path === '/api/v1/projects/3/labels/') return ok({ next: null, previous: null, results: setup.labels ?? labels });
    if (path === '/api/v1/images/7/dzi') return new Response(DZI, { headers: { 'Content-Type': 'application/xml' } });
    if (path === '/api/v1/images/7/annotations/' && method === 'GET') return ok({ next: null, previous: null, results: setup.annotations ?? [] });
    if (path === '/api/v1/images/7/annotations/bulk/' && method === 'POST') {
      const body = JSON.parse(String(init.body)) as Bulk;
      bulks.push(body);
      if (conflict) {
        const stale = conflict;
        conflict = null;
        return ok({ detail: 'Stale version.', code: 'conflict', conflicts: [{ id: stale.id, version: stale.version }] }, 412);
      }
      const created = body.create.map((c) => ({ ...annotation(nextId++, 0, null, 0, 1), ...c }));
      const updated = body.update.map((u) => ({ ...annotation(Number(u.id), 0, null), ...u, version: Number(u.version) + 1 }));
      return ok({ created, updated, deleted: body.delete.map((d) => d.id) });
    }
    const one = /^\/api\/v1\/annotations\/(\d+)\/$/.exec(path ?? '');
    if (one && method === 'GET' && setup.conflict && Number(one[1]) === setup.conflict.id) return ok(setup.conflict);
    return ok({ detail: 'Not found.', code: 'not_found' }, 404);
  }) as typeof globalThis.fetch;
  return { api: new ApiClient({ fetch, cookies: () => 'csrftoken=abc' }), bulks };
}

const DZI =
  '<Image xmlns="http://schemas.microsoft.com/deepzoom/2008" Format="jpeg" Overlap="1" TileSize="254"><Size Width="512" Height="512"/></Image>';

function key(k: string, extra: KeyboardEventInit = {}): void {
  document.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true, ...extra }));
}

function pointer(target: Element, type: string, x: number, y: number, extra: PointerEventInit = {}): void {
  target.dispatchEvent(new PointerEvent(type, { clientX: x, clientY: y, pointerId: 1, isPrimary: true, button: 0, bubbles: true, ...extra }));
}

function drag(target: Element, from: [number, number], to: [number, number]): void {
  pointer(target, 'pointerdown', ...from);
  pointer(target, 'pointermove', (from[0] + to[0]) / 2, (from[1] + to[1]) / 2);
  pointer(target, 'pointermove', ...to);
  pointer(target, 'pointerup', ...to);
}

describe('viewer page wiring', () => {
  const mounted: AbortController[] = [];
  beforeEach(() => {
    for (const c of mounted.splice(0)) c.abort(); // a page left open would still hear the keys
    document.body.replaceChildren();
    viewers.length = 0;
  });

  async function open(setup: Setup = {}) {
    const { api, bulks } = backend(setup);
    const root = document.createElement('main');
    document.body.appendChild(root);
    const controller = new AbortController();
    mounted.push(controller);
    const ctx: PageContext = { api, signal: controller.signal, setTitle: vi.fn() };
    await mountViewer(root, ctx, 7);
    const viewer = viewers[0]!;
    const q = <T extends HTMLElement = HTMLElement>(id: string) => root.querySelector<T>(`[data-testid="${id}"]`)!;
    const button = (name: string) =>
      [...document.querySelectorAll<HTMLButtonElement>('button')].find((b) => (b.getAttribute('aria-label') ?? b.textContent?.trim()) === name)!;
    const items = () => [...root.querySelectorAll<HTMLElement>('[data-testid="annotation-item"]')];
    const saved = () => vi.waitFor(() => expect(q('save-status').textContent).toBe('Saved'));
    return { root, viewer, bulks, controller, q, button, items, saved, element: q('viewer') };
  }

  it('opens the inline DZI source, lists drawn labels with their keys and one button per tool', async () => {
    const { viewer, q, button } = await open({ annotations: [annotation(40, 1, { x: 1, y: 1, w: 10, h: 10 })] });
    expect(viewer.opened).toMatchObject({ Image: { Url: '/api/v1/images/7/tiles/', Format: 'jpeg', TileSize: '254' } });
    const select = q<HTMLSelectElement>('label-select');
    // Keys 1–9 follow the project's order (the tag is 1); Tumour's own key T is free, so it works too.
    expect([...select.options].map((o) => o.textContent)).toEqual(['Tumour (2, T)', 'Artifact (3)', 'Liver (4)', 'Lesion (5)']);
    for (const name of ['Select', 'Box', 'Polygon', 'Polyline', 'Point', 'Brush', 'Eraser']) expect(button(name)).toBeTruthy();
    expect(button('Select').getAttribute('aria-pressed')).toBe('true');
    expect(button('Brush').disabled).toBe(true); // no mask label in this project
    key('m'); // nor by its key
    expect(button('Brush').getAttribute('aria-pressed')).toBe('false');
    expect(q('notice').textContent).toBe('Brush: this project has no mask label.');
    expect(q('save-status').textContent).toBe('Saved');
    expect(q('save-status').getAttribute('aria-label')).toBe('Save status');
  });

  it('draws a box with the Box tool, autosaves it through bulk and lists it', async () => {
    const { bulks, q, button, items, saved, element, viewer } = await open();
    key('3'); // Artifact; the Select tool gives way to the Box tool that draws it
    expect(q<HTMLSelectElement>('label-select').value).toBe('2');
    expect(button('Box').getAttribute('aria-pressed')).toBe('true');
    expect(viewer.drawing).toBe(true);
    drag(element, [300, 200], [100.123, 50.5]);
    expect(q('save-status').textContent).toBe('Saving…');
    await saved();
    expect(bulks).toHaveLength(1);
    expect(bulks[0]).toEqual({ create: [{ label: 2, frame: 0, geometry: { x: 100.12, y: 50.5, w: 199.88, h: 149.5 }, attributes: {} }], update: [], delete: [] });
    expect(items().map((li) => li.textContent)).toEqual([expect.stringContaining('Artifact · box')]);
    key('Escape');
    expect(button('Select').getAttribute('aria-pressed')).toBe('true');
    expect(viewer.drawing).toBe(false);
  });

  it('closes a polygon with Enter and picks the polygon label when the Polygon tool is chosen', async () => {
    const { bulks, button, saved, element, q } = await open();
    button('Polygon').click();
    expect(q<HTMLSelectElement>('label-select').value).toBe('3');
    for (const [x, y] of [[10, 10], [200, 20], [150, 180]] as const) {
      pointer(element, 'pointerdown', x, y);
      pointer(element, 'pointerup', x, y);
    }
    key('Enter');
    await saved();
    expect(bulks[0]!.create).toEqual([{ label: 3, frame: 0, geometry: { points: [[10, 10], [200, 20], [150, 180]] }, attributes: {} }]);
  });

  it('moves a shape with Select, deletes it, and undoes and redoes both through the server', async () => {
    const { bulks, saved, element, button } = await open({ annotations: [annotation(40, 1, { x: 10, y: 10, w: 100, h: 100 })] });
    drag(element, [50, 50], [70, 80]);
    await saved();
    expect(bulks.at(-1)!.update).toEqual([{ id: 40, version: 2, label: 1, frame: 0, geometry: { x: 30, y: 40, w: 100, h: 100 }, attributes: {} }]);
    expect(button('Delete').disabled).toBe(false);
    key('Delete');
    await saved();
    expect(bulks.at(-1)!.delete).toEqual([{ id: 40, version: 3 }]);
    key('z', { ctrlKey: true }); // undo the delete: created again
    await saved();
    expect(bulks.at(-1)!.create).toEqual([{ label: 1, frame: 0, geometry: { x: 30, y: 40, w: 100, h: 100 }, attributes: {} }]);
    button('Undo').click(); // undo the move, on the new record
    await saved();
    expect(bulks.at(-1)!.update).toEqual([expect.objectContaining({ geometry: { x: 10, y: 10, w: 100, h: 100 } })]);
    key('y', { ctrlKey: true });
    await saved();
    expect(bulks.at(-1)!.update).toEqual([expect.objectContaining({ geometry: { x: 30, y: 40, w: 100, h: 100 } })]);
  });

  it('asks for required attributes before saving; Cancel keeps nothing, Save stores them', async () => {
    const { bulks, saved, element, q } = await open();
    key('5'); // Lesion, grade required
    drag(element, [10, 10], [60, 60]);
    let dialog = await vi.waitFor(() => document.querySelector<HTMLElement>('[role="dialog"]')!);
    expect(dialog.textContent).toContain('Attributes — Lesion');
    [...dialog.querySelectorAll('button')].find((b) => b.textContent === 'Cancel')!.click();
    await new Promise((r) => setTimeout(r, 400));
    expect(bulks).toHaveLength(0);
    expect(q('notice').textContent).toBe('Shape discarded');

    drag(element, [10, 10], [60, 60]);
    dialog = await vi.waitFor(() => document.querySelector<HTMLElement>('[role="dialog"]')!);
    const grade = dialog.querySelector<HTMLSelectElement>('select')!;
    grade.value = '2';
    grade.dispatchEvent(new Event('change', { bubbles: true }));
    [...dialog.querySelectorAll('button')].find((b) => b.textContent === 'Save')!.click();
    await vi.waitFor(() => expect(bulks).toHaveLength(1));
    await saved();
    expect(bulks[0]!.create).toEqual([{ label: 4, frame: 0, geometry: { x: 10, y: 10, w: 50, h: 50 }, attributes: { grade: '2' } }]);
  });

  it('opens the attributes form on a double-click with Select and saves the answer as one undoable edit', async () => {
    const { bulks, saved, element } = await open({ annotations: [annotation(40, 4, { x: 10, y: 10, w: 100, h: 100 })] });
    element.dispatchEvent(new MouseEvent('dblclick', { clientX: 50, clientY: 50, bubbles: true, cancelable: true }));
    const dialog = await vi.waitFor(() => document.querySelector<HTMLElement>('[role="dialog"]')!);
    expect(dialog.textContent).toContain('Attributes — Lesion');
    const grade = dialog.querySelector<HTMLSelectElement>('select')!;
    grade.value = '3';
    grade.dispatchEvent(new Event('change', { bubbles: true }));
    [...dialog.querySelectorAll('button')].find((b) => b.textContent === 'Save')!.click();
    await vi.waitFor(() => expect(bulks).toHaveLength(1));
    await saved();
    expect(bulks[0]!.update).toEqual([expect.objectContaining({ id: 40, attributes: { grade: '3' } })]);
  });

  it('shows both versions on a 412 and takes theirs when asked', async () => {
    const theirs = { ...annotation(40, 1, { x: 200, y: 200, w: 20, h: 20 }), version: 3 };
    const { bulks, element, q, items } = await open({ annotations: [annotation(40, 1, { x: 10, y: 10, w: 100, h: 100 })], conflict: theirs });
    drag(element, [50, 50], [60, 60]);
    const dialog = await vi.waitFor(() => {
      const d = document.querySelector<HTMLElement>('[role="dialog"]');
      expect(d?.textContent).toContain('Conflict');
      return d!;
    });
    expect(q('save-status').textContent).toBe('Conflict');
    expect(dialog.querySelector('[data-testid="conflict-mine"]')!.textContent).toContain('box at 20, 20, 100 × 100 px');
    expect(dialog.querySelector('[data-testid="conflict-theirs"]')!.textContent).toContain('box at 200, 200, 20 × 20 px');
    [...dialog.querySelectorAll('button')].find((b) => b.textContent === 'Take theirs')!.click();
    await vi.waitFor(() => expect(q('save-status').textContent).toBe('Saved'));
    expect(bulks).toHaveLength(1); // nothing of mine went out after the choice
    expect(items()).toHaveLength(1);
  });

  it('interpolates between two selected shapes of one label on a stack and copies to the next slice', async () => {
    const square = (x: number) => ({ points: [[x, 10], [x + 40, 10], [x + 40, 50], [x, 50]] });
    const { bulks, saved, items, button, viewer } = await open({
      frames: 5,
      annotations: [annotation(40, 3, square(0), 0), annotation(41, 3, square(40), 4)],
    });
    const [first, last] = items();
    first!.querySelector<HTMLButtonElement>('[data-action="select"]')!.click();
    last!.querySelector<HTMLButtonElement>('[data-action="select"]')!.dispatchEvent(new MouseEvent('click', { bubbles: true, shiftKey: true }));
    expect(button('Interpolate').disabled).toBe(false);
    key('i');
    await saved();
    const made = bulks[0]!.create;
    expect(made.map((c) => c.frame)).toEqual([1, 2, 3]);
    expect((made[1]!.geometry as { points: number[][] }).points[0]).toEqual([20, 10]);
    key('z', { ctrlKey: true }); // one step undoes all three
    await saved();
    expect(bulks.at(-1)!.delete).toHaveLength(3);

    items()[0]!.querySelector<HTMLButtonElement>('[data-action="select"]')!.click();
    expect(viewer.frame).toBe(0);
    button('Copy to following slice').click();
    await saved();
    expect(bulks.at(-1)!.create).toEqual([{ label: 3, frame: 1, geometry: square(0), attributes: {} }]);
    expect(viewer.frame).toBe(1);
  });

  it('interpolates every gap between keyframes of the one selected shape\'s label with one press', async () => {
    const square = (x: number) => ({ points: [[x, 10], [x + 40, 10], [x + 40, 50], [x, 50]] });
    const { bulks, saved, items, button } = await open({
      frames: 7,
      annotations: [annotation(40, 3, square(0), 0), annotation(41, 3, square(20), 3), annotation(42, 3, square(60), 6)],
    });
    items()[1]!.querySelector<HTMLButtonElement>('[data-action="select"]')!.click();
    expect(button('Interpolate').disabled).toBe(false);
    key('i');
    await saved();
    const made = bulks[0]!.create;
    expect(made.map((c) => c.frame)).toEqual([1, 2, 4, 5]);
    expect((made[0]!.geometry as { points: number[][] }).points[0]![0]).toBeCloseTo(20 / 3, 1);
    expect((made[3]!.geometry as { points: number[][] }).points[0]![0]).toBeCloseTo(20 + (40 * 2) / 3, 1);
  });

  it('paints a mask with the Brush, shows its size and changes it with [ and ]', async () => {
    const mask: Label = { id: 9, name: 'Stroma', color: '#cc79a7', kind: 'mask', hotkey: null, attributes: [] };
    const { bulks, saved, element, q, button } = await open({ labels: [mask] });
    key('m');
    expect(button('Brush').getAttribute('aria-pressed')).toBe('true');
    expect(q('brush-size').textContent).toBe('20 px');
    key(']');
    expect(q('brush-size').textContent).toBe('25 px');
    key('[');
    key('[');
    expect(q('brush-size').textContent).toBe('16 px');
    drag(element, [100, 100], [140, 100]);
    await saved();
    const made = bulks[0]!.create[0]!;
    expect(made).toMatchObject({ label: 9, frame: 0 });
    // A 16 px brush (scale 1) from x 100 to 140 covers the pixels 92..147 × 92..107: the mask's box says so.
    expect(made.geometry).toMatchObject({ x: 92, y: 92, w: 56, h: 16 });
    pointer(element, 'pointermove', 200, 150);
    const ring = q('brush-ring');
    expect(ring.hidden).toBe(false);
    expect(ring.style.width).toBe('16px');
    expect(ring.style.transform).toBe('translate(200px, 150px) translate(-50%, -50%)');
    key('v');
    expect(q('brush-size').hidden).toBe(true);
    expect(ring.hidden).toBe(true);
  });

  it('stops listening on navigation', async () => {
    const { button, controller } = await open();
    controller.abort();
    key('b');
    expect(button('Box').getAttribute('aria-pressed')).toBe('false');
  });
});
