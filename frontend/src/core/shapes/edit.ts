// Pure edits of a shape's vertices and handles: insert, remove, drag a vertex, resize a box by a handle.
import type { Point, Rect } from '../geometry';
import type { BoxShape, PolygonShape, PolylineShape, Shape } from './model';

type PointsShape = PolygonShape | PolylineShape;

/** Fewest vertices each kind may keep after a removal. */
export function minVertices(shape: PointsShape): number {
  return shape.kind === 'polygon' ? 3 : 2;
}

/** A new vertex after vertex `edge` (on the edge from `edge` to `edge + 1`). */
export function insertVertex<S extends PointsShape>(shape: S, edge: number, p: Point): S {
  const points = [...shape.points];
  points.splice(edge + 1, 0, { x: p.x, y: p.y });
  return { ...shape, points };
}

/** The shape without vertex `index`, or null when that would leave too few vertices. */
export function removeVertex<S extends PointsShape>(shape: S, index: number): S | null {
  if (shape.points.length <= minVertices(shape) || index < 0 || index >= shape.points.length) return null;
  return { ...shape, points: shape.points.filter((_, i) => i !== index) };
}

export function moveVertex<S extends PointsShape>(shape: S, index: number, p: Point): S {
  return { ...shape, points: shape.points.map((q, i) => (i === index ? { x: p.x, y: p.y } : q)) };
}

/** Box handles: corners and edge midpoints, named by compass direction. */
export type Handle = 'nw' | 'n' | 'ne' | 'e' | 'se' | 's' | 'sw' | 'w';
export const HANDLES: readonly Handle[] = ['nw', 'n', 'ne', 'e', 'se', 's', 'sw', 'w'];

export function handlePosition(r: Rect, handle: Handle): Point {
  const x = handle.includes('w') ? r.x : handle.includes('e') ? r.x + r.w : r.x + r.w / 2;
  const y = handle.includes('n') ? r.y : handle.includes('s') ? r.y + r.h : r.y + r.h / 2;
  return { x, y };
}

/** The handle within `tolerance` of `p`, corners first. */
export function handleAt(r: Rect, p: Point, tolerance: number): Handle | null {
  for (const h of ['nw', 'ne', 'se', 'sw', 'n', 'e', 's', 'w'] as const) {
    const q = handlePosition(r, h);
    if (Math.hypot(q.x - p.x, q.y - p.y) <= tolerance) return h;
  }
  return null;
}

/**
 * The box with the edges of `handle` moved to `p`; dragging past the opposite edge flips the box
 * (it stays normalised, w and h never negative).
 */
export function resizeBox(box: BoxShape, handle: Handle, p: Point): BoxShape {
  let left = box.x;
  let top = box.y;
  let right = box.x + box.w;
  let bottom = box.y + box.h;
  if (handle.includes('w')) left = p.x;
  if (handle.includes('e')) right = p.x;
  if (handle.includes('n')) top = p.y;
  if (handle.includes('s')) bottom = p.y;
  return {
    kind: 'bbox',
    x: Math.min(left, right),
    y: Math.min(top, bottom),
    w: Math.abs(right - left),
    h: Math.abs(bottom - top),
  };
}

/** Clamp every coordinate of a shape into the image (masks are left alone: painting already clips). */
export function clampShape<S extends Shape>(shape: S, size: { width: number; height: number }): S {
  const cx = (x: number) => Math.min(Math.max(x, 0), size.width);
  const cy = (y: number) => Math.min(Math.max(y, 0), size.height);
  switch (shape.kind) {
    case 'point':
      return { ...shape, x: cx(shape.x), y: cy(shape.y) };
    case 'bbox': {
      const x = cx(shape.x);
      const y = cy(shape.y);
      return { ...shape, x, y, w: cx(shape.x + shape.w) - x, h: cy(shape.y + shape.h) - y };
    }
    case 'polygon':
    case 'polyline':
      return { ...shape, points: shape.points.map((p) => ({ x: cx(p.x), y: cy(p.y) })) };
    default:
      return shape;
  }
}
