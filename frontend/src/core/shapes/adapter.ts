// Format adapter: API geometry (docs/API.md "Annotations") ⇄ the shape model; the wire stays out of the model.
import type { LabelKind } from '../../api/types';
import { round2 } from '../geometry';
import { cropToContent } from './mask';
import type { MaskShape, Shape } from './model';
import { decodeRle, encodeBitmap, type Rle } from './rle';

export type Geometry =
  | null
  | { x: number; y: number; w: number; h: number }
  | { x: number; y: number }
  | { points: [number, number][] }
  | { x: number; y: number; w: number; h: number; rle: Rle };

export class ShapeFormatError extends Error {
  override name = 'ShapeFormatError';
}

function num(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new ShapeFormatError(`${name} must be a finite number`);
  return value;
}

function obj(value: unknown, kind: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ShapeFormatError(`a ${kind} geometry must be an object`);
  }
  return value as Record<string, unknown>;
}

function points(value: unknown, kind: string, minimum: number) {
  const list = obj(value, kind).points;
  if (!Array.isArray(list)) throw new ShapeFormatError(`a ${kind} needs "points"`);
  const out = list.map((p: unknown, i) => {
    if (!Array.isArray(p) || p.length !== 2) throw new ShapeFormatError(`point ${i} must be [x, y]`);
    return { x: num(p[0], `point ${i} x`), y: num(p[1], `point ${i} y`) };
  });
  if (out.length < minimum) throw new ShapeFormatError(`a ${kind} needs at least ${minimum} points`);
  return out;
}

/** The model of a stored annotation's geometry for its label's kind; ShapeFormatError if it does not fit. */
export function parseGeometry(kind: LabelKind, geometry: unknown): Shape {
  switch (kind) {
    case 'tag':
      return { kind: 'tag' };
    case 'bbox': {
      const g = obj(geometry, kind);
      return { kind, x: num(g.x, 'x'), y: num(g.y, 'y'), w: num(g.w, 'w'), h: num(g.h, 'h') };
    }
    case 'point': {
      const g = obj(geometry, kind);
      return { kind, x: num(g.x, 'x'), y: num(g.y, 'y') };
    }
    case 'polygon':
      return { kind, points: points(geometry, kind, 3) };
    case 'polyline':
      return { kind, points: points(geometry, kind, 2) };
    case 'mask': {
      const g = obj(geometry, kind);
      const rle = obj(g.rle, 'mask rle');
      const size = rle.size;
      if (typeof rle.counts !== 'string' || !Array.isArray(size) || size.length !== 2) {
        throw new ShapeFormatError('a mask needs "rle": {"counts": "...", "size": [h, w]}');
      }
      const h = num(size[0], 'rle h');
      const w = num(size[1], 'rle w');
      const bits = decodeRle({ counts: rle.counts, size: [h, w] });
      return { kind, x: Math.round(num(g.x, 'x')), y: Math.round(num(g.y, 'y')), w, h, bits };
    }
  }
}

function serializeMask(shape: MaskShape): Geometry {
  const crop = cropToContent(shape);
  if (!crop) throw new ShapeFormatError('the mask is empty');
  return { x: crop.x, y: crop.y, w: crop.w, h: crop.h, rle: encodeBitmap(crop.bits, crop.w, crop.h) };
}

/** The API geometry of a shape: coordinates rounded to 2 decimals, masks cropped to their set pixels. */
export function serializeShape(shape: Shape): Geometry {
  switch (shape.kind) {
    case 'tag':
      return null;
    case 'bbox': {
      const x = round2(shape.x);
      const y = round2(shape.y);
      return { x, y, w: round2(round2(shape.x + shape.w) - x), h: round2(round2(shape.y + shape.h) - y) };
    }
    case 'point':
      return { x: round2(shape.x), y: round2(shape.y) };
    case 'polygon':
    case 'polyline':
      return { points: shape.points.map((p) => [round2(p.x), round2(p.y)] as [number, number]) };
    case 'mask':
      return serializeMask(shape);
  }
}
