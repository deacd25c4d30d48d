// Tests for the pure box geometry: normalisation, clamping, rounding and degenerate boxes.
import { describe, expect, it } from 'vitest';
import {
  boxFromDrag,
  clampPoint,
  clampRect,
  isDegenerate,
  isRect,
  rectFromPoints,
  round2,
  roundRect,
} from '../src/core/geometry';

const image = { width: 512, height: 256 };

describe('rectFromPoints', () => {
  it('keeps a top-left to bottom-right drag as is', () => {
    expect(rectFromPoints({ x: 10, y: 20 }, { x: 60, y: 50 })).toEqual({ x: 10, y: 20, w: 50, h: 30 });
  });

  it('normalises a right-to-left drag', () => {
    expect(rectFromPoints({ x: 60, y: 20 }, { x: 10, y: 50 })).toEqual({ x: 10, y: 20, w: 50, h: 30 });
  });

  it('normalises a bottom-to-top drag', () => {
    expect(rectFromPoints({ x: 10, y: 50 }, { x: 60, y: 20 })).toEqual({ x: 10, y: 20, w: 50, h: 30 });
  });

  it('normalises a bottom-right to top-left drag', () => {
    expect(rectFromPoints({ x: 60, y: 50 }, { x: 10, y: 20 })).toEqual({ x: 10, y: 20, w: 50, h: 30 });
  });

  it('gives zero size for a click', () => {
    expect(rectFromPoints({ x: 5, y: 5 }, { x: 5, y: 5 })).toEqual({ x: 5, y: 5, w: 0, h: 0 });
  });
});

describe('clampRect', () => {
  it('leaves a rect inside the image untouched', () => {
    expect(clampRect({ x: 1, y: 2, w: 3, h: 4 }, image)).toEqual({ x: 1, y: 2, w: 3, h: 4 });
  });

  it('cuts a rect sticking out on the left and top', () => {
    expect(clampRect({ x: -10, y: -5, w: 30, h: 25 }, image)).toEqual({ x: 0, y: 0, w: 20, h: 20 });
  });

  it('cuts a rect sticking out on the right and bottom', () => {
    expect(clampRect({ x: 500, y: 250, w: 40, h: 40 }, image)).toEqual({ x: 500, y: 250, w: 12, h: 6 });
  });

  it('shrinks a rect larger than the image to the whole image', () => {
    expect(clampRect({ x: -100, y: -100, w: 2000, h: 2000 }, image)).toEqual({ x: 0, y: 0, w: 512, h: 256 });
  });

  it('collapses a rect entirely outside the image', () => {
    const r = clampRect({ x: 600, y: 10, w: 50, h: 50 }, image);
    expect(r.w).toBe(0);
    expect(r.x).toBe(512);
  });

  it('clamps points to the image', () => {
    expect(clampPoint({ x: -3, y: 300 }, image)).toEqual({ x: 0, y: 256 });
  });
});

describe('isDegenerate', () => {
  it('flags boxes under 1 px in either direction', () => {
    expect(isDegenerate({ x: 0, y: 0, w: 0.99, h: 50 })).toBe(true);
    expect(isDegenerate({ x: 0, y: 0, w: 50, h: 0 })).toBe(true);
    expect(isDegenerate({ x: 0, y: 0, w: 1, h: 1 })).toBe(false);
  });

  it('treats NaN sizes as degenerate', () => {
    expect(isDegenerate({ x: 0, y: 0, w: Number.NaN, h: 5 })).toBe(true);
  });
});

describe('rounding', () => {
  it('rounds to 2 decimals, half away from zero, without float artefacts', () => {
    expect(round2(1.005)).toBe(1.01);
    expect(round2(2.675)).toBe(2.68);
    expect(round2(10.123)).toBe(10.12);
    expect(round2(-1.005)).toBe(-1.01);
    expect(round2(-0.001)).toBe(0);
    expect(round2(7)).toBe(7);
  });

  it('rounds rect edges so the box stays inside the image', () => {
    const r = roundRect({ x: 0.004, y: 0.006, w: 511.996, h: 255.994 }, image);
    expect(r.x + r.w).toBeLessThanOrEqual(512);
    expect(r.y + r.h).toBeLessThanOrEqual(256);
    expect(r).toEqual({ x: 0, y: 0.01, w: 512, h: 255.99 });
  });
});

describe('boxFromDrag', () => {
  it('returns a normalised, rounded box for a reverse drag', () => {
    expect(boxFromDrag({ x: 120.456, y: 80.111 }, { x: 20.123, y: 10.999 }, image)).toEqual({
      x: 20.12,
      y: 11,
      w: 100.34,
      h: 69.11,
    });
  });

  it('clamps a drag that leaves the image', () => {
    expect(boxFromDrag({ x: 400, y: 200 }, { x: 900, y: 700 }, image)).toEqual({ x: 400, y: 200, w: 112, h: 56 });
    expect(boxFromDrag({ x: 50, y: 50 }, { x: -40, y: -80 }, image)).toEqual({ x: 0, y: 0, w: 50, h: 50 });
  });

  it('rejects clicks, slivers and drags entirely outside the image', () => {
    expect(boxFromDrag({ x: 10, y: 10 }, { x: 10, y: 10 }, image)).toBeNull();
    expect(boxFromDrag({ x: 10, y: 10 }, { x: 10.5, y: 90 }, image)).toBeNull();
    expect(boxFromDrag({ x: 600, y: 10 }, { x: 700, y: 90 }, image)).toBeNull();
    expect(boxFromDrag({ x: -50, y: -50 }, { x: -10, y: 100 }, image)).toBeNull();
  });
});

describe('isRect', () => {
  it('recognises bbox geometry only', () => {
    expect(isRect({ x: 1, y: 2, w: 3, h: 4 })).toBe(true);
    expect(isRect({ x: 1, y: 2, w: 3 })).toBe(false);
    expect(isRect({ points: [[1, 2]] })).toBe(false);
    expect(isRect({ x: '1', y: 2, w: 3, h: 4 })).toBe(false);
    expect(isRect(null)).toBe(false);
  });
});
