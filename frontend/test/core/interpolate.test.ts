// Interpolation between frames: matched polygon vertices, shape-based masks, exact distance transforms.
import { describe, expect, it } from 'vitest';
import { squaredDistance } from '../../src/core/distance';
import { alignRing, copyToFrameCommand, interpolateCommand, interpolateShapes, keyframePairs, resample } from '../../src/core/interpolate';
import { rasterizePolygon } from '../../src/core/shapes/mask';
import { maskArea, shapeBounds, type MaskShape, type PolygonShape } from '../../src/core/shapes/model';
import type { AnnotationRecord } from '../../src/core/store';

const image = { width: 200, height: 200 };
const rect = (x: number, y: number, w: number, h: number): PolygonShape => ({
  kind: 'polygon',
  points: [{ x, y }, { x: x + w, y }, { x: x + w, y: y + h }, { x, y: y + h }],
});
const circle = (cx: number, cy: number, r: number, n = 40): PolygonShape => ({
  kind: 'polygon',
  points: Array.from({ length: n }, (_, i) => ({ x: cx + r * Math.cos((2 * Math.PI * i) / n), y: cy + r * Math.sin((2 * Math.PI * i) / n) })),
});
const record = (frame: number, shape: AnnotationRecord['shape']): AnnotationRecord => ({
  key: `f${frame}`,
  id: frame,
  version: 1,
  label: 3,
  frame,
  shape,
  attributes: { grade: 1 },
});

describe('polygon interpolation', () => {
  it('resamples by arc length', () => {
    const pts = resample(rect(0, 0, 10, 10).points, 8, true);
    expect(pts[1]).toEqual({ x: 5, y: 0 });
    expect(pts[2]).toEqual({ x: 10, y: 0 });
  });

  it('aligns a ring that starts elsewhere and runs the other way', () => {
    const a = rect(0, 0, 10, 10).points;
    const b = [...a.slice(2), ...a.slice(0, 2)].reverse();
    expect(alignRing(a, b)).toEqual(a);
  });

  it('moves and grows a square halfway between two frames', () => {
    const [mid] = interpolateShapes(rect(0, 0, 10, 10), rect(100, 50, 30, 30), [0.5], image) as PolygonShape[];
    const b = shapeBounds(mid!)!;
    expect(b.x).toBeCloseTo(50);
    expect(b.y).toBeCloseTo(25);
    expect(b.w).toBeCloseTo(20);
    expect(b.h).toBeCloseTo(20);
  });

  it('creates one undoable batch for the frames between, skipping occupied ones, keeping attributes', () => {
    const cmd = interpolateCommand(record(8, rect(0, 0, 10, 10)), record(2, rect(10, 0, 10, 10)), image, (f) => f === 5);
    expect(cmd.name).toBe('Interpolate');
    expect(cmd.changes.map((c) => c.after!.frame)).toEqual([3, 4, 6, 7]);
    expect(cmd.changes.every((c) => c.before === null && c.after!.label === 3)).toBe(true);
    expect(cmd.changes[0]!.after!.attributes).toEqual({ grade: 1 });
    expect(shapeBounds(cmd.changes[0]!.after!.shape)!.x).toBeCloseTo(10 - 10 / 6);
  });

  it('copies a shape to the next frame', () => {
    const cmd = copyToFrameCommand(record(4, rect(0, 0, 10, 10)));
    expect(cmd.changes[0]!.after).toMatchObject({ frame: 5, label: 3 });
  });
});

describe('mask interpolation', () => {
  it('computes exact squared distances', () => {
    const w = 7;
    const h = 5;
    const sites = new Set([3, 30]);
    const d = squaredDistance(w, h, (i) => sites.has(i));
    for (let i = 0; i < w * h; i++) {
      const brute = Math.min(...[...sites].map((s) => ((s % w) - (i % w)) ** 2 + (Math.floor(s / w) - Math.floor(i / w)) ** 2));
      expect(d[i]).toBe(brute);
    }
  });

  it('blends a small and a large disc into one of middle size, between their centres', () => {
    const a = rasterizePolygon(circle(50, 50, 10).points, image);
    const b = rasterizePolygon(circle(110, 50, 30).points, image);
    const [mid] = interpolateShapes(a, b, [0.5], image) as MaskShape[];
    const want = rasterizePolygon(circle(80, 50, 20).points, image);
    expect(Math.abs(maskArea(mid!) - maskArea(want)) / maskArea(want)).toBeLessThan(0.05);
    const bounds = shapeBounds(mid!)!;
    expect(bounds.x + bounds.w / 2).toBeCloseTo(80, 0);
  });

  it('returns the end masks at t = 0 and t = 1', () => {
    const a = rasterizePolygon(rect(20, 20, 30, 10).points, image);
    const b = rasterizePolygon(rect(60, 60, 10, 30).points, image);
    const [start, end] = interpolateShapes(a, b, [0, 1], image) as MaskShape[];
    expect(start).toMatchObject({ x: 20, y: 20, w: 30, h: 10 });
    expect(maskArea(end!)).toBe(300);
  });
});

describe('keyframePairs', () => {
  const rec = (key: string, frame: number, label = 1, kind: 'polygon' | 'bbox' = 'polygon'): AnnotationRecord => ({
    key,
    id: null,
    version: null,
    label,
    frame,
    attributes: {},
    shape: kind === 'bbox' ? { kind, x: 0, y: 0, w: 1, h: 1 } : { kind, points: [{ x: 0, y: 0 }, { x: 1, y: 0 }, { x: 1, y: 1 }] },
  });

  it('pairs consecutive keyframes with a gap, skipping neighbours, other labels, kinds and crowded frames', () => {
    const records = [
      rec('a', 0),
      rec('b', 1), // next to a: no gap to fill
      rec('c', 4),
      rec('d', 7),
      rec('d2', 7), // two shapes on 7: ambiguous, no pair touches it
      rec('e', 10),
      rec('x', 2, 2), // another label
      rec('y', 3, 1, 'bbox'), // another kind
    ];
    expect(keyframePairs(records, 1, 'polygon').map(([a, b]) => [a.key, b.key])).toEqual([['b', 'c']]);
    expect(keyframePairs(records, 2, 'polygon')).toEqual([]);
  });
});
