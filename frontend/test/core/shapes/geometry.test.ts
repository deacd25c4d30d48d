// Bounds, translation, hit-testing with screen tolerances, vertex edits, box handles and mask painting.
import { describe, expect, it } from 'vitest';
import {
  combineMasks,
  cropToContent,
  emptyMask,
  handleAt,
  hitShape,
  insertVertex,
  maskArea,
  moveVertex,
  nearestEdge,
  nearestVertex,
  paintSegment,
  pointInRing,
  rasterizePolygon,
  removeVertex,
  resizeBox,
  shapeBounds,
  translateShape,
  type BoxShape,
  type PolygonShape,
} from '../../../src/core/shapes';

const square: PolygonShape = {
  kind: 'polygon',
  points: [
    { x: 0, y: 0 },
    { x: 10, y: 0 },
    { x: 10, y: 10 },
    { x: 0, y: 10 },
  ],
};
const image = { width: 100, height: 100 };

describe('bounds and moves', () => {
  it('gives bounds per kind', () => {
    expect(shapeBounds(square)).toEqual({ x: 0, y: 0, w: 10, h: 10 });
    expect(shapeBounds({ kind: 'point', x: 3, y: 4 })).toEqual({ x: 3, y: 4, w: 0, h: 0 });
    expect(shapeBounds({ kind: 'tag' })).toBeNull();
  });

  it('translates, masks by whole pixels', () => {
    expect(translateShape(square, 2, 3).points[0]).toEqual({ x: 2, y: 3 });
    const m = emptyMask(5, 5, 2, 2);
    expect(translateShape(m, 1.4, 2.6)).toMatchObject({ x: 6, y: 8 });
  });
});

describe('hit-testing', () => {
  it('finds points inside a concave ring', () => {
    const u = [
      { x: 0, y: 0 },
      { x: 3, y: 0 },
      { x: 3, y: 3 },
      { x: 2, y: 3 },
      { x: 2, y: 1 },
      { x: 1, y: 1 },
      { x: 1, y: 3 },
      { x: 0, y: 3 },
    ];
    expect(pointInRing({ x: 0.5, y: 2 }, u)).toBe(true);
    expect(pointInRing({ x: 1.5, y: 2 }, u)).toBe(false);
  });

  it('uses the tolerance for lines, points and box edges', () => {
    const line = { kind: 'polyline' as const, points: [{ x: 0, y: 0 }, { x: 10, y: 0 }] };
    // 6 screen px at scale 2 = 3 image px
    expect(hitShape(line, { x: 5, y: 2.5 }, 6 / 2)).toBeCloseTo(2.5);
    expect(hitShape(line, { x: 5, y: 3.5 }, 6 / 2)).toBeNull();
    expect(hitShape(square, { x: 5, y: 5 }, 1)).toBe(0);
    expect(hitShape(square, { x: 11, y: 5 }, 1.5)).toBeCloseTo(1);
    expect(hitShape({ kind: 'point', x: 0, y: 0 }, { x: 3, y: 4 }, 5)).toBe(5);
    expect(hitShape({ kind: 'tag' }, { x: 0, y: 0 }, 100)).toBeNull();
  });

  it('hits only the set pixels of a mask', () => {
    const m = emptyMask(10, 10, 3, 3);
    m.bits[4] = 1;
    expect(hitShape(m, { x: 11.5, y: 11.5 }, 0)).toBe(0);
    expect(hitShape(m, { x: 10.5, y: 10.5 }, 0)).toBeNull();
  });

  it('finds the nearest vertex and edge', () => {
    expect(nearestVertex({ x: 9, y: 1 }, square.points, 2)).toBe(1);
    expect(nearestVertex({ x: 5, y: 5 }, square.points, 2)).toBe(-1);
    expect(nearestEdge({ x: 5, y: 9.5 }, square.points, true, 1)).toMatchObject({ edge: 2, t: 0.5 });
    expect(nearestEdge({ x: 0.5, y: 5 }, square.points, false, 1)).toBeNull(); // the closing edge is not there
  });
});

describe('edits', () => {
  it('inserts, moves and removes vertices but keeps the minimum', () => {
    const five = insertVertex(square, 0, { x: 5, y: -1 });
    expect(five.points[1]).toEqual({ x: 5, y: -1 });
    expect(moveVertex(five, 1, { x: 5, y: 0 }).points[1]).toEqual({ x: 5, y: 0 });
    expect(removeVertex(five, 1)).toEqual(square);
    const tri: PolygonShape = { kind: 'polygon', points: square.points.slice(0, 3) };
    expect(removeVertex(tri, 0)).toBeNull();
  });

  it('resizes a box by its handles and flips past the opposite edge', () => {
    const box: BoxShape = { kind: 'bbox', x: 10, y: 10, w: 20, h: 10 };
    expect(handleAt(box, { x: 30.5, y: 20 }, 1)).toBe('se');
    expect(handleAt(box, { x: 20, y: 10 }, 1)).toBe('n');
    expect(resizeBox(box, 'se', { x: 40, y: 25 })).toEqual({ kind: 'bbox', x: 10, y: 10, w: 30, h: 15 });
    expect(resizeBox(box, 'w', { x: 35, y: 0 })).toEqual({ kind: 'bbox', x: 30, y: 10, w: 5, h: 10 });
  });
});

describe('mask bitmaps', () => {
  it('paints a stroke, grows the box, erases and crops', () => {
    const painted = paintSegment(emptyMask(0, 0, 0, 0), { x: 10, y: 10 }, { x: 20, y: 10 }, 2, 1, image).mask;
    expect(shapeBounds(painted)).toEqual({ x: 8, y: 8, w: 14, h: 4 });
    const area = maskArea(painted);
    expect(area).toBeGreaterThan(40);
    const erased = paintSegment({ ...painted, bits: painted.bits.slice() }, { x: 15, y: 10 }, { x: 15, y: 10 }, 2, 0, image).mask;
    expect(maskArea(erased)).toBeLessThan(area);
    const crop = cropToContent(painted)!;
    expect(maskArea(crop)).toBe(area);
    expect(crop.x).toBeGreaterThanOrEqual(8);
  });

  it('clips strokes to the image', () => {
    const { mask } = paintSegment(emptyMask(0, 0, 0, 0), { x: 0, y: 0 }, { x: 0, y: 0 }, 5, 1, image);
    expect(mask.x).toBe(0);
    expect(mask.y).toBe(0);
  });

  it('rasterises polygons by pixel centres and combines masks', () => {
    const m = rasterizePolygon(square.points, image);
    expect(maskArea(m)).toBe(100);
    const shifted = rasterizePolygon(translateShape(square, 5, 0).points, image);
    expect(maskArea(combineMasks(m, shifted, 'union'))).toBe(150);
    expect(maskArea(combineMasks(m, shifted, 'subtract'))).toBe(50);
  });
});
