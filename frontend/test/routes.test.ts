// Tests for hash-route parsing.
import { describe, expect, it } from 'vitest';
import { parseRoute, routeHref } from '../src/core/routes';

describe('parseRoute', () => {
  it.each([
    ['', { name: 'projects' }],
    ['#', { name: 'projects' }],
    ['#/', { name: 'projects' }],
    ['#/projects/3', { name: 'project', id: 3 }],
    ['#/projects/3/', { name: 'project', id: 3 }],
    ['#/images/42', { name: 'image', id: 42 }],
    ['#/images/42?x=1', { name: 'image', id: 42 }],
    ['#/images/42?frame=3', { name: 'image', id: 42, frame: 3 }],
    ['#/images/42?frame=-1', { name: 'image', id: 42 }],
    ['#/projects/3?state=rejected', { name: 'project', id: 3, state: 'rejected' }],
    ['#/projects/3?state=bogus', { name: 'project', id: 3 }],
  ])('%s', (hash, route) => {
    expect(parseRoute(hash)).toEqual(route);
  });

  it('rejects malformed ids and unknown paths', () => {
    expect(parseRoute('#/projects/abc').name).toBe('not-found');
    expect(parseRoute('#/projects/0').name).toBe('not-found');
    expect(parseRoute('#/images/-1').name).toBe('not-found');
    expect(parseRoute('#/images/1/extra')).toEqual({ name: 'not-found', path: '/images/1/extra' });
  });

  it('round-trips with routeHref', () => {
    for (const hash of ['#/', '#/projects/7', '#/projects/7?state=in_progress', '#/images/9', '#/images/9?frame=4']) {
      expect(routeHref(parseRoute(hash))).toBe(hash);
    }
  });
});
