// DOM tests for pages and panels: the data-testid hooks the end-to-end test relies on.
// @vitest-environment jsdom
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiClient } from '../src/api/client';
import type { ImageInfo, Label, Project } from '../src/api/types';
import { logoutForm, renderHeader } from '../src/ui/header';
import { mountImages } from '../src/ui/images';
import type { PageContext } from '../src/ui/page';
import { mountProjects } from '../src/ui/projects';
import { Toolbar } from '../src/ui/toolbar';
import { mountViewer } from '../src/ui/viewerPage';

// The viewer page tests here never reach OpenSeadragon (see workspace.test.ts for the wiring).
vi.mock('../src/viewer/viewer', () => ({ ImageViewer: class {} }));

type Routes = Record<string, { status?: number; body: unknown }>;

function apiWith(routes: Routes, cookie = 'csrftoken=tok123'): ApiClient {
  const fetch = (async (input: RequestInfo | URL) => {
    const path = String(input).split('?')[0]!;
    const route = routes[path];
    if (!route) return new Response(JSON.stringify({ detail: 'Not found.', code: 'not_found' }), { status: 404 });
    return new Response(JSON.stringify(route.body), {
      status: route.status ?? 200,
      headers: { 'Content-Type': 'application/json' },
    });
  }) as typeof globalThis.fetch;
  return new ApiClient({ fetch, cookies: () => cookie });
}

const page = <T,>(results: T[]) => ({ body: { next: null, previous: null, results } });

function ctx(api: ApiClient): PageContext {
  return { api, signal: new AbortController().signal, setTitle: vi.fn() };
}

const project: Project = {
  id: 3,
  name: 'Lung <b>biopsies</b>',
  description: 'H&E slides',
  created_at: '2024-01-01T00:00:00Z',
  image_count: 2,
  annotation_count: 1,
};

function image(over: Partial<ImageInfo>): ImageInfo {
  return {
    id: 7,
    project: 3,
    name: 'slide-7.svs',
    kind: 'slide',
    status: 'ready',
    error: null,
    width: 512,
    height: 512,
    frames: 1,
    created_at: '2024-01-01T00:00:00Z',
    thumbnail_url: '/api/v1/images/7/thumbnail',
    dzi_url: '/api/v1/images/7/dzi',
    metadata: {},
    site: null,
    workflow_state: 'new',
    assignee: null,
    reviewer: null,
    ...over,
  };
}

const labels: Label[] = [
  { id: 1, name: 'Tumour', color: '#e11d48', kind: 'bbox', hotkey: '1', attributes: [] },
  { id: 2, name: 'Artifact', color: '#2563eb', kind: 'bbox', hotkey: null, attributes: [] },
  { id: 3, name: 'Quality', color: '#16a34a', kind: 'tag', hotkey: null, attributes: [] },
];

beforeEach(() => {
  document.body.replaceChildren();
});

describe('projects page', () => {
  it('renders one project-link per project with its name as text (no HTML injection)', async () => {
    const root = document.createElement('div');
    await mountProjects(root, ctx(apiWith({ '/api/v1/projects/': page([project, { ...project, id: 4, name: 'Alpha' }]) })));
    const links = [...root.querySelectorAll<HTMLAnchorElement>('a[data-testid="project-link"]')];
    expect(links.map((a) => a.getAttribute('href'))).toEqual(['#/projects/4', '#/projects/3']);
    expect(links[1]!.textContent).toBe('Lung <b>biopsies</b>');
    expect(root.querySelector('b')).toBeNull();
    expect(root.textContent).toContain('2 images · 1 annotation');
  });

  it('shows the API error detail', async () => {
    const root = document.createElement('div');
    await mountProjects(root, ctx(apiWith({ '/api/v1/projects/': { status: 403, body: { detail: 'No access.', code: 'permission_denied' } } })));
    expect(root.querySelector('[role="alert"]')!.textContent).toContain('No access.');
  });
});

describe('images page', () => {
  it('links each image with name and thumbnail, and shows status for unready ones', async () => {
    const root = document.createElement('div');
    const api = apiWith({
      '/api/v1/projects/3/': { body: project },
      '/api/v1/projects/3/images/': page([image({}), image({ id: 8, name: 'broken.tif', status: 'failed', error: 'Unsupported format' })]),
    });
    await mountImages(root, ctx(api), 3);
    const links = [...root.querySelectorAll<HTMLAnchorElement>('a[data-testid="image-link"]')];
    expect(links.map((a) => a.getAttribute('href'))).toEqual(['#/images/7', '#/images/8']);
    expect(links[0]!.textContent).toContain('slide-7.svs');
    expect(links[0]!.querySelector('img')!.getAttribute('src')).toBe('/api/v1/images/7/thumbnail');
    expect(links[1]!.querySelector('img')).toBeNull();
    expect(root.textContent).toContain('Unsupported format');
    expect(root.querySelector('h1')!.textContent).toBe(project.name);
  });
});

