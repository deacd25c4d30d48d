// Pure hash-route parsing and building: #/ projects, #/projects/{id}[?state=…] images, …/upload, …/export, #/images/{id}[?frame=N] viewer.
import type { WorkflowState } from '../api/types';
import { isWorkflowState } from './workflow';

export type Route =
  | { name: 'projects' }
  | { name: 'project'; id: number; state?: WorkflowState }
  | { name: 'image'; id: number; frame?: number }
  | { name: 'upload'; id: number }
  | { name: 'export'; id: number }
  | { name: 'not-found'; path: string };

function id(raw: string | undefined): number | null {
  if (raw === undefined || !/^[1-9]\d{0,15}$/.test(raw)) return null;
  return Number(raw);
}

export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter((p) => p !== '');
  if (parts.length === 0) return { name: 'projects' };
  if (parts.length === 2 && parts[0] === 'projects') {
    const projectId = id(parts[1]);
    if (projectId !== null) {
      const state = new URLSearchParams(query).get('state');
      return isWorkflowState(state) ? { name: 'project', id: projectId, state } : { name: 'project', id: projectId };
    }
  }
  if (parts.length === 3 && parts[0] === 'projects' && (parts[2] === 'upload' || parts[2] === 'export')) {
    const projectId = id(parts[1]);
    if (projectId !== null) return { name: parts[2], id: projectId };
  }
  if (parts.length === 2 && parts[0] === 'images') {
    const imageId = id(parts[1]);
    if (imageId !== null) {
      const frame = new URLSearchParams(query).get('frame');
      return frame !== null && /^\d{1,9}$/.test(frame) ? { name: 'image', id: imageId, frame: Number(frame) } : { name: 'image', id: imageId };
    }
  }
  return { name: 'not-found', path: `/${parts.join('/')}` };
}

export function routeHref(route: Route): string {
  switch (route.name) {
    case 'projects':
      return '#/';
    case 'project':
      return `#/projects/${route.id}${route.state ? `?state=${route.state}` : ''}`;
    case 'image':
      return `#/images/${route.id}${route.frame ? `?frame=${route.frame}` : ''}`;
    case 'upload':
    case 'export':
      return `#/projects/${route.id}/${route.name}`;
    case 'not-found':
      return `#${route.path}`;
  }
}
