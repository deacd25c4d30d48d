// The display layer: every shape of the frame shown, drawn on one canvas with an rbush index and viewport culling.
import type { Label } from '../api/types';
import type { Point, Rect } from '../core/geometry';
import { labelColor, rgb } from '../core/palette';
import { ShapeIndex } from '../core/shapeIndex';
import type { MaskShape, Shape } from '../core/shapes/model';
import type { AnnotationRecord, AnnotationStore, StoreChange } from '../core/store';
import type { SurfaceChange, ViewerSurface } from './surface';

export interface LabelStyle {
  color: string;
  visible: boolean;
  /** 0–1, applied to stroke and fill. */
  opacity: number;
}

export interface ShapeLayerOptions {
  /** Keys drawn highlighted. */
  selected?: () => ReadonlySet<string> | readonly string[];
  /** Defaults to requestAnimationFrame; injectable for tests and benchmarks. */
  requestFrame?: (draw: () => void) => void;
}

/** Shapes smaller than this on screen are drawn as a dot: cheaper, and their detail is invisible anyway. */
const DOT_PX = 2;

export class ShapeLayer {
  readonly canvas: HTMLCanvasElement;
  private readonly index = new ShapeIndex();
  private readonly styles = new Map<number, LabelStyle>();
  private readonly masks = new WeakMap<MaskShape, { canvas: HTMLCanvasElement | OffscreenCanvas; color: string }>();
  private editing = new Set<string>();
  private frame: number;
  private pending = false;
  private readonly unsubscribe: (() => void)[] = [];
  /** Shapes drawn by the last redraw (after culling), and when it ran. */
  lastDrawn = 0;
  lastDrawAt = 0;

  constructor(
    private readonly surface: ViewerSurface,
    private readonly store: AnnotationStore,
    labels: readonly Label[],
    private readonly options: ShapeLayerOptions = {},
  ) {
    labels.forEach((l, i) => this.styles.set(l.id, { color: labelColor(l, i), visible: true, opacity: 1 }));
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'shape-layer';
    Object.assign(this.canvas.style, { position: 'absolute', inset: '0', pointerEvents: 'none' });
    surface.overlayHost.appendChild(this.canvas);
    this.frame = surface.frame;
    this.index.reset(store.onFrame(this.frame));
    this.unsubscribe.push(
      surface.subscribe((c) => this.onSurface(c)),
      store.subscribe((c) => this.onStore(c)),
    );
    this.schedule();
  }

  style(labelId: number): LabelStyle | undefined {
    return this.styles.get(labelId);
  }

  setLabelStyle(labelId: number, style: Partial<LabelStyle>): void {
    const current = this.styles.get(labelId) ?? { color: labelColor({}, this.styles.size), visible: true, opacity: 1 };
    this.styles.set(labelId, { ...current, ...style });
    this.schedule();
  }

  /** Shapes the edit overlay stands in for while they are dragged. */
  setEditing(keys: readonly string[]): void {
    this.editing = new Set(keys);
    this.schedule();
  }

  /** Visible shapes of this frame under `p` (image px) within `tolerance` (image px), best first. */
  hitTest(p: Point, tolerance: number): string[] {
    return this.index
      .hitTest(p, tolerance)
      .filter((key) => this.styles.get(this.store.get(key)?.label ?? -1)?.visible !== false);
  }

  /** The part of the image in view, in image pixels. */
  viewport(): Rect {
    const { scale, offsetX, offsetY } = this.surface.transform();
    const w = this.surface.overlayHost.clientWidth;
    const h = this.surface.overlayHost.clientHeight;
    return { x: -offsetX / scale, y: -offsetY / scale, w: w / scale, h: h / scale };
  }

  /** Redraw at the next animation frame; many calls in one frame draw once. */
  schedule(): void {
    if (this.pending) return;
    this.pending = true;
    const run = () => {
      this.pending = false;
      this.draw();
    };
    (this.options.requestFrame ?? ((f) => requestAnimationFrame(() => f())))(run);
  }

  destroy(): void {
    this.unsubscribe.forEach((u) => u());
    this.canvas.remove();
  }

  private onSurface(change: SurfaceChange): void {
    if (change === 'frame' || this.surface.frame !== this.frame) {
      this.frame = this.surface.frame;
      this.index.reset(this.store.onFrame(this.frame));
    }
    this.schedule();
  }

  private onStore(changes: readonly StoreChange[]): void {
    for (const c of changes) {
      if (c.after && c.after.frame === this.frame) this.index.upsert(c.after);
      else this.index.remove(c.key);
    }
    this.schedule();
  }

  /** The visible shapes in view, by label (culled through the index, hidden labels and edited shapes left out). */
  private visible(): Map<number, AnnotationRecord[]> {
    const byLabel = new Map<number, AnnotationRecord[]>();
    for (const r of this.index.search(this.viewport())) {
      if (this.editing.has(r.key) || this.styles.get(r.label)?.visible === false) continue;
      let list = byLabel.get(r.label);
      if (!list) byLabel.set(r.label, (list = []));
      list.push(r);
    }
    return byLabel;
  }

