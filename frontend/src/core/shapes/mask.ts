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
  const x0 = Math.max(dirty.x, target.x);
  const x1 = Math.min(dirty.x + dirty.w, target.x + target.w);
  const y0 = Math.max(dirty.y, target.y);
  const y1 = Math.min(dirty.y + dirty.h, target.y + target.h);
  const capsule = new Capsule(a, b, radius);
  for (let y = y0; y < y1; y++) {
    const span = capsule.row(y, x0, x1);
    if (!span) continue;
    const row = (y - target.y) * target.w - target.x;
    target.bits.fill(value, row + span[0], row + span[1]);
  }
  return { mask: target, dirty };
}

/**
 * The pixels whose centre lies within `radius` of the segment a→b, one row at a time. The region is
 * convex, so a row's pixels are one run: its ends come from the discs at a and b and the band between
 * (a few divisions), then are checked against the exact distance test, so the result is the same as
 * testing every pixel — in O(1) per row instead of O(width).
 */
export class Capsule {
  private readonly dx: number;
  private readonly dy: number;
  private readonly len2: number;
  private readonly r2: number;

  constructor(
    private readonly a: Point,
    private readonly b: Point,
    private readonly radius: number,
  ) {
    this.dx = b.x - a.x;
    this.dy = b.y - a.y;
    this.len2 = this.dx * this.dx + this.dy * this.dy;
    this.r2 = radius * radius;
  }

  /** Whether the centre of pixel (x, y) is inside. */
  covers(x: number, y: number): boolean {
    const px = x + 0.5;
    const py = y + 0.5;
    const { a, dx, dy, len2 } = this;
    let t = len2 > 0 ? ((px - a.x) * dx + (py - a.y) * dy) / len2 : 0;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    const ex = px - (a.x + t * dx);
    const ey = py - (a.y + t * dy);
    return ex * ex + ey * ey <= this.r2;
  }

  /** The run [from, to) of pixels of row `y` inside, within columns [x0, x1); null when there are none. */
  row(y: number, x0: number, x1: number): [number, number] | null {
    const py = y + 0.5;
    const { a, b, dx, dy, len2, r2 } = this;
    let lo = Infinity;
    let hi = -Infinity;
    for (const c of [a, b]) {
      const d = py - c.y;
      if (d * d <= r2) {
        const h = Math.sqrt(r2 - d * d);
        lo = Math.min(lo, c.x - h);
        hi = Math.max(hi, c.x + h);
      }
    }
    if (len2 > 0) {
      // The band: 0 ≤ t(x) ≤ 1 and |e(x)| ≤ r, both linear in x along the row.
      const len = Math.sqrt(len2);
      let bl = -Infinity;
      let bh = Infinity;
      const clip = (m: number, c: number, from: number, to: number) => {
        if (m === 0) {
          if (c < from || c > to) bh = -Infinity;
          return;
        }
        const u = (from - c) / m;
        const v = (to - c) / m;
        bl = Math.max(bl, Math.min(u, v));
        bh = Math.min(bh, Math.max(u, v));
      };
      clip(dx / len2, (-a.x * dx + (py - a.y) * dy) / len2, 0, 1);
      clip(dy / len, (-a.x * dy - (py - a.y) * dx) / len, -this.radius, this.radius);
      if (bl <= bh) {
        lo = Math.min(lo, bl);
        hi = Math.max(hi, bh);
      }
    }
    let from: number;
    let last: number;
    if (lo <= hi) {
      from = Math.min(x1, Math.max(x0, Math.ceil(lo - 0.5)));
      last = Math.max(x0 - 1, Math.min(x1 - 1, Math.floor(hi - 0.5)));
    } else {
      // Nothing by the formulas; rounding could still let the exact test take a pixel at the nearest end.
      const near = Math.abs(py - a.y) < Math.abs(py - b.y) ? a : b;
      from = last = Math.max(x0, Math.min(x1 - 1, Math.floor(near.x)));
      if (!this.covers(from, y)) return null;
    }
    // The formulas and the exact test may differ by rounding at the ends: the exact test decides.
    while (from > x0 && this.covers(from - 1, y)) from--;
    while (from <= last && !this.covers(from, y)) from++;
    while (last < x1 - 1 && this.covers(last + 1, y)) last++;
    while (last >= from && !this.covers(last, y)) last--;
    return from <= last ? [from, last + 1] : null;
  }
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
