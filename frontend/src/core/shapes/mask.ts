// Pure mask bitmaps: paint and erase discs, crop to the set pixels, combine, rasterise polygons.
import type { Point, Rect, Size } from '../geometry';
import type { MaskShape } from './model';

export function emptyMask(x: number, y: number, w: number, h: number): MaskShape {
  return { kind: 'mask', x, y, w, h, bits: new Uint8Array(w * h) };
}

/** Bounds of the set pixels in image coordinates, or null when none is set. */
export function setBounds(mask: MaskShape): Rect | null {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -1;
  let maxY = -1;
  for (let row = 0; row < mask.h; row++) {
    const base = row * mask.w;
    for (let col = 0; col < mask.w; col++) {
      if (!mask.bits[base + col]) continue;
      if (col < minX) minX = col;
      if (col > maxX) maxX = col;
      if (row < minY) minY = row;
      maxY = row;
    }
  }
  if (maxX < 0) return null;
  return { x: mask.x + minX, y: mask.y + minY, w: maxX - minX + 1, h: maxY - minY + 1 };
}

/** The same mask on another integer box (pixels outside the new box are dropped). */
export function reframe(mask: MaskShape, box: Rect): MaskShape {
  const out = emptyMask(box.x, box.y, box.w, box.h);
  const x0 = Math.max(box.x, mask.x);
  const x1 = Math.min(box.x + box.w, mask.x + mask.w);
  for (let y = Math.max(box.y, mask.y); y < Math.min(box.y + box.h, mask.y + mask.h); y++) {
    const src = (y - mask.y) * mask.w - mask.x;
    const dst = (y - box.y) * box.w - box.x;
    for (let x = x0; x < x1; x++) out.bits[dst + x] = mask.bits[src + x]!;
  }
  return out;
}

/** Mask cropped to its set pixels (what the wire stores), or null when it is empty. */
export function cropToContent(mask: MaskShape): MaskShape | null {
  const b = setBounds(mask);
  if (!b) return null;
  if (b.x === mask.x && b.y === mask.y && b.w === mask.w && b.h === mask.h) return mask;
  return reframe(mask, b);
}

function unionBox(a: Rect, b: Rect): Rect {
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, w: Math.max(a.x + a.w, b.x + b.w) - x, h: Math.max(a.y + a.h, b.y + b.h) - y };
}

/** Integer box of a disc of `radius` around `c`, clipped to the image. */
export function discBox(c: Point, radius: number, image: Size): Rect {
  const x0 = Math.max(0, Math.floor(c.x - radius));
  const y0 = Math.max(0, Math.floor(c.y - radius));
  const x1 = Math.min(image.width, Math.ceil(c.x + radius));
  const y1 = Math.min(image.height, Math.ceil(c.y + radius));
  return { x: x0, y: y0, w: Math.max(0, x1 - x0), h: Math.max(0, y1 - y0) };
}

/**
 * Set (value 1) or clear (value 0) every pixel whose centre lies within `radius` of the segment a→b,
 * in place when the mask's box already holds the stroke, else on a copy grown by `pad` px more than
 * needed (so a long stroke reallocates rarely). Returns the mask and the touched box (for a partial redraw).
 */
export function paintSegment(
  mask: MaskShape,
  a: Point,
  b: Point,
  radius: number,
  value: 0 | 1,
  image: Size,
  pad = 0,
): { mask: MaskShape; dirty: Rect } {
  const ba = discBox(a, radius, image);
  const dirty = unionBox(ba, discBox(b, radius, image));
  let target = mask;
  if (value === 1) {
    const need = mask.w * mask.h === 0 ? dirty : unionBox(mask, dirty);
    if (need.x !== mask.x || need.y !== mask.y || need.w !== mask.w || need.h !== mask.h) {
      const x0 = Math.max(0, need.x - pad);
      const y0 = Math.max(0, need.y - pad);
      const x1 = Math.min(image.width, need.x + need.w + pad);
      const y1 = Math.min(image.height, need.y + need.h + pad);
      target = reframe(mask, { x: x0, y: y0, w: x1 - x0, h: y1 - y0 });
    }
  }
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len2 = dx * dx + dy * dy;
  const r2 = radius * radius;
  const x0 = Math.max(dirty.x, target.x);
  const x1 = Math.min(dirty.x + dirty.w, target.x + target.w);
  const y0 = Math.max(dirty.y, target.y);
  const y1 = Math.min(dirty.y + dirty.h, target.y + target.h);
  for (let y = y0; y < y1; y++) {
    const py = y + 0.5;
    const row = (y - target.y) * target.w - target.x;
    for (let x = x0; x < x1; x++) {
      const px = x + 0.5;
      let t = len2 > 0 ? ((px - a.x) * dx + (py - a.y) * dy) / len2 : 0;
      t = t < 0 ? 0 : t > 1 ? 1 : t;
      const ex = px - (a.x + t * dx);
      const ey = py - (a.y + t * dy);
      if (ex * ex + ey * ey <= r2) target.bits[row + x] = value;
    }
  }
  return { mask: target, dirty };
}

/** Pixel-wise a ∪ b (op 'union') or a \ b (op 'subtract') on the union of their boxes. */
export function combineMasks(a: MaskShape, b: MaskShape, op: 'union' | 'subtract'): MaskShape {
  const box = unionBox(a, b);
  const out = reframe(a, box);
  const other = reframe(b, box);
  for (let i = 0; i < out.bits.length; i++) {
    if (op === 'union') out.bits[i] = out.bits[i]! | other.bits[i]!;
    else if (other.bits[i]) out.bits[i] = 0;
  }
  return out;
}

/** A mask of the pixels whose centres lie inside the polygon (even-odd rule), on its integer box. */
export function rasterizePolygon(points: readonly Point[], image: Size): MaskShape {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const p of points) {
    minX = Math.min(minX, p.x);
    minY = Math.min(minY, p.y);
    maxX = Math.max(maxX, p.x);
    maxY = Math.max(maxY, p.y);
  }
  const x0 = Math.max(0, Math.floor(minX));
  const y0 = Math.max(0, Math.floor(minY));
  const x1 = Math.min(image.width, Math.ceil(maxX));
  const y1 = Math.min(image.height, Math.ceil(maxY));
  const mask = emptyMask(x0, y0, Math.max(0, x1 - x0), Math.max(0, y1 - y0));
  const xs: number[] = [];
  for (let y = y0; y < y1; y++) {
    const py = y + 0.5;
    xs.length = 0;
    for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
      const p = points[i]!;
      const q = points[j]!;
      if (p.y > py !== q.y > py) xs.push(p.x + ((py - p.y) * (q.x - p.x)) / (q.y - p.y));
    }
    xs.sort((m, n) => m - n);
    for (let k = 0; k + 1 < xs.length; k += 2) {
      const from = Math.max(x0, Math.ceil(xs[k]! - 0.5));
      const to = Math.min(x1, Math.ceil(xs[k + 1]! - 0.5));
      for (let x = from; x < to; x++) mask.bits[(y - y0) * mask.w + (x - x0)] = 1;
    }
  }
  return mask;
}
