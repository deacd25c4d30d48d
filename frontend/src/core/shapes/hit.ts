// Hit-testing in image pixels with tolerances given in screen pixels (divided by the current scale).
import type { Point } from '../geometry';
import type { Shape } from './model';

export function pointInRing(p: Point, ring: readonly Point[]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const a = ring[i]!;
    const b = ring[j]!;
    if (a.y > p.y !== b.y > p.y && p.x < a.x + ((p.y - a.y) * (b.x - a.x)) / (b.y - a.y)) inside = !inside;
  }
  return inside;
}

export function distanceToSegment(p: Point, a: Point, b: Point): { distance: number; t: number } {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len2 = dx * dx + dy * dy;
  let t = len2 > 0 ? ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2 : 0;
  t = Math.max(0, Math.min(1, t));
  return { distance: Math.hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy)), t };
}

/** Closest vertex within `tolerance` image px, or -1. */
export function nearestVertex(p: Point, vertices: readonly Point[], tolerance: number): number {
  let best = -1;
  let bestD = tolerance;
  vertices.forEach((v, i) => {
    const d = Math.hypot(v.x - p.x, v.y - p.y);
    if (d <= bestD) {
      best = i;
      bestD = d;
    }
  });
  return best;
}

/** Closest edge within `tolerance` (edge i runs from vertex i to i+1), or null. */
export function nearestEdge(
  p: Point,
  vertices: readonly Point[],
  closed: boolean,
  tolerance: number,
): { edge: number; t: number; distance: number } | null {
  let best: { edge: number; t: number; distance: number } | null = null;
  const n = closed ? vertices.length : vertices.length - 1;
  for (let i = 0; i < n; i++) {
    const hit = distanceToSegment(p, vertices[i]!, vertices[(i + 1) % vertices.length]!);
    if (hit.distance <= tolerance && (!best || hit.distance < best.distance)) best = { edge: i, ...hit };
  }
  return best;
}

/** The vertices an editor exposes as handles: polygon/polyline points, box corners (clockwise from top-left). */
export function shapeVertices(shape: Shape): Point[] {
  switch (shape.kind) {
    case 'polygon':
    case 'polyline':
      return [...shape.points];
    case 'bbox':
      return [
        { x: shape.x, y: shape.y },
        { x: shape.x + shape.w, y: shape.y },
        { x: shape.x + shape.w, y: shape.y + shape.h },
        { x: shape.x, y: shape.y + shape.h },
      ];
    case 'point':
      return [{ x: shape.x, y: shape.y }];
    default:
      return [];
  }
}

/**
 * Whether a pointer at `p` touches the shape: inside an area (box, polygon, set mask pixel) or within
 * `tolerance` image px of a line or point. Returns the distance (0 inside) or null for a miss.
 */
export function hitShape(shape: Shape, p: Point, tolerance: number): number | null {
  switch (shape.kind) {
    case 'tag':
      return null;
    case 'point': {
      const d = Math.hypot(shape.x - p.x, shape.y - p.y);
      return d <= tolerance ? d : null;
    }
    case 'bbox': {
      const dx = Math.max(shape.x - p.x, 0, p.x - (shape.x + shape.w));
      const dy = Math.max(shape.y - p.y, 0, p.y - (shape.y + shape.h));
      const d = Math.hypot(dx, dy);
      return d <= tolerance ? d : null;
    }
    case 'polygon': {
      if (pointInRing(p, shape.points)) return 0;
      const e = nearestEdge(p, shape.points, true, tolerance);
      return e ? e.distance : null;
    }
    case 'polyline': {
      const e = nearestEdge(p, shape.points, false, tolerance);
      return e ? e.distance : null;
    }
    case 'mask': {
      const col = Math.floor(p.x) - shape.x;
      const row = Math.floor(p.y) - shape.y;
      if (col < 0 || row < 0 || col >= shape.w || row >= shape.h) return null;
      return shape.bits[row * shape.w + col] ? 0 : null;
    }
  }
}