describe('images page workflow', () => {
  const progress = {
    images: { total: 40, new: 20, in_progress: 3, submitted: 4, accepted: 12, rejected: 1 },
    done_fraction: 0.3,
    annotations: 57,
    members: [],
  };
  const members = (role: string) => page([{ id: 1, user: { id: 5, username: 'me' }, role }]);

  /** Like apiWith, but the images list answers according to its workflow_state filter. */
  function workflowApi(role: string) {
    const urls: string[] = [];
    const all = [image({ id: 7, workflow_state: 'submitted' }), image({ id: 8, name: 'b.svs', workflow_state: 'rejected' })];
    const routes: Routes = {
      '/api/v1/projects/3/': { body: project },
      '/api/v1/projects/3/progress/': { body: progress },
      '/api/v1/auth/me/': { body: { id: 5, username: 'me' } },
      '/api/v1/projects/3/members/': members(role),
    };
    const fetch = (async (input: RequestInfo | URL) => {
      const url = String(input);
      urls.push(url);
      const [path, query = ''] = url.split('?');
      if (path === '/api/v1/projects/3/next/') return new Response(null, { status: 204 });
      if (path === '/api/v1/projects/3/images/') {
        const state = new URLSearchParams(query).get('workflow_state');
        const results = all.filter((i) => !state || i.workflow_state === state);
        return new Response(JSON.stringify({ next: null, previous: null, results }), { status: 200 });
      }
      const route = routes[path!];
      return new Response(JSON.stringify(route?.body ?? { detail: 'Not found.', code: 'not_found' }), { status: route ? (route.status ?? 200) : 404 });
    }) as typeof globalThis.fetch;
    return { api: new ApiClient({ fetch, cookies: () => '' }), urls };
  }

  it('shows each card’s workflow state and a progress summary', async () => {
    const root = document.createElement('div');
    await mountImages(root, ctx(workflowApi('annotator').api), 3);
    const states = [...root.querySelectorAll('[data-testid="image-state"]')].map((b) => b.textContent);
    expect(states).toEqual(['Submitted', 'Rejected']);
    const summary = root.querySelector('[data-testid="progress"]')!;
    expect(summary.textContent).toContain('12 / 40 accepted');
    expect(summary.textContent).toContain('30% done');
    const counts = [...summary.querySelectorAll('li')].map((li) => li.textContent);
    expect(counts).toEqual(['New 20', 'In progress 3', 'Submitted 4', 'Accepted 12', 'Rejected 1']);
  });

  it('filters by workflow state, keeping the choice in the address', async () => {
    const root = document.createElement('div');
    const { api, urls } = workflowApi('annotator');
    await mountImages(root, ctx(api), 3);
    const select = root.querySelector<HTMLSelectElement>('[data-testid="state-filter"]')!;
    expect([...select.options].map((o) => o.textContent)).toEqual(['All', 'New', 'In progress', 'Submitted', 'Accepted', 'Rejected']);
    expect(select.value).toBe('');
    select.value = 'rejected';
    select.dispatchEvent(new Event('change'));
    await vi.waitFor(() => expect(root.querySelectorAll('[data-testid="image-link"]')).toHaveLength(1));
    expect(root.querySelector('[data-testid="image-link"]')!.textContent).toContain('b.svs');
    expect(urls).toContain('/api/v1/projects/3/images/?workflow_state=rejected&page_size=1000');
    expect(window.location.hash).toBe('#/projects/3?state=rejected');
    select.value = 'accepted';
    select.dispatchEvent(new Event('change'));
    await vi.waitFor(() => expect(root.querySelector('[data-testid="no-images"]')!.textContent).toBe('No images are accepted.'));
  });

  it('starts from the state in the route', async () => {
    const root = document.createElement('div');
    const { api, urls } = workflowApi('annotator');
    await mountImages(root, ctx(api), 3, 'submitted');
    expect(root.querySelector<HTMLSelectElement>('[data-testid="state-filter"]')!.value).toBe('submitted');
    expect(urls).toContain('/api/v1/projects/3/images/?workflow_state=submitted&page_size=1000');
  });

  it('offers "Next image" to people who work on images and says when nothing is left', async () => {
    const root = document.createElement('div');
    await mountImages(root, ctx(workflowApi('reviewer').api), 3);
    root.querySelector<HTMLButtonElement>('[data-testid="next-image"]')!.click();
    await vi.waitFor(() => expect(root.querySelector('[data-testid="queue-empty"]')!.textContent).toBe('Nothing left to do'));
  });

  it('does not offer "Next image" to viewers', async () => {
    const root = document.createElement('div');
    const { api, urls } = workflowApi('viewer');
    await mountImages(root, ctx(api), 3);
    expect(urls).toContain('/api/v1/projects/3/members/?page_size=1000');
    expect(root.querySelector('[data-testid="next-image"]')).toBeNull();
  });
});

