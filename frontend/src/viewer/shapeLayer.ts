// The display layer: every shape of the frame shown, drawn on one canvas with an rbush index and viewport culling.
import type { Label } from '../api/types';
import type { Point, Rect } from '../core/geometry';
import { labelColor, rgb } from '../core/palette';
import { ShapeIndex } from '../core/shapeIndex';
import type { MaskShape, Shape } from '../core/shapes/model';
import type { AnnotationRecord, AnnotationStore, StoreChange } from '../core/store';
import type { SurfaceChange, ViewerSurface, ViewTransform } from './surface';

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
/** CSS px rendered beyond each edge of the view, so a pan reuses the last render for a while. */
const SCENE_MARGIN = 256;
/** A zoom shows the last render scaled; this long after the last zoom step it is drawn sharp again. */
const SETTLE_MS = 120;

interface Scene {
  canvas: HTMLCanvasElement;
  view: ViewTransform;
  margin: number;
}

/** Whether a scene can stand in for view `t`: the view is inside its margin, the zoom within 4× of it. */
function covers(scene: Scene, t: ViewTransform): boolean {
  const r = t.scale / scene.view.scale;
  if (r < 0.25 || r > 4) return false;
  if (r !== 1) return true; // zooming: scaled stand-in until settled
  return Math.abs(t.offsetX - scene.view.offsetX) <= scene.margin && Math.abs(t.offsetY - scene.view.offsetY) <= scene.margin;
}

export class ShapeLayer {
  readonly canvas: HTMLCanvasElement;
  private readonly index = new ShapeIndex();
  private readonly styles = new Map<number, LabelStyle>();
  private readonly masks = new WeakMap<MaskShape, { canvas: HTMLCanvasElement | OffscreenCanvas; color: string }>();
  private editing = new Set<string>();
  private scene: Scene | null = null;
  /** Content changed since the scene was rendered. */
  private stale = true;
  private settle: ReturnType<typeof setTimeout> | null = null;
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
    this.invalidate();
  }

  /** Shapes the edit overlay stands in for while they are dragged. */
  setEditing(keys: readonly string[]): void {
    this.editing = new Set(keys);
    this.invalidate();
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
    if (this.settle !== null) clearTimeout(this.settle);
    this.unsubscribe.forEach((u) => u());
    this.canvas.remove();
  }

  private onSurface(change: SurfaceChange): void {
    if (change === 'frame' || this.surface.frame !== this.frame) {
      this.frame = this.surface.frame;
      this.index.reset(this.store.onFrame(this.frame));
      this.stale = true;
    }
    if (change === 'resize' || change === 'open') this.stale = true;
    this.schedule();
  }

  private onStore(changes: readonly StoreChange[]): void {
    for (const c of changes) {
      if (c.after && c.after.frame === this.frame) this.index.upsert(c.after);
      else this.index.remove(c.key);
    }
    this.invalidate();
  }

  /** The visible shapes meeting `r` (image px), by label: culled through the index, hidden labels and edited shapes left out. */
  private visible(r: Rect): Map<number, AnnotationRecord[]> {
    const byLabel = new Map<number, AnnotationRecord[]>();
    for (const rec of this.index.search(r)) {
      if (this.editing.has(rec.key) || this.styles.get(rec.label)?.visible === false) continue;
      let list = byLabel.get(rec.label);
      if (!list) byLabel.set(rec.label, (list = []));
      list.push(rec);
    }
    return byLabel;
  }

  /** Redraw from scratch at the next frame (e.g. after the selection changed). */
  invalidate(): void {
    this.stale = true;
    this.schedule();
  }

  /**
   * Show the shapes. A full render draws the view plus a margin on a scene canvas; while only the view
   * moves, later frames copy that scene (shifted, or scaled during a zoom) instead of redrawing every
   * shape, and a sharp render follows once a zoom has settled for SETTLE_MS or the view left the margin.
   */
  draw(): void {
    const t = this.surface.transform();
    const ctx = this.context();
    const scene = this.scene;
    if (ctx && scene && !this.stale && covers(scene, t)) {
      this.blit(ctx, scene, t);
      if (t.scale !== scene.view.scale) this.settleSoon();
      this.lastDrawAt = performance.now();
      return;
    }
    this.render(ctx, t);
    this.lastDrawAt = performance.now();
  }

  private render(ctx: CanvasRenderingContext2D | null, t: ViewTransform): void {
    const vp = this.viewport();
    const margin = ctx ? SCENE_MARGIN : 0;
    const m = margin / t.scale;
    const byLabel = this.visible({ x: vp.x - m, y: vp.y - m, w: vp.w + 2 * m, h: vp.h + 2 * m });
    this.lastDrawn = [...byLabel.values()].reduce((n, list) => n + list.length, 0);
    this.stale = false;
    if (!ctx) return;
    const dpr = globalThis.devicePixelRatio || 1;
    const canvas = this.scene?.canvas ?? document.createElement('canvas');
    const w = this.canvas.width + 2 * Math.round(margin * dpr);
    const h = this.canvas.height + 2 * Math.round(margin * dpr);
    if (canvas.width !== w) canvas.width = w;
    if (canvas.height !== h) canvas.height = h;
    const sctx = canvas.getContext('2d');
    if (!sctx) return;
    sctx.setTransform(1, 0, 0, 1, 0, 0);
    sctx.clearRect(0, 0, w, h);
    // Paths are built in device pixels (identity transform): 1 px strokes take the fast hairline path at
    // any zoom, and vertices closer than a pixel to the previous one are skipped.
    const view: View = { s: t.scale * dpr, ox: (t.offsetX + margin) * dpr, oy: (t.offsetY + margin) * dpr };
    const selected = new Set(this.options.selected?.() ?? []);
    for (const [labelId, records] of byLabel) {
      const style = this.styles.get(labelId) ?? { color: labelColor({}, labelId), visible: true, opacity: 1 };
      this.drawLabel(sctx, records, style, view, selected);
    }
    this.scene = { canvas, view: t, margin };
    this.blit(ctx, this.scene, t);
  }

  /** Copy the scene onto the visible canvas for the view `t` (a shift, or a scale while zooming). */
  private blit(ctx: CanvasRenderingContext2D, scene: Scene, t: ViewTransform): void {
    const dpr = globalThis.devicePixelRatio || 1;
    const r = t.scale / scene.view.scale;
    const dx = r * (-scene.margin - scene.view.offsetX) + t.offsetX;
    const dy = r * (-scene.margin - scene.view.offsetY) + t.offsetY;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    // A scaled stand-in lasts only until the zoom settles: nearest-neighbour is cheaper and good enough.
    ctx.imageSmoothingEnabled = r === 1;
    ctx.drawImage(scene.canvas, dx * dpr, dy * dpr, scene.canvas.width * r, scene.canvas.height * r);
  }

  private settleSoon(): void {
    if (this.settle !== null) clearTimeout(this.settle);
    this.settle = setTimeout(() => {
      this.settle = null;
      this.invalidate();
    }, SETTLE_MS);
  }

  private drawLabel(
    ctx: CanvasRenderingContext2D,
    records: readonly AnnotationRecord[],
    style: LabelStyle,
    view: View,
    selected: ReadonlySet<string>,
  ): void {
    const fill = new Path2D();
    const line = new Path2D();
    const highlight = new Path2D();
    for (const r of records) {
      if (r.shape.kind === 'mask') {
        this.drawMask(ctx, r.shape, style, view);
        continue;
      }
      addShape(r.shape, selected.has(r.key) ? highlight : line, fill, view);
    }
    ctx.strokeStyle = style.color;
    ctx.fillStyle = style.color;
    ctx.globalAlpha = 0.2 * style.opacity;
    ctx.fill(fill);
    ctx.globalAlpha = style.opacity;
    ctx.lineWidth = 1;
    ctx.stroke(line);
    ctx.lineWidth = 3;
    ctx.stroke(highlight);
    ctx.globalAlpha = 1;
  }

  private drawMask(ctx: CanvasRenderingContext2D, mask: MaskShape, style: LabelStyle, view: View): void {
    let cached = this.masks.get(mask);
    if (!cached || cached.color !== style.color) {
      cached = { canvas: maskBitmap(mask, style.color), color: style.color };
      this.masks.set(mask, cached);
    }
    ctx.imageSmoothingEnabled = false;
    ctx.globalAlpha = 0.45 * style.opacity;
    ctx.drawImage(cached.canvas, mask.x * view.s + view.ox, mask.y * view.s + view.oy, mask.w * view.s, mask.h * view.s);
    ctx.globalAlpha = 1;
  }

  private context(): CanvasRenderingContext2D | null {
    const dpr = globalThis.devicePixelRatio || 1;
    const w = Math.round(this.surface.overlayHost.clientWidth * dpr);
    const h = Math.round(this.surface.overlayHost.clientHeight * dpr);
    if (this.canvas.width !== w || this.canvas.height !== h) {
      this.canvas.width = w;
      this.canvas.height = h;
      this.stale = true;
    }
    try {
      return this.canvas.getContext('2d');
    } catch {
      return null; // no canvas (jsdom): the index and culling still work
    }
  }
}

