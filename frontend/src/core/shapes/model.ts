// The shape model of every label kind, independent of the wire format and of rendering.
import type { Point, Rect } from '../geometry';

export interface TagShape {
  readonly kind: 'tag';
}
export interface BoxShape extends Rect {
  readonly kind: 'bbox';
}
export interface PolygonShape {
  readonly kind: 'polygon';
  /** Vertices in order; the ring closes implicitly (the last vertex is not repeated). */
  readonly points: readonly Point[];
}
export interface PolylineShape {
  readonly kind: 'polyline';
  readonly points: readonly Point[];
}
export interface PointShape extends Point {
  readonly kind: 'point';
}
/**
 * A binary mask cropped to its box: integer x, y, w, h in image pixels and `bits`, w × h bytes in
 * row-major order (1 = set), which is what drawing and painting want; the wire's column-major RLE is
 * produced only by the adapter.
 */
export interface MaskShape {
  readonly kind: 'mask';
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
  readonly bits: Uint8Array;
}

export type Shape = TagShape | BoxShape | PolygonShape | PolylineShape | PointShape | MaskShape;
export type ShapeKind = Shape['kind'];

/** Axis-aligned bounds in image pixels; null for tags, which have no geometry. */
export function shapeBounds(shape: Shape): Rect | null {
  switch (shape.kind) {
    case 'tag':
      return null;
    case 'bbox':
    case 'mask':
      return { x: shape.x, y: shape.y, w: shape.w, h: shape.h };
    case 'point':
      return { x: shape.x, y: shape.y, w: 0, h: 0 };
    case 'polygon':
    case 'polyline':
      return pointsBounds(shape.points);
  }
}

export function pointsBounds(points: readonly Point[]): Rect {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const p of points) {
    if (p.x < minX) minX = p.x;
    if (p.y < minY) minY = p.y;
    if (p.x > maxX) maxX = p.x;
    if (p.y > maxY) maxY = p.y;
  }
  if (minX > maxX) return { x: 0, y: 0, w: 0, h: 0 };
  return { x: minX, y: minY, w: maxX - minX, h: maxY - minY };
}

/** The shape moved by (dx, dy); masks move by whole pixels so their bitmap stays on the pixel grid. */
export function translateShape<S extends Shape>(shape: S, dx: number, dy: number): S {
  switch (shape.kind) {
    case 'tag':
      return shape;
    case 'bbox':
    case 'point':
      return { ...shape, x: shape.x + dx, y: shape.y + dy };
    case 'mask':
      return { ...shape, x: shape.x + Math.round(dx), y: shape.y + Math.round(dy) };
    case 'polygon':
    case 'polyline':
      return { ...shape, points: shape.points.map((p) => ({ x: p.x + dx, y: p.y + dy })) };
  }
  return shape;
}

/** Number of set pixels of a mask. */
export function maskArea(mask: MaskShape): number {
  let n = 0;
  for (let i = 0; i < mask.bits.length; i++) n += mask.bits[i] ? 1 : 0;
  return n;
}

/** Signed area of a ring (positive when clockwise in image coordinates, y down). */
export function ringArea(points: readonly Point[]): number {
  let sum = 0;
  for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
    const a = points[j]!;
    const b = points[i]!;
    sum += a.x * b.y - b.x * a.y;
  }
  return sum / 2;
}
