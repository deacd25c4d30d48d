// Images page (#/projects/{id}[?state=…]): progress, a workflow-state filter and thumbnails linking to the viewer.
import { isAbortError } from '../api/client';
import type { ImageInfo, Project, WorkflowState } from '../api/types';
import { routeHref } from '../core/routes';
import { isWorkflowState, roleCan, STATE_LABEL, WORKFLOW_STATES } from '../core/workflow';
import { loadAccess } from './access';
import { h, setChildren } from './dom';
import { NextImageButton } from './nextImage';
import type { PageContext } from './page';
import { progressSummary } from './progress';
import { stateBadge } from './stateBadge';
import { errorMessage, loadingMessage } from './status';

const POLL_MS = 5000;
const IN_PROGRESS = new Set(['pending', 'processing']);

export function imageCard(image: ImageInfo): HTMLElement {
  const ready = image.status === 'ready';
  const thumb =
    ready && image.thumbnail_url
      ? h('img', { class: 'thumb', src: image.thumbnail_url, alt: '', loading: 'lazy', decoding: 'async' })
      : h('span', { class: 'thumb placeholder', 'aria-hidden': 'true' }, image.status === 'failed' ? '!' : '…');
  const size = image.width && image.height ? `${image.width} × ${image.height} px` : null;
  // Ready images show where they are in the review; the others why they cannot be opened yet.
  const badge = ready
    ? stateBadge(image.workflow_state, 'image-state')
    : h('span', { class: `badge badge-${image.status}`, 'data-testid': 'image-status' }, image.status);
  return h(
    'li',
    { class: `card image-card status-${image.status}`, 'data-state': image.workflow_state ?? '' },
    h(
      'a',
      { 'data-testid': 'image-link', href: routeHref({ name: 'image', id: image.id }), title: image.name },
      thumb,
      h('span', { class: 'image-name' }, image.name),
    ),
    h('p', { class: 'meta' }, badge, ' ', [size, image.kind].filter(Boolean).join(' · ')),
    image.status === 'failed' && image.error ? h('p', { class: 'error-text' }, image.error) : null,
  );
}

function imageList(images: ImageInfo[], state: WorkflowState | undefined): HTMLElement {
  if (images.length === 0) {
    const text = state ? `No images are ${STATE_LABEL[state].toLowerCase()}.` : 'This project has no images yet.';
    return h('p', { class: 'message', 'data-testid': 'no-images' }, text);
  }
  return h('ul', { class: 'cards image-grid' }, ...images.map(imageCard));
}

export function stateFilter(
  selected: WorkflowState | undefined,
  onChange: (state: WorkflowState | undefined) => void,
): HTMLElement {
  const select = h('select', { id: 'state-filter', 'data-testid': 'state-filter' }, h('option', { value: '' }, 'All'));
  for (const state of WORKFLOW_STATES) select.appendChild(h('option', { value: state }, STATE_LABEL[state]));
  select.value = selected ?? '';
  select.addEventListener('change', () => onChange(isWorkflowState(select.value) ? select.value : undefined));
  return h('span', { class: 'filter' }, h('label', { for: 'state-filter' }, 'State'), select);
}

export async function mountImages(
  root: HTMLElement,
  ctx: PageContext,
  projectId: number,
  initialState?: WorkflowState,
): Promise<void> {
  ctx.setTitle('Images');
  let state = initialState;
  const title = h('h1', {}, 'Images');
  const description = h('p', { class: 'muted' });
  const headActions = h(
    'div',
    { class: 'page-head-actions' },
    h('a', { class: 'button button-secondary', href: routeHref({ name: 'upload', id: projectId }) }, 'Upload images'),
    h('a', { class: 'button button-secondary', href: routeHref({ name: 'export', id: projectId }) }, 'Export'),
  );
  const progress = h('div', { class: 'progress-slot' });
  const count = h('span', { class: 'muted', 'data-testid': 'image-count' });
  const body = h('div', {}, loadingMessage('Loading images…'));
  const filter = stateFilter(state, (chosen) => {
    state = chosen;
    // Keep the filter in the address so Back from the viewer returns to the same list (without a remount).
    history.replaceState(history.state, '', routeHref({ name: 'project', id: projectId, ...(chosen ? { state: chosen } : {}) }));
    setChildren(body, loadingMessage('Loading images…'));
    void refresh().catch((err: unknown) => {
      if (!isAbortError(err)) setChildren(body, errorMessage(err, 'Could not load the images'));
    });
  });
  root.append(
    h(
      'div',
      { class: 'page' },
      h('nav', { class: 'breadcrumb', 'aria-label': 'Breadcrumb' }, h('a', { href: routeHref({ name: 'projects' }) }, 'Projects')),
      h('div', { class: 'page-head' }, title, headActions),
      description,
      progress,
      h('div', { class: 'list-controls' }, filter, count),
      body,
    ),
  );

  let timer: ReturnType<typeof setTimeout> | undefined;
  let generation = 0;
  ctx.signal.addEventListener('abort', () => clearTimeout(timer));

  const refresh = async (): Promise<void> => {
    clearTimeout(timer);
    const mine = ++generation;
    const images = await ctx.api.images(projectId, ctx.signal, state);
    if (mine !== generation) return; // the filter changed while this list was loading
    setChildren(body, imageList(images, state));
    count.textContent = `${images.length} image${images.length === 1 ? '' : 's'}`;
    if (images.some((i) => IN_PROGRESS.has(i.status)) && !ctx.signal.aborted) {
      timer = setTimeout(() => void refresh().catch(() => undefined), POLL_MS);
    }
  };

  // Progress and the caller's role only decorate the page; failing to get them is not fatal.
  const decorations = Promise.all([
    ctx.api.progress(projectId, ctx.signal).then(
      (p) => setChildren(progress, progressSummary(p)),
      () => undefined,
    ),
    loadAccess(ctx.api, projectId, ctx.signal).then(
      (access) => {
        // Viewers have no queue; when the role is unknown the server answers 204 for them anyway.
        const works = access === null || roleCan(access.role, 'annotate') || roleCan(access.role, 'review');
        if (works && !ctx.signal.aborted) headActions.append(new NextImageButton(ctx.api, projectId, { signal: ctx.signal }).el);
      },
      () => undefined,
    ),
  ]);

  try {
    const [project] = await Promise.all([ctx.api.project(projectId, ctx.signal) as Promise<Project>, refresh()]);
    title.textContent = project.name;
    description.textContent = project.description;
    ctx.setTitle(project.name);
  } catch (err) {
    if (!isAbortError(err)) setChildren(body, errorMessage(err, 'Could not load this project'));
  }
  await decorations;
}