/** Image → device pixels: x · s + ox. */
interface View {
  s: number;
  ox: number;
  oy: number;
}

/** Add one shape to the batched paths in device pixels; sub-pixel detail is dropped, tiny shapes become a dot. */
function addShape(shape: Exclude<Shape, MaskShape>, line: Path2D, fill: Path2D, { s, ox, oy }: View): void {
  switch (shape.kind) {
    case 'tag':
      return;
    case 'point': {
      const x = shape.x * s + ox;
      const y = shape.y * s + oy;
      line.moveTo(x + 4, y);
      line.arc(x, y, 4, 0, 2 * Math.PI);
      return;
    }
    case 'bbox':
      line.rect(shape.x * s + ox, shape.y * s + oy, shape.w * s, shape.h * s);
      return;
    case 'polygon':
    case 'polyline': {
      const pts = shape.points;
      const closed = shape.kind === 'polygon';
      let px = pts[0]!.x * s + ox;
      let py = pts[0]!.y * s + oy;
      const x0 = px;
      const y0 = py;
      line.moveTo(px, py);
      if (closed) fill.moveTo(px, py);
      let emitted = 1;
      for (let i = 1; i < pts.length; i++) {
        const x = pts[i]!.x * s + ox;
        const y = pts[i]!.y * s + oy;
        if (Math.abs(x - px) < 1 && Math.abs(y - py) < 1 && i < pts.length - 1) continue;
        line.lineTo(x, y);
        if (closed) fill.lineTo(x, y);
        px = x;
        py = y;
        emitted++;
      }
      if (emitted < 3 && Math.abs(px - x0) < DOT_PX && Math.abs(py - y0) < DOT_PX) line.rect(x0, y0, 1, 1);
      if (closed) {
        line.closePath();
        fill.closePath();
      }
    }
  }
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
