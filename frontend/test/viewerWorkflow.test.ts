// Viewer page with the review workflow (fake viewer surface): roles, submit, locked images, review.
// @vitest-environment jsdom
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiClient } from '../src/api/client';
import type { Label, Role, WorkflowState } from '../src/api/types';
import type { PageContext } from '../src/ui/page';
import { mountViewer } from '../src/ui/viewerPage';
import type { FakeSurface } from './fakeSurface';

const viewers = vi.hoisted(() => [] as FakeSurface[]);

vi.mock('../src/viewer/viewer', async () => {
  const { fakeTileModule } = await import('./fakeSurface');
  return fakeTileModule(viewers);
});

const labels: Label[] = [{ id: 1, name: 'Tumour', color: '#e11d48', kind: 'bbox', hotkey: '1', attributes: [] }];
const DZI =
  '<Image xmlns="http://schemas.microsoft.com/deepzoom/2008" Format="jpeg" Overlap="1" TileSize="254"><Size Width="512" Height="512"/></Image>';
const LOCKED = 'The image is submitted; its annotations are locked until it is reviewed or reopened.';

interface Setup {
  role: Role;
  state: WorkflowState;
  assignee?: number | null;
  /** Answer annotation writes with 409 image_locked (someone submitted the image meanwhile). */
  locked?: boolean;
  reviews?: unknown[];
  /** The member list cannot be read. */
  membersFail?: boolean;
}

