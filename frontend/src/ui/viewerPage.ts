// Viewer page (#/images/{id}): loads image, labels, annotations and DZI, then opens the workspace.
import { API_ROOT, isAbortError } from '../api/client';
import type { ImageInfo } from '../api/types';
import { routeHref } from '../core/routes';
import { parseDzi } from '../viewer/dzi';
import { h, setChildren } from './dom';
import type { PageContext } from './page';
import { errorMessage, loadingMessage } from './status';
import { mountWorkspace } from './workspace';

const STATUS_TEXT: Record<string, string> = {
  pending: 'is waiting to be processed',
  processing: 'is still being processed',
  held: 'is on hold',
  failed: 'could not be processed',
};

export function notReadyMessage(image: ImageInfo): HTMLElement {
  const reason = STATUS_TEXT[image.status] ?? `has status "${image.status}"`;
  return h(
    'div',
    { class: 'message warning', 'data-testid': 'image-not-ready' },
    h('p', {}, `This image ${reason} and cannot be opened yet. `, h('span', { class: `badge badge-${image.status}` }, image.status)),
    image.error ? h('p', { class: 'error-text' }, image.error) : null,
  );
}

export async function mountViewer(root: HTMLElement, ctx: PageContext, imageId: number): Promise<void> {
  ctx.setTitle('Image');
  const crumbs = h('nav', { class: 'breadcrumb', 'aria-label': 'Breadcrumb' }, h('a', { href: routeHref({ name: 'projects' }) }, 'Projects'));
  const body = h('div', { class: 'viewer-body' }, loadingMessage('Loading image…'));
  root.append(h('div', { class: 'viewer-page' }, crumbs, body));

  try {
    const image = await ctx.api.image(imageId, ctx.signal);
    ctx.setTitle(image.name);
    const projectLink = h('a', { href: routeHref({ name: 'project', id: image.project }) }, 'Images');
    crumbs.append(
      h('span', { class: 'sep', 'aria-hidden': 'true' }, '›'),
      projectLink,
      h('span', { class: 'sep', 'aria-hidden': 'true' }, '›'),
      h('span', { class: 'current', 'aria-current': 'page' }, image.name),
    );
    if (image.status !== 'ready') {
      setChildren(body, notReadyMessage(image));
      return;
    }
    // The project name only decorates the breadcrumb; failing to get it is not fatal.
    ctx.api.project(image.project, ctx.signal).then(
      (project) => {
        projectLink.textContent = project.name;
      },
      () => undefined,
    );
    const [labels, annotations, xml] = await Promise.all([
      ctx.api.labels(image.project, ctx.signal),
      ctx.api.annotations(image.id, ctx.signal),
      ctx.api.text(image.dzi_url ?? `${API_ROOT}/images/${image.id}/dzi`, ctx.signal),
    ]);
    const dzi = parseDzi(xml);
    if (ctx.signal.aborted) return;
    setChildren(body);
    mountWorkspace(body, ctx.api, ctx.signal, { image, labels, annotations, dzi });
  } catch (err) {
    if (!isAbortError(err)) setChildren(body, errorMessage(err, 'Could not open this image'));
  }
}
