// Projects page (#/): every project the user can see, as links to its image list.
import { isAbortError } from '../api/client';
import type { Project } from '../api/types';
import { routeHref } from '../core/routes';
import { h, setChildren } from './dom';
import type { PageContext } from './page';
import { errorMessage, loadingMessage } from './status';

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function projectCard(project: Project): HTMLElement {
  return h(
    'li',
    { class: 'card' },
    h(
      'a',
      { 'data-testid': 'project-link', class: 'card-title', href: routeHref({ name: 'project', id: project.id }) },
      project.name,
    ),
    project.description ? h('p', { class: 'muted' }, project.description) : null,
    h(
      'p',
      { class: 'meta' },
      `${plural(project.image_count, 'image')} · ${plural(project.annotation_count, 'annotation')}`,
    ),
  );
}

export async function mountProjects(root: HTMLElement, ctx: PageContext): Promise<void> {
  ctx.setTitle('Projects');
  const body = h('div', {}, loadingMessage('Loading projects…'));
  root.append(h('div', { class: 'page' }, h('h1', {}, 'Projects'), body));
  try {
    const projects = await ctx.api.projects(ctx.signal);
    if (projects.length === 0) {
      setChildren(body, h('p', { class: 'message' }, 'You have no projects yet. Ask an administrator to add you to one.'));
      return;
    }
    const sorted = [...projects].sort((a, b) => a.name.localeCompare(b.name));
    setChildren(body, h('ul', { class: 'cards' }, ...sorted.map(projectCard)));
  } catch (err) {
    if (!isAbortError(err)) setChildren(body, errorMessage(err, 'Could not load projects'));
  }
}