function backend(setup: Setup) {
  const requests: { method: string; path: string }[] = [];
  let state = setup.state;
  const ok = (body: unknown, status = 200) =>
    new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
  const page = (results: unknown[]) => ok({ next: null, previous: null, results });
  const image = () => ({
    id: 7,
    project: 3,
    name: 'slide.svs',
    status: 'ready',
    width: 512,
    height: 512,
    dzi_url: '/api/v1/images/7/dzi',
    workflow_state: state,
    assignee: setup.assignee ?? null,
    reviewer: null,
  });
  const fetch = (async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const method = init.method ?? 'GET';
    const path = String(input).split('?')[0]!;
    requests.push({ method, path });
    if (path === '/api/v1/images/7/') return ok(image());
    if (path === '/api/v1/auth/me/') return ok({ id: 10, username: 'me' });
    if (path === '/api/v1/projects/3/members/' && setup.membersFail) return ok({ detail: 'Boom.', code: 'error' }, 500);
    if (path === '/api/v1/projects/3/members/')
      return page([
        { id: 1, user: { id: 10, username: 'me' }, role: setup.role },
        { id: 2, user: { id: 20, username: 'annie' }, role: 'annotator' },
      ]);
    if (path === '/api/v1/projects/3/labels/') return page(labels);
    if (path === '/api/v1/images/7/reviews/') return page(setup.reviews ?? []);
    if (path === '/api/v1/images/7/dzi') return new Response(DZI, { headers: { 'Content-Type': 'application/xml' } });
    if (path === '/api/v1/images/7/annotations/' && method === 'GET') return page([]);
    if (path === '/api/v1/images/7/annotations/bulk/' && method === 'POST') {
      if (setup.locked) {
        state = 'submitted';
        return ok({ detail: LOCKED, code: 'image_locked' }, 409);
      }
      if (state === 'new' || state === 'rejected') state = 'in_progress';
      const body = JSON.parse(String(init.body)) as { create: Record<string, unknown>[] };
      const created = body.create.map((c, i) => ({ id: 41 + i, image: 7, version: 1, ...c }));
      return ok({ created, updated: [], deleted: [] });
    }
    if (path === '/api/v1/images/7/submit/' && method === 'POST') {
      state = 'submitted';
      return ok({ ...image(), assignee: 10 });
    }
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

const mounted: AbortController[] = [];

async function open(setup: Setup) {
  const { api, requests } = backend(setup);
  const root = document.createElement('main');
  document.body.appendChild(root);
  const controller = new AbortController();
  mounted.push(controller);
  const ctx: PageContext = { api, signal: controller.signal, setTitle: vi.fn() };
  await mountViewer(root, ctx, 7);
  const q = <T extends HTMLElement = HTMLElement>(id: string) => root.querySelector<T>(`[data-testid="${id}"]`);
  /** Present and not inside anything hidden. */
  const shown = (id: string) => {
    const el = q(id);
    return el !== null && el.closest('[hidden]') === null;
  };
  const draw = () => {
    const viewer = q('viewer')!;
    pointer(viewer, 'pointerdown', 10, 10);
    pointer(viewer, 'pointermove', 50, 40);
    pointer(viewer, 'pointerup', 60, 50);
  };
  return { root, requests, q, shown, draw, viewer: viewers.at(-1)!, controller };
}

describe('viewer page workflow', () => {
  beforeEach(() => {
    for (const c of mounted.splice(0)) c.abort(); // a page left open would still hear the keys
    document.body.replaceChildren();
    viewers.length = 0;
  });

  it('gives viewers a read-only viewer: no box tool, no submit, no delete, hotkeys ignored', async () => {
    const { q, shown, viewer } = await open({ role: 'viewer', state: 'new' });
    expect(q('workflow-state')!.textContent).toBe('New');
    expect(shown('tool-bbox')).toBe(false);
    expect(shown('label-select')).toBe(false);
    expect(shown('submit')).toBe(false);
    expect(shown('review-panel')).toBe(false);
    expect(q('read-only')!.textContent).toBe('View only');
    expect(shown('zoom-in')).toBe(true);
    key('b');
    expect(viewer.drawing).toBe(false);
    expect(q('tool-bbox')!.getAttribute('aria-pressed')).toBe('false');
    expect(shown('next-image')).toBe(true);
  });

  it('lets an annotator draw, follows the state to in progress, submits and then locks the tools', async () => {
    const { q, shown, draw, requests } = await open({ role: 'annotator', state: 'new' });
    expect(shown('tool-bbox')).toBe(true);
    expect(shown('submit')).toBe(true);
    expect(shown('read-only')).toBe(false);
    key('b');
    draw();
    await vi.waitFor(() => expect(q('save-status')!.textContent).toBe('Saved'));
    expect(q('workflow-state')!.textContent).toBe('In progress');
    // The state change re-announces editing: the tool in hand stays in hand.
    expect(q('tool-bbox')!.getAttribute('aria-pressed')).toBe('true');

    q<HTMLButtonElement>('submit')!.click();
    await vi.waitFor(() => expect(q('workflow-state')!.textContent).toBe('Submitted'));
    expect(requests.filter((r) => r.method === 'POST').map((r) => r.path)).toEqual([
      '/api/v1/images/7/annotations/bulk/',
      '/api/v1/images/7/submit/',
    ]);
    expect(shown('submit')).toBe(false);
    expect(shown('tool-bbox')).toBe(false);
    expect(q('read-only')!.textContent).toBe('In review · locked');
    expect(q('tool-bbox')!.getAttribute('aria-pressed')).toBe('false');
    expect(shown('delete-annotation')).toBe(false);
  });

  it('shows image_locked in the save status, keeps the unsaved shape and switches to the image’s new state', async () => {
    const { q, root, shown, draw, requests } = await open({ role: 'annotator', state: 'in_progress', locked: true });
    key('b');
    draw();
    await vi.waitFor(() => expect(q('save-status')!.textContent).toBe(`Not saved: ${LOCKED}`));
    expect(q('save-status')!.dataset.kind).toBe('error');
    // Nothing is thrown away: the shape stays listed (and queued) until the image is reopened.
    expect(root.querySelectorAll('[data-testid="annotation-item"]')).toHaveLength(1);
    await vi.waitFor(() => expect(q('workflow-state')!.textContent).toBe('Submitted'));
    expect(requests.filter((r) => r.path === '/api/v1/images/7/').length).toBe(2);
    expect(shown('tool-bbox')).toBe(false);
    expect(q('save-status')!.textContent).toBe(`Not saved: ${LOCKED}`);
    // The clinician may give the refused shape up: it goes (it was never on the server) and the status clears.
    const discard = q<HTMLButtonElement>('discard-refused')!;
    expect(discard.hidden).toBe(false);
    expect(discard.textContent).toBe('Discard unsaved change');
    discard.click();
    await vi.waitFor(() => expect(q('save-status')!.textContent).toBe('Saved'));
    expect(root.querySelectorAll('[data-testid="annotation-item"]')).toHaveLength(0);
    expect(discard.hidden).toBe(true);
  });

  it('gives a reviewer the review panel on someone else’s submitted image, and keeps editing on', async () => {
    const { shown } = await open({ role: 'reviewer', state: 'submitted', assignee: 20 });
    expect(shown('review-panel')).toBe(true);
    expect(shown('review-comment')).toBe(true);
    expect(shown('review-accept')).toBe(true);
    expect(shown('review-reject')).toBe(true);
    expect(shown('submit')).toBe(false);
    expect(shown('tool-bbox')).toBe(true);
  });

  it('shows the rejection comment at the top of the side panel for a rejected image', async () => {
    const reviews = [
      { id: 1, image: 7, reviewer: { id: 30, username: 'rita' }, decision: 'reject', comment: 'Include the lower gland.', at: '2025-03-12T14:05:00Z' },
    ];
    const { root, q, shown } = await open({ role: 'annotator', state: 'rejected', assignee: 10, reviews });
    expect(q('workflow-state')!.textContent).toBe('Rejected');
    const notice = q('rejection-comment')!;
    expect(notice.textContent).toContain('Include the lower gland.');
    // First thing in the side panel, above the review history and the annotations.
    expect(root.querySelector('.side-panel')!.firstElementChild!.contains(notice)).toBe(true);
    expect(notice.compareDocumentPosition(q('review-item')!) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    const list = root.querySelector('[aria-label="Annotations"]')!;
    expect(notice.compareDocumentPosition(list) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(shown('review-item')).toBe(true);
    expect(shown('submit')).toBe(true);
  });

  it('still opens, with editing on and no review, when the role cannot be found out', async () => {
    const { q, shown } = await open({ role: 'manager', state: 'submitted', assignee: 20, membersFail: true });
    expect(q('workflow-state')!.textContent).toBe('Submitted');
    expect(shown('tool-bbox')).toBe(false); // unknown role on a locked image: the server would refuse annotators
    expect(shown('review-panel')).toBe(false);
    document.body.replaceChildren();
    const again = await open({ role: 'manager', state: 'new', membersFail: true });
    expect(again.shown('tool-bbox')).toBe(true);
    expect(again.shown('submit')).toBe(true);
  });
});
