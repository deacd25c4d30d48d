// Parse and serialize between API geometry and the shape model for every label kind.
import { describe, expect, it } from 'vitest';
import { parseGeometry, serializeShape, ShapeFormatError } from '../../../src/core/shapes/adapter';
import type { MaskShape } from '../../../src/core/shapes/model';

describe('format adapter', () => {
  it('round-trips every kind', () => {
    const cases = [
      ['tag', null],
      ['bbox', { x: 1.5, y: 2, w: 10, h: 20.25 }],
      ['point', { x: 3, y: 4 }],
      ['polygon', { points: [[0, 0], [10, 0], [5, 8]] }],
      ['polyline', { points: [[0, 0], [10, 5]] }],
      ['mask', { x: 4, y: 7, w: 3, h: 2, rle: { counts: '141', size: [2, 3] } }],
    ] as const;
    for (const [kind, geometry] of cases) {
      expect(serializeShape(parseGeometry(kind, geometry))).toEqual(geometry);
    }
  });

  it('rounds coordinates to 2 decimals and keeps boxes inside their rounded edges', () => {
    expect(serializeShape({ kind: 'polyline', points: [{ x: 1.005, y: 2.333333 }, { x: 3, y: 4 }] })).toEqual({
      points: [[1.01, 2.33], [3, 4]],
    });
    expect(serializeShape({ kind: 'bbox', x: 0.004, y: 0, w: 1.002, h: 1 })).toEqual({ x: 0, y: 0, w: 1.01, h: 1 });
  });

  it('crops masks to their set pixels and refuses an empty one', () => {
    const bits = new Uint8Array(16);
    bits[1 * 4 + 2] = 1; // row 1, col 2
    const mask: MaskShape = { kind: 'mask', x: 10, y: 20, w: 4, h: 4, bits };
    expect(serializeShape(mask)).toEqual({ x: 12, y: 21, w: 1, h: 1, rle: { counts: '01', size: [1, 1] } });
    expect(() => serializeShape({ ...mask, bits: new Uint8Array(16) })).toThrow(ShapeFormatError);
  });

  it('names what is wrong with foreign geometry', () => {
    expect(() => parseGeometry('bbox', { x: 1, y: 2, w: 'a', h: 1 })).toThrow('w must be a finite number');
    expect(() => parseGeometry('polygon', { points: [[0, 0], [1, 1]] })).toThrow('at least 3 points');
    expect(() => parseGeometry('point', [1, 2])).toThrow('must be an object');
    expect(() => parseGeometry('mask', { x: 0, y: 0, w: 2, h: 2, rle: { counts: '141', size: [2, 2] } })).toThrow(
      /cover 6 pixels/,
    );
  });
});
