// Entry point: renders the header and routes #/, #/projects/{id}[/upload|/export] and #/images/{id} to their pages.
import './styles.css';
import { api } from './api/client';
import { parseRoute } from './core/routes';
import { h } from './ui/dom';
import { renderHeader } from './ui/header';
import { mountImages } from './ui/images';
import type { PageContext } from './ui/page';
import { mountProjects } from './ui/projects';
import { mountExport } from './ui/exportPage';
import { mountUpload } from './ui/uploadPage';
import { mountViewer } from './ui/viewerPage';

const app = document.getElementById('app') ?? document.body;
const main = h('main', { id: 'content', class: 'content' });
app.replaceChildren(renderHeader(api), main);

let current: AbortController | null = null;

function setTitle(title: string): void {
  document.title = `${title} · Annotator`;
}

function navigate(): void {
  current?.abort();
  const controller = new AbortController();
  current = controller;
  main.replaceChildren();
  const ctx: PageContext = { api, signal: controller.signal, setTitle };
  const route = parseRoute(window.location.hash);
  main.classList.toggle('content-viewer', route.name === 'image');
  switch (route.name) {
    case 'projects':
      void mountProjects(main, ctx);
      break;
    case 'project':
      void mountImages(main, ctx, route.id, route.state);
      break;
    case 'image':
      void mountViewer(main, ctx, route.id, route.frame ?? 0);
      break;
    case 'upload':
      void mountUpload(main, ctx, route.id);
      break;
    case 'export':
      void mountExport(main, ctx, route.id);
      break;
    case 'not-found':
      setTitle('Not found');
      main.append(
        h(
          'div',
          { class: 'page' },
          h('h1', {}, 'Page not found'),
          h('p', {}, 'Nothing lives at ', h('code', {}, route.path), '. ', h('a', { href: '#/' }, 'Back to projects')),
        ),
      );
      break;
  }
  window.scrollTo(0, 0);
}

window.addEventListener('hashchange', navigate);
navigate();
