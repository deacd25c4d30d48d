// Wiring test of the viewer page with a fake viewer surface: hotkeys, drawing, autosave, delete.
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
  { id: 1, name: 'Tumour', color: '#e11d48', kind: 'bbox', hotkey: '1', attributes: [] },
  { id: 2, name: 'Artifact', color: '#2563eb', kind: 'bbox', hotkey: '2', attributes: [] },
];

const existing: Annotation = {
  id: 40,
  image: 7,
  label: 1,
  frame: 0,
  geometry: { x: 1, y: 1, w: 10, h: 10 },
  attributes: {},
  author: 1,
  created_at: '',
  updated_at: '',
  version: 2,
  source: 'manual',
};

const DZI =
  '<Image xmlns="http://schemas.microsoft.com/deepzoom/2008" Format="jpeg" Overlap="1" TileSize="254"><Size Width="512" Height="512"/></Image>';

function backend() {
  const requests: { method: string; url: string; headers: Record<string, string>; body: unknown }[] = [];
  const fetch = (async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = String(input);
    const method = init.method ?? 'GET';
    requests.push({ method, url, headers: (init.headers ?? {}) as Record<string, string>, body: init.body ? JSON.parse(String(init.body)) : undefined });
    const ok = (body: unknown, status = 200) =>
      new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
    const path = url.split('?')[0];
    if (path === '/api/v1/images/7/')
      return ok({ id: 7, project: 3, name: 'slide.svs', status: 'ready', width: 512, height: 512, dzi_url: '/api/v1/images/7/dzi' });
    if (path === '/api/v1/projects/3/labels/') return ok({ next: null, previous: null, results: labels });
    if (path === '/api/v1/images/7/dzi') return new Response(DZI, { headers: { 'Content-Type': 'application/xml' } });
    if (path === '/api/v1/images/7/annotations/' && method === 'GET') return ok({ next: null, previous: null, results: [existing] });
    if (path === '/api/v1/images/7/annotations/' && method === 'POST') {
      const body = JSON.parse(String(init.body));
      return ok({ ...existing, ...body, id: 41, version: 1 }, 201);
    }
    if (path === '/api/v1/annotations/40/' && method === 'DELETE') return new Response(null, { status: 204 });
    return ok({ detail: 'Not found.', code: 'not_found' }, 404);
  }) as typeof globalThis.fetch;
  return { api: new ApiClient({ fetch, cookies: () => 'csrftoken=abc' }), requests };
}

function key(k: string): void {
  document.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true }));
}

function pointer(target: Element, type: string, x: number, y: number): void {
  target.dispatchEvent(new PointerEvent(type, { clientX: x, clientY: y, pointerId: 1, isPrimary: true, button: 0, bubbles: true }));
}

describe('viewer page wiring', () => {
  beforeEach(() => {
    document.body.replaceChildren();
    viewers.length = 0;
  });

  async function open() {
    const { api, requests } = backend();
    const root = document.createElement('main');
    document.body.appendChild(root);
    const controller = new AbortController();
    const ctx: PageContext = { api, signal: controller.signal, setTitle: vi.fn() };
    await mountViewer(root, ctx, 7);
    const viewer = viewers[0]!;
    const q = <T extends HTMLElement = HTMLElement>(id: string) => root.querySelector<T>(`[data-testid="${id}"]`)!;
    return { root, viewer, requests, controller, q };
  }

  it('opens the inline DZI source with API tile URLs and shows existing boxes', async () => {
    const { viewer, q } = await open();
    expect(q('viewer').dataset.ready).toBe('true');
    expect(viewer.opened).toMatchObject({ Image: { Url: '/api/v1/images/7/tiles/', Format: 'jpeg', TileSize: '254' } });
    expect(viewer.shapes.map((s) => s.id)).toEqual([40]);
    const select = q<HTMLSelectElement>('label-select');
    expect([...select.options].map((o) => o.textContent)).toEqual(['Tumour (1)', 'Artifact (2)']);
    expect(select.value).toBe('1');
  });

  it('draws with the tool, autosaves and lists the saved box', async () => {
    const { viewer, requests, q } = await open();
    const button = q<HTMLButtonElement>('tool-bbox');
    key('2');
    key('b');
    expect(button.getAttribute('aria-pressed')).toBe('true');
    expect(viewer.drawing).toBe(true);

    pointer(viewer.overlay, 'pointerdown', 300, 200);
    pointer(viewer.overlay, 'pointermove', 100, 50);
    pointer(viewer.overlay, 'pointerup', 100.123, 50.5);
    expect(q('save-status').textContent).toBe('Saving…');
    await vi.waitFor(() => expect(q('save-status').textContent).toBe('Saved'));

    const post = requests.find((r) => r.method === 'POST')!;
    expect(post.headers['X-CSRFToken']).toBe('abc');
    expect(post.body).toEqual({ label: 2, frame: 0, geometry: { x: 100.12, y: 50.5, w: 199.88, h: 149.5 }, attributes: {} });
    expect(viewer.shapes.map((s) => s.id)).toEqual([40, 41]);
    expect(q('annotation-list').querySelectorAll('[data-testid="delete-annotation"]')).toHaveLength(2);

    key('Escape');
    expect(button.getAttribute('aria-pressed')).toBe('false');
    expect(viewer.drawing).toBe(false);
  });

  it('deletes with If-Match and cleans up on navigation', async () => {
    const { viewer, requests, q, controller } = await open();
    q<HTMLButtonElement>('delete-annotation').click();
    await vi.waitFor(() => expect(viewer.shapes).toEqual([]));
    const del = requests.find((r) => r.method === 'DELETE')!;
    expect(del.headers['If-Match']).toBe('"2"');
    expect(q('save-status').textContent).toBe('Deleted');

    controller.abort();
    key('b');
    expect(q('tool-bbox').getAttribute('aria-pressed')).toBe('false');
  });
});