  /** Draw every visible shape in view: per label, one path for strokes and one for fills. */
  draw(): void {
    const byLabel = this.visible();
    this.lastDrawn = [...byLabel.values()].reduce((n, list) => n + list.length, 0);
    this.lastDrawAt = performance.now();
    const ctx = this.context();
    if (!ctx) return;
    const { scale, offsetX, offsetY } = this.surface.transform();
    const dpr = globalThis.devicePixelRatio || 1;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    ctx.setTransform(scale * dpr, 0, 0, scale * dpr, offsetX * dpr, offsetY * dpr);
    const selected = new Set(this.options.selected?.() ?? []);
    for (const [labelId, records] of byLabel) {
      const style = this.styles.get(labelId) ?? { color: labelColor({}, labelId), visible: true, opacity: 1 };
      this.drawLabel(ctx, records, style, scale, selected);
    }
  }

  private drawLabel(
    ctx: CanvasRenderingContext2D,
    records: readonly AnnotationRecord[],
    style: LabelStyle,
    scale: number,
    selected: ReadonlySet<string>,
  ): void {
    const fill = new Path2D();
    const line = new Path2D();
    const highlight = new Path2D();
    const dot = DOT_PX / scale;
    for (const r of records) {
      if (r.shape.kind === 'mask') {
        this.drawMask(ctx, r.shape, style);
        continue;
      }
      const target = selected.has(r.key) ? highlight : line;
      addShape(r.shape, target, fill, dot);
    }
    ctx.strokeStyle = style.color;
    ctx.fillStyle = style.color;
    ctx.globalAlpha = 0.2 * style.opacity;
    ctx.fill(fill);
    ctx.globalAlpha = style.opacity;
    ctx.lineWidth = 1.5 / scale;
    ctx.stroke(line);
    ctx.lineWidth = 3 / scale;
    ctx.stroke(highlight);
    ctx.globalAlpha = 1;
  }

  private drawMask(ctx: CanvasRenderingContext2D, mask: MaskShape, style: LabelStyle): void {
    let cached = this.masks.get(mask);
    if (!cached || cached.color !== style.color) {
      cached = { canvas: maskBitmap(mask, style.color), color: style.color };
      this.masks.set(mask, cached);
    }
    ctx.imageSmoothingEnabled = false;
    ctx.globalAlpha = 0.45 * style.opacity;
    ctx.drawImage(cached.canvas, mask.x, mask.y);
    ctx.globalAlpha = 1;
  }

  private context(): CanvasRenderingContext2D | null {
    const dpr = globalThis.devicePixelRatio || 1;
    const w = Math.round(this.surface.overlayHost.clientWidth * dpr);
    const h = Math.round(this.surface.overlayHost.clientHeight * dpr);
    if (this.canvas.width !== w) this.canvas.width = w;
    if (this.canvas.height !== h) this.canvas.height = h;
    try {
      return this.canvas.getContext('2d');
    } catch {
      return null; // no canvas (jsdom): the index and culling still work
    }
  }
}

/** Add one shape to the batched paths (in image coordinates); tiny shapes become a dot. */
function addShape(shape: Exclude<Shape, MaskShape>, line: Path2D, fill: Path2D, dot: number): void {
  switch (shape.kind) {
    case 'tag':
      return;
    case 'point':
      line.moveTo(shape.x + 3 * dot, shape.y);
      line.arc(shape.x, shape.y, 3 * dot, 0, 2 * Math.PI);
      return;
    case 'bbox':
      line.rect(shape.x, shape.y, shape.w, shape.h);
      return;
    case 'polygon':
    case 'polyline': {
      const pts = shape.points;
      const first = pts[0]!;
      if (pts.length > 4 && tiny(pts, dot)) {
        line.rect(first.x, first.y, dot, dot);
        return;
      }
      const paths = shape.kind === 'polygon' ? [line, fill] : [line];
      for (const path of paths) {
        path.moveTo(first.x, first.y);
        for (let i = 1; i < pts.length; i++) path.lineTo(pts[i]!.x, pts[i]!.y);
        if (shape.kind === 'polygon') path.closePath();
      }
    }
  }
}

function tiny(pts: readonly Point[], size: number): boolean {
  const a = pts[0]!;
  const b = pts[Math.floor(pts.length / 2)]!;
  return Math.abs(a.x - b.x) < size && Math.abs(a.y - b.y) < size;
}

/** A mask as an image in its label colour (set pixels opaque), made once per mask object. */
export function maskBitmap(mask: MaskShape, color: string): HTMLCanvasElement | OffscreenCanvas {
  const canvas =
    typeof OffscreenCanvas !== 'undefined' ? new OffscreenCanvas(Math.max(1, mask.w), Math.max(1, mask.h)) : document.createElement('canvas');
  canvas.width = Math.max(1, mask.w);
  canvas.height = Math.max(1, mask.h);
  const ctx = canvas.getContext('2d') as CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null;
  if (!ctx) return canvas;
  const image = ctx.createImageData(canvas.width, canvas.height);
  paintPixels(image.data, mask.bits, 0, mask.bits.length, rgb(color));
  ctx.putImageData(image, 0, 0);
  return canvas;
}

/** RGBA for bits[from, to): the colour where set, transparent elsewhere. */
export function paintPixels(data: Uint8ClampedArray, bits: Uint8Array, from: number, to: number, [r, g, b]: [number, number, number]): void {
  for (let i = from; i < to; i++) {
    const o = (i - from) * 4;
    const on = bits[i] ? 255 : 0;
    data[o] = r;
    data[o + 1] = g;
    data[o + 2] = b;
    data[o + 3] = on;
  }
}
