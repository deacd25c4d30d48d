// Images page (#/projects/{id}): thumbnails of a project's images, linking to the viewer.
import { isAbortError } from '../api/client';
import type { ImageInfo, Project } from '../api/types';
import { routeHref } from '../core/routes';
import { h, setChildren } from './dom';
import type { PageContext } from './page';
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
  return h(
    'li',
    { class: `card image-card status-${image.status}` },
    h(
      'a',
      { 'data-testid': 'image-link', href: routeHref({ name: 'image', id: image.id }), title: image.name },
      thumb,
      h('span', { class: 'image-name' }, image.name),
    ),
    h(
      'p',
      { class: 'meta' },
      h('span', { class: `badge badge-${image.status}`, 'data-testid': 'image-status' }, image.status),
      ' ',
      [size, image.kind, image.workflow_state].filter(Boolean).join(' · '),
    ),
    image.status === 'failed' && image.error ? h('p', { class: 'error-text' }, image.error) : null,
  );
}

function imageList(images: ImageInfo[]): HTMLElement {
  if (images.length === 0) return h('p', { class: 'message' }, 'This project has no images yet.');
  return h('ul', { class: 'cards image-grid' }, ...images.map(imageCard));
}

export async function mountImages(root: HTMLElement, ctx: PageContext, projectId: number): Promise<void> {
  ctx.setTitle('Images');
  const title = h('h1', {}, 'Images');
  const description = h('p', { class: 'muted' });
  const body = h('div', {}, loadingMessage('Loading images…'));
  root.append(
    h(
      'div',
      { class: 'page' },
      h('nav', { class: 'breadcrumb', 'aria-label': 'Breadcrumb' }, h('a', { href: routeHref({ name: 'projects' }) }, 'Projects')),
      title,
      description,
      body,
    ),
  );

  let timer: ReturnType<typeof setTimeout> | undefined;
  ctx.signal.addEventListener('abort', () => clearTimeout(timer));

  const refresh = async (): Promise<void> => {
    const images = await ctx.api.images(projectId, ctx.signal);
    setChildren(body, imageList(images));
    if (images.some((i) => IN_PROGRESS.has(i.status)) && !ctx.signal.aborted) {
      timer = setTimeout(() => void refresh().catch(() => undefined), POLL_MS);
    }
  };

  try {
    const [project] = await Promise.all([ctx.api.project(projectId, ctx.signal) as Promise<Project>, refresh()]);
    title.textContent = project.name;
    description.textContent = project.description;
    ctx.setTitle(project.name);
  } catch (err) {
    if (!isAbortError(err)) setChildren(body, errorMessage(err, 'Could not load this project'));
  }
}
