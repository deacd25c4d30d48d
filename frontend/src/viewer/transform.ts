// Pure pan/zoom maths of a view transform (image pixels ↔ element CSS pixels) for sources that do their own view.
import type { Point, Rect, Size } from '../core/geometry';
import type { ViewTransform } from './surface';

export const MIN_SCALE = 0.02;
export const MAX_SCALE = 40;

export function toElement(t: ViewTransform, p: Point): Point {
  return { x: p.x * t.scale + t.offsetX, y: p.y * t.scale + t.offsetY };
}

export function toImage(t: ViewTransform, p: Point): Point {
  return { x: (p.x - t.offsetX) / t.scale, y: (p.y - t.offsetY) / t.scale };
}

/** The image rect `r` centred in a view of `view` CSS pixels, as large as fits with `margin` on each side. */
export function fitRect(r: Rect, view: Size, margin = 0): ViewTransform {
  const w = Math.max(1, view.width - 2 * margin);
  const h = Math.max(1, view.height - 2 * margin);
  const scale = clampScale(Math.min(w / Math.max(r.w, 1e-9), h / Math.max(r.h, 1e-9)));
  return {
    scale,
    offsetX: view.width / 2 - (r.x + r.w / 2) * scale,
    offsetY: view.height / 2 - (r.y + r.h / 2) * scale,
  };
}

/** Whole image in view. */
export function fitImage(image: Size, view: Size): ViewTransform {
  return fitRect({ x: 0, y: 0, w: image.width, h: image.height }, view, 8);
}

export function clampScale(scale: number): number {
  return Math.min(MAX_SCALE, Math.max(MIN_SCALE, scale));
}

/** Zoom by `factor` keeping the image point under element point `at` where it is. */
export function zoomAround(t: ViewTransform, factor: number, at: Point): ViewTransform {
  const scale = clampScale(t.scale * factor);
  const k = scale / t.scale;
  return { scale, offsetX: at.x - (at.x - t.offsetX) * k, offsetY: at.y - (at.y - t.offsetY) * k };
}

export function panBy(t: ViewTransform, dx: number, dy: number): ViewTransform {
  return { scale: t.scale, offsetX: t.offsetX + dx, offsetY: t.offsetY + dy };
}
