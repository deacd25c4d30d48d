// Pure rectangle maths in level-0 image pixels: normalise, clamp, round, validate boxes.

export interface Point {
  x: number;
  y: number;
}

/** Axis-aligned box; after normalisation w and h are never negative. */
export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Size {
  width: number;
  height: number;
}

/** Boxes narrower or lower than this (in image pixels) are treated as accidental clicks. */
export const MIN_BOX_SIZE = 1;

/** Rectangle spanned by two corner points, whichever direction the drag went. */
export function rectFromPoints(a: Point, b: Point): Rect {
  return {
    x: Math.min(a.x, b.x),
    y: Math.min(a.y, b.y),
    w: Math.abs(b.x - a.x),
    h: Math.abs(b.y - a.y),
  };
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
}

export function clampPoint(p: Point, size: Size): Point {
  return { x: clamp(p.x, 0, size.width), y: clamp(p.y, 0, size.height) };
}

/**
 * Intersection of a (normalised) rect with the image [0,width]×[0,height].
 * A rect lying entirely outside collapses to zero width/height on the nearest edge.
 */
export function clampRect(r: Rect, size: Size): Rect {
  const left = clamp(r.x, 0, size.width);
  const top = clamp(r.y, 0, size.height);
  const right = clamp(r.x + r.w, 0, size.width);
  const bottom = clamp(r.y + r.h, 0, size.height);
  return { x: left, y: top, w: Math.max(0, right - left), h: Math.max(0, bottom - top) };
}

/** True when the box is too small to be a deliberate annotation. */
export function isDegenerate(r: Rect, minSize: number = MIN_BOX_SIZE): boolean {
  return !(r.w >= minSize && r.h >= minSize);
}

/** Round to 2 decimals (half away from zero), avoiding binary artefacts such as 1.005 → 1. */
export function round2(n: number): number {
  const sign = n < 0 ? -1 : 1;
  const rounded = Math.round(Math.abs(n) * 100 + 1e-7) / 100;
  return rounded === 0 ? 0 : sign * rounded;
}

/**
 * Round a rect to 2 decimals by rounding its edges, then make sure rounding did not
 * push it past the image bounds (x + w ≤ width, y + h ≤ height).
 */
export function roundRect(r: Rect, size?: Size): Rect {
  const x = round2(r.x);
  const y = round2(r.y);
  let w = round2(round2(r.x + r.w) - x);
  let h = round2(round2(r.y + r.h) - y);
  if (size) {
    while (w > 0 && x + w > size.width) w = round2(w - 0.01);
    while (h > 0 && y + h > size.height) h = round2(h - 0.01);
  }
  return { x, y, w: Math.max(0, w), h: Math.max(0, h) };
}

/**
 * Turn a drag from `start` to `end` into the box to store: normalised, clamped to the
 * image, rounded to 2 decimals. Returns null for degenerate boxes (clicks, slivers,
 * drags entirely outside the image).
 */
export function boxFromDrag(start: Point, end: Point, size: Size): Rect | null {
  const rect = roundRect(clampRect(rectFromPoints(start, end), size), size);
  return isDegenerate(rect) ? null : rect;
}

/** True if the value looks like a stored bounding-box geometry {x, y, w, h}. */
export function isRect(value: unknown): value is Rect {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return ['x', 'y', 'w', 'h'].every((k) => typeof v[k] === 'number' && Number.isFinite(v[k]));
}