describe('viewer page', () => {
  it('shows the status instead of a viewer for images that are not ready', async () => {
    const root = document.createElement('div');
    const api = apiWith({ '/api/v1/images/8/': { body: image({ id: 8, status: 'processing' }) } });
    await mountViewer(root, ctx(api), 8);
    expect(root.querySelector('[data-testid="viewer"]')).toBeNull();
    expect(root.querySelector('[data-testid="image-not-ready"]')!.textContent).toContain('processing');
  });

  it('reports a missing image', async () => {
    const root = document.createElement('div');
    await mountViewer(root, ctx(apiWith({})), 99);
    expect(root.querySelector('[role="alert"]')!.textContent).toContain('Not found.');
  });
});

describe('header', () => {
  it('shows the username and a POST logout form with the CSRF token', async () => {
    const header = renderHeader(apiWith({ '/api/v1/auth/me/': { body: { id: 1, username: 'dr.house' } } }));
    await vi.waitFor(() => expect(header.querySelector('[data-testid="username"]')!.textContent).toBe('dr.house'));
    const form = header.querySelector('form')!;
    expect(form.getAttribute('method')).toBe('post');
    expect(form.getAttribute('action')).toBe('/accounts/logout/');
    const token = form.querySelector<HTMLInputElement>('input[name="csrfmiddlewaretoken"]')!;
    expect(token.type).toBe('hidden');
    expect(token.value).toBe('tok123');
  });

  it('refreshes the token at submit time', () => {
    let cookie = 'csrftoken=old';
    const api = new ApiClient({ fetch: vi.fn() as unknown as typeof fetch, cookies: () => cookie });
    const form = logoutForm(api);
    cookie = 'csrftoken=new';
    form.dispatchEvent(new Event('submit', { cancelable: true }));
    expect(form.querySelector<HTMLInputElement>('input')!.value).toBe('new');
  });
});

describe('toolbar', () => {
  const events = () => ({
    onTool: vi.fn(),
    onLabel: vi.fn(),
    onUndo: vi.fn(),
    onRedo: vi.fn(),
    onDelete: vi.fn(),
    onInterpolate: vi.fn(),
    onCopyNext: vi.fn(),
    onZoom: vi.fn(),
  });
  const tools = [
    { name: 'Select', key: 'v' },
    { name: 'Box', key: 'b' },
    { name: 'Polygon', key: 'p' },
  ];

  it('lists the given labels with their keys, a button per tool, and presses one at a time', () => {
    const ev = events();
    const bar = new Toolbar(labels.filter((l) => l.kind === 'bbox'), tools, ev);
    const select = bar.el.querySelector<HTMLSelectElement>('[data-testid="label-select"]')!;
    expect([...select.options].map((o) => o.value)).toEqual(['1', '2']);
    expect([...select.options].map((o) => o.textContent)).toEqual(['Tumour (1)', 'Artifact (2)']);
    expect(bar.selectedLabelId).toBe(1);
    bar.selectLabel(2);
    expect(bar.selectedLabelId).toBe(2);
    const box = bar.el.querySelector<HTMLButtonElement>('[data-testid="tool-bbox"]')!;
    const polygon = bar.el.querySelector<HTMLButtonElement>('[data-testid="tool-polygon"]')!;
    expect(box.textContent).toBe('Box');
    expect(box.getAttribute('aria-pressed')).toBe('false');
    box.click();
    expect(ev.onTool).toHaveBeenCalledWith('Box');
    bar.setActiveTool('Polygon');
    expect(polygon.getAttribute('aria-pressed')).toBe('true');
    expect(box.getAttribute('aria-pressed')).toBe('false');
    bar.status.set('ok', 'Saved');
    const status = bar.el.querySelector('[data-testid="save-status"]')!;
    expect(status.textContent).toBe('Saved');
    expect(status.getAttribute('aria-label')).toBe('Save status');
  });

  it('names undo/redo and enables the selection actions only when told', () => {
    const ev = events();
    const bar = new Toolbar(labels, tools, ev);
    const byName = (name: string) =>
      [...bar.el.querySelectorAll<HTMLButtonElement>('button')].find((b) => (b.getAttribute('aria-label') ?? b.textContent) === name)!;
    for (const name of ['Undo', 'Redo', 'Delete', 'Interpolate', 'Copy to following slice']) expect(byName(name).disabled).toBe(true);
    bar.setHistory(true, false, 'Move');
    expect(byName('Undo').disabled).toBe(false);
    expect(byName('Undo').title).toContain('Undo Move');
    bar.setSelectionActions({ delete: true, interpolate: false, copy: true });
    byName('Delete').click();
    byName('Copy to following slice').click();
    expect(ev.onDelete).toHaveBeenCalledOnce();
    expect(ev.onCopyNext).toHaveBeenCalledOnce();
    expect(byName('Interpolate').disabled).toBe(true);
  });

  it('disables the label select when nothing can be drawn, and a tool with no label of its kind', () => {
    const bar = new Toolbar([], tools, events());
    expect(bar.labelSelect.disabled).toBe(true);
    expect(bar.selectedLabelId).toBeNull();
    bar.setToolEnabled('Polygon', false, 'no polygon label in this project');
    expect(bar.el.querySelector<HTMLButtonElement>('[data-testid="tool-polygon"]')!.disabled).toBe(true);
  });
});
