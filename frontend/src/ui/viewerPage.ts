// Viewer page (#/images/{id}): loads image, labels, annotations, DZI, role and reviews, then opens the workspace.
import { API_ROOT, isAbortError } from '../api/client';
import type { ImageInfo, Review } from '../api/types';
import { routeHref } from '../core/routes';
import { parseDzi } from '../viewer/dzi';
import { loadAccess } from './access';
import { h, setChildren } from './dom';
import { NextImageButton } from './nextImage';
import type { PageContext } from './page';
import { errorMessage, loadingMessage } from './status';
import { ImageWorkflow } from './workflow';
import { mountWorkspace, type Workspace } from './workspace';

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

export async function mountViewer(root: HTMLElement, ctx: PageContext, imageId: number, frame = 0): Promise<void> {
  ctx.setTitle('Image');
  const crumbs = h('nav', { class: 'breadcrumb', 'aria-label': 'Breadcrumb' }, h('a', { href: routeHref({ name: 'projects' }) }, 'Projects'));
  const actions = h('div', { class: 'viewer-actions' });
  const body = h('div', { class: 'viewer-body' }, loadingMessage('Loading image…'));
  root.append(h('div', { class: 'viewer-page' }, h('div', { class: 'viewer-header' }, crumbs, actions), body));

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
    const next = new NextImageButton(ctx.api, image.project, { currentId: image.id, signal: ctx.signal });
    actions.append(next.el);
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
    const [labels, annotations, xml, access, reviews] = await Promise.all([
      ctx.api.labels(image.project, ctx.signal),
      ctx.api.annotations(image.id, ctx.signal),
      ctx.api.text(image.dzi_url ?? `${API_ROOT}/images/${image.id}/dzi`, ctx.signal),
      loadAccess(ctx.api, image.project, ctx.signal),
      // Past decisions only inform; the image still opens without them.
      ctx.api.reviews(image.id, ctx.signal).catch((err: unknown): Review[] => {
        if (isAbortError(err)) throw err;
        return [];
      }),
    ]);
    const dzi = parseDzi(xml);
    if (ctx.signal.aborted) return;
    setChildren(body);
    let workspace: Workspace | null = null;
    const workflow = new ImageWorkflow(ctx.api, image, access, reviews, {
      onChange: (_image, allowed) => workspace?.setEditable(allowed.annotate, allowed.readOnlyReason),
      isSaving: () => workspace?.saving ?? false,
    });
    actions.prepend(workflow.bar);
    const allowed = workflow.actions;
    workspace = await mountWorkspace(
      body,
      ctx.api,
      ctx.signal,
      { image, labels, annotations, dzi },
      {
        editable: allowed.annotate,
        readOnlyReason: allowed.readOnlyReason,
        sideTop: [workflow.side],
        frame: Math.min(frame, Math.max(1, image.frames || 1) - 1),
        // Keep ?frame=N in the URL without a navigation (replaceState fires no hashchange).
        onFrame: (n) => {
          if (!ctx.signal.aborted) history.replaceState(history.state, '', routeHref({ name: 'image', id: image.id, frame: n }));
        },
        onSaved: () => workflow.noteEdit(),
        // Someone submitted the image meanwhile: show its new state (the save status keeps the server's detail).
        onLocked: () =>
          void ctx.api.image(image.id, ctx.signal).then(
            (fresh) => workflow.setImage(fresh),
            () => undefined,
          ),
      },
    );
  } catch (err) {
    if (!isAbortError(err)) setChildren(body, errorMessage(err, 'Could not open this image'));
  }
}
