// Breadcrumb "Projects › <project>" for a project's sub-pages; names the page after the project once it loads.
import { routeHref } from '../core/routes';
import { h } from './dom';
import type { PageContext } from './page';

export function projectCrumb(ctx: PageContext, projectId: number, page: string): HTMLElement {
  const link = h('a', { href: routeHref({ name: 'project', id: projectId }) }, 'Project');
  ctx.setTitle(page);
  ctx.api.project(projectId, ctx.signal).then(
    (p) => {
      link.textContent = p.name;
      ctx.setTitle(`${page} · ${p.name}`);
    },
    () => undefined, // the page's own requests report a missing project
  );
  return h('nav', { class: 'breadcrumb', 'aria-label': 'Breadcrumb' }, h('a', { href: routeHref({ name: 'projects' }) }, 'Projects'), ' › ', link);
}
