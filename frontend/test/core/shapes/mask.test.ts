// Brush painting by row runs gives the same pixels as testing every pixel's centre against the stroke.
import { describe, expect, it } from 'vitest';
import type { Point } from '../../../src/core/geometry';
import { emptyMask, paintSegment } from '../../../src/core/shapes/mask';
import type { MaskShape } from '../../../src/core/shapes/model';

/** The definition: every pixel of the box whose centre lies within `radius` of the segment a→b. */
function reference(mask: MaskShape, a: Point, b: Point, radius: number, value: 0 | 1): Uint8Array {
  const out = mask.bits.slice();
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len2 = dx * dx + dy * dy;
  for (let y = 0; y < mask.h; y++) {
    for (let x = 0; x < mask.w; x++) {
      const px = mask.x + x + 0.5;
      const py = mask.y + y + 0.5;
      let t = len2 > 0 ? ((px - a.x) * dx + (py - a.y) * dy) / len2 : 0;
      t = t < 0 ? 0 : t > 1 ? 1 : t;
      const ex = px - (a.x + t * dx);
      const ey = py - (a.y + t * dy);
      if (ex * ex + ey * ey <= radius * radius) out[y * mask.w + x] = value;
    }
  }
  return out;
}

function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('paintSegment', () => {
  const image = { width: 120, height: 90 };

  it('sets exactly the pixels within the radius of the segment, for many segments and radii', () => {
    const rnd = random(7);
    for (let k = 0; k < 400; k++) {
      const mask = emptyMask(0, 0, image.width, image.height);
      for (let i = 0; i < mask.bits.length; i++) mask.bits[i] = rnd() < 0.3 ? 1 : 0;
      const p = (): Point => {
        const q = { x: rnd() * 140 - 10, y: rnd() * 110 - 10 };
        // Some on exact pixel centres, edges and repeated points: where rounding bites.
        if (k % 5 === 0) return { x: Math.round(q.x) + 0.5, y: Math.round(q.y) };
        return q;
      };
      const a = p();
      const b = k % 7 === 0 ? { ...a } : k % 11 === 0 ? { x: a.x, y: a.y + 13 } : k % 13 === 0 ? { x: a.x + 17, y: a.y } : p();
      const radius = k % 9 === 0 ? Math.round(rnd() * 8) : k % 4 === 0 ? rnd() * 0.8 : rnd() * 25;
      const value: 0 | 1 = k % 3 === 0 ? 0 : 1;
      const want = reference(mask, a, b, radius, value);
      const { mask: got } = paintSegment(mask, a, b, radius, value, image);
      const wrong = want.findIndex((v, i) => got.bits[i] !== v);
      expect({ k, a, b, radius, wrong }).toEqual({ k, a, b, radius, wrong: -1 });
    }
  });

  it('grows a mask to hold the stroke and reports the touched box', () => {
    const { mask, dirty } = paintSegment(emptyMask(0, 0, 0, 0), { x: 10, y: 10 }, { x: 30, y: 10 }, 3, 1, image);
    expect(dirty).toEqual({ x: 7, y: 7, w: 26, h: 6 });
    expect(mask).toMatchObject({ x: 7, y: 7, w: 26, h: 6 });
    const grown = emptyMask(7, 7, 26, 6);
    expect(mask.bits).toEqual(reference(grown, { x: 10, y: 10 }, { x: 30, y: 10 }, 3, 1));
    expect(mask.bits.reduce((n, v) => n + v, 0)).toBeGreaterThan(100);
  });
});
