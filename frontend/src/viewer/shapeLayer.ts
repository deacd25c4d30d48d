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

/** Shapes smaller than this (device px) on screen are drawn as a dot: cheaper, and their detail is invisible anyway. */
const DOT_PX = 2;
/** CSS px rendered beyond each edge of the view, so a pan reuses the last render for a while. */
const SCENE_MARGIN = 256;
/** A pan or zoom shows the last render moved or scaled; this long after the view stopped it is drawn sharp again. */
const SETTLE_MS = 120;
/** A render stands in for views up to this factor of zoom away from it; beyond, a new one is started. */
const MAX_ZOOM_RATIO = 2;
/** Main-thread time a render may take per animation frame (ms); a longer render goes on in the next frames. */
const FRAME_BUDGET_MS = 8;
/** Aim for each batch of shapes (path, fill, stroke, raster) to take about this long, so a frame overshoots little. */
const BATCH_MS = 3;
/** Up to this many changed shapes are redrawn in place (their rectangles); more make a full render. */
const DIRTY_LIMIT = 64;
/** Device px around a changed shape's bounds repainted with it (3 px highlight strokes, 4 px point circles). */
const DIRTY_PAD = 8;

/** A render of the view plus a margin, at the view's scale: what every frame copies while the view moves. */
interface Scene {
  canvas: HTMLCanvasElement;
  ctx: CanvasRenderingContext2D;
  view: ViewTransform;
  margin: number;
  /** CSS size of the host when rendered. */
  w: number;
  h: number;
  dpr: number;
  /** Selected keys the scene shows highlighted. */
  selected: Set<string>;
}

/** A render in progress: label batches drawn a few at a time, each frame until the budget is used up. */
interface Job {
  scene: Scene;
  groups: [LabelStyle, AnnotationRecord[]][];
  group: number;
  next: number;
  /** Shapes per batch, adapted to the measured cost so a batch takes about BATCH_MS. */
  batch: number;
  count: number;
}

/** The image rect a scene holds, in image px. */
function sceneRect(scene: Scene): Rect {
  const { scale, offsetX, offsetY } = scene.view;
  return {
    x: (-offsetX - scene.margin) / scale,
    y: (-offsetY - scene.margin) / scale,
    w: (scene.w + 2 * scene.margin) / scale,
    h: (scene.h + 2 * scene.margin) / scale,
  };
}

/** Whether a scene can stand in for view rect `vp` at scale `scale`: the view inside it, the zoom within MAX_ZOOM_RATIO. */
function covers(scene: Scene, vp: Rect, scale: number): boolean {
  const r = scale / scene.view.scale;
  if (r < 1 / MAX_ZOOM_RATIO || r > MAX_ZOOM_RATIO) return false;
  const s = sceneRect(scene);
  const e = 0.5 / scale; // half a CSS px of slack for rounding
  return vp.x >= s.x - e && vp.y >= s.y - e && vp.x + vp.w <= s.x + s.w + e && vp.y + vp.h <= s.y + s.h + e;
}

/** Whether a copy of the scene at view `t` is blurred (scaled, or shifted by a fraction of a device px). */
function blurred(scene: Scene, t: ViewTransform): boolean {
  if (Math.abs(t.scale / scene.view.scale - 1) > 1e-9) return true;
  const fx = ((t.offsetX - scene.view.offsetX) * scene.dpr) % 1;
  const fy = ((t.offsetY - scene.view.offsetY) * scene.dpr) % 1;
  return Math.min(Math.abs(fx), 1 - Math.abs(fx)) > 0.01 || Math.min(Math.abs(fy), 1 - Math.abs(fy)) > 0.01;
}

/** Image → device px of a scene's canvas. */
function sceneView(scene: Scene): View {
  const { scale, offsetX, offsetY } = scene.view;
  return { s: scale * scene.dpr, ox: (offsetX + scene.margin) * scene.dpr, oy: (offsetY + scene.margin) * scene.dpr };
}

function union(rects: readonly Rect[]): Rect {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const r of rects) {
    x0 = Math.min(x0, r.x);
    y0 = Math.min(y0, r.y);
    x1 = Math.max(x1, r.x + r.w);
    y1 = Math.max(y1, r.y + r.h);
  }
  return { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
}

export class ShapeLayer {
  readonly canvas: HTMLCanvasElement;
  private readonly index = new ShapeIndex();
  private readonly styles = new Map<number, LabelStyle>();
  private readonly masks = new WeakMap<MaskShape, { canvas: HTMLCanvasElement | OffscreenCanvas; color: string }>();
  private editing = new Set<string>();
  /** The last finished render, shown (moved or scaled) on every frame. */
  private front: Scene | null = null;
  /** The render under way, swapped in for `front` once finished. */
  private job: Job | null = null;
  /** A scene canvas no longer shown, reused by the next render. */
  private spare: HTMLCanvasElement | null = null;
  /** Everything must be rendered again (frame, size, label style changed; too many shapes changed). */
  private stale = true;
  /** Image rects of changed shapes, repainted in place on the next frame. */
  private dirty: Rect[] = [];
  /** The selection may have changed (invalidate()): compare with what the scene shows on the next frame. */
  private checkSelection = false;
  /** What the visible canvas shows: which scene, at which view (a frame with nothing new draws nothing). */
  private shown: { scene: Scene | null; view: ViewTransform | null; partial: boolean } = { scene: null, view: null, partial: false };
  private lastViewChange = 0;
  private settle: ReturnType<typeof setTimeout> | null = null;
  private frame: number;
  private pending = false;
  private readonly unsubscribe: (() => void)[] = [];
  /** Shapes drawn by the last finished render (after culling), and when a frame last ran. */
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
    this.invalidate(true);
  }

  /** Shapes the edit overlay stands in for while they are dragged. */
  setEditing(keys: readonly string[]): void {
    const next = new Set(keys);
    const changed = [...this.editing].filter((k) => !next.has(k)).concat(keys.filter((k) => !this.editing.has(k)));
    this.editing = next;
    this.markDirty(changed);
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

  /** Whether a render or repaint is still to come (the screen does not yet show every shape sharp and current). */
  get rendering(): boolean {
    return this.pending || this.stale || this.job !== null || this.dirty.length > 0 || this.settle !== null;
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
    this.settle = null;
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
    this.lastViewChange = performance.now();
    this.schedule();
  }

  private onStore(changes: readonly StoreChange[]): void {
    const rects: Rect[] = [];
    for (const c of changes) {
      const before = this.index.bounds(c.key);
      if (before) rects.push(before);
      if (c.after && c.after.frame === this.frame) this.index.upsert(c.after);
      else this.index.remove(c.key);
      const after = this.index.bounds(c.key);
      if (after) rects.push(after);
    }
    this.addDirty(rects);
  }

  /** Repaint these shapes in place on the next frame. */
  private markDirty(keys: Iterable<string>): void {
    const rects: Rect[] = [];
    for (const key of keys) {
      const b = this.index.bounds(key);
      if (b) rects.push(b);
    }
    this.addDirty(rects);
  }

  /** Repaint these image rects on the next frame, or render everything again when there are many. */
  private addDirty(rects: readonly Rect[]): void {
    if (!rects.length) return;
    this.dirty.push(...rects);
    if (this.dirty.length > 2 * DIRTY_LIMIT) {
      this.stale = true;
      this.dirty = [];
    }
    this.schedule();
  }

  /** The visible shapes meeting `r` (image px), by label in label order: culled through the index, hidden labels and edited shapes left out. */
  private visible(r: Rect): [LabelStyle, AnnotationRecord[]][] {
    const byLabel = new Map<number, AnnotationRecord[]>();
    for (const rec of this.index.search(r)) {
      if (this.editing.has(rec.key) || this.styles.get(rec.label)?.visible === false) continue;
      let list = byLabel.get(rec.label);
      if (!list) byLabel.set(rec.label, (list = []));
      list.push(rec);
    }
    const rank = [...this.styles.keys()];
    const rankOf = (id: number) => {
      const i = rank.indexOf(id);
      return i < 0 ? rank.length + id : i;
    };
    return [...byLabel.entries()]
      .sort((a, b) => rankOf(a[0]) - rankOf(b[0]))
      .map(([id, records]) => [this.styles.get(id) ?? { color: labelColor({}, id), visible: true, opacity: 1 }, records]);
  }

  /**
   * Redraw on the next frame. By default only what the selection changed is repainted (the shapes whose
   * highlight differs); `full` renders every shape again.
   */
  invalidate(full = false): void {
    if (full) this.stale = true;
    else this.checkSelection = true;
    this.schedule();
  }

  /** Render everything now, in one go (benchmarks and tests: what a full render costs without the browser's paint). */
  renderAll(): void {
    this.stale = true;
    this.draw(Infinity);
  }

  /**
   * One animation frame. The last finished render (the "scene": the view plus a margin, at the view's
   * scale) is copied onto the visible canvas — moved during a pan, scaled during a zoom — so a frame
   * costs one drawImage whatever the number of shapes. A new render is started when the scene no longer
   * covers the view (panned past its margin, zoomed more than 2×), when the view has been still for
   * SETTLE_MS and the copy is blurred, or when everything changed; it is drawn in batches within
   * FRAME_BUDGET_MS per frame and swapped in when finished. A few changed shapes are repainted in place.
   */
  draw(budget = FRAME_BUDGET_MS): void {
    const start = performance.now();
    this.lastDrawAt = start;
    // What the layer holds, for people's tools and tests: the frame shown and how many shapes it has.
    this.canvas.dataset.frame = String(this.frame);
    this.canvas.dataset.shapes = String(this.index.size);
    const t = this.surface.transform();
    const ctx = this.context();
    const vp = this.viewport();
    if (!ctx) {
      // No canvas (jsdom): the index, culling and bookkeeping still work.
      this.lastDrawn = this.visible(vp).reduce((n, [, l]) => n + l.length, 0);
      this.stale = false;
      this.dirty = [];
      this.checkSelection = false;
      return;
    }
    if (this.checkSelection) this.diffSelection();
    if (this.dirty.length) {
      if (this.front) this.repaint(this.front, this.dirty);
      if (this.job) this.stale = true; // it may have drawn the old state already
      this.dirty = [];
    }
    const front = this.front;
    if (this.stale) this.startJob(t);
    else if (this.job) {
      if (!covers(this.job.scene, vp, t.scale)) this.startJob(t); // the view went elsewhere: render that instead
    } else if (!front || !covers(front, vp, t.scale)) this.startJob(t);
    else if (blurred(front, t)) this.sharpenLater(t, start);
    if (this.job && this.advance(this.job, budget === Infinity ? Infinity : start + budget)) {
      this.spare = this.front?.canvas ?? null;
      this.front = this.job.scene;
      this.lastDrawn = this.job.count;
      this.job = null;
    }
    this.show(ctx, t);
    if (this.job) this.schedule();
  }

  /** A sharp render once the view has been still for SETTLE_MS. */
  private sharpenLater(t: ViewTransform, now: number): void {
    const wait = this.lastViewChange + SETTLE_MS - now;
    if (wait <= 0) {
      this.startJob(t);
      return;
    }
    if (this.settle !== null) clearTimeout(this.settle);
    this.settle = setTimeout(() => {
      this.settle = null;
      this.schedule();
    }, wait);
  }

  /** Put the scene on the visible canvas for view `t` (shifted, or scaled while zooming); the first render shows as it grows. */
  private show(ctx: CanvasRenderingContext2D, t: ViewTransform): void {
    const partial = !this.front && this.job !== null;
    const scene = this.front ?? this.job?.scene ?? null;
    const last = this.shown;
    const same = last.view && last.view.scale === t.scale && last.view.offsetX === t.offsetX && last.view.offsetY === t.offsetY;
    if (!partial && !last.partial && last.scene === scene && same) return;
    this.shown = { scene, view: { ...t }, partial };
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    if (!scene) return;
    const dpr = scene.dpr;
    const r = t.scale / scene.view.scale;
    const dx = r * (-scene.margin - scene.view.offsetX) + t.offsetX;
    const dy = r * (-scene.margin - scene.view.offsetY) + t.offsetY;
    // A scaled stand-in lasts only until the view settles: nearest-neighbour is cheaper and good enough.
    ctx.imageSmoothingEnabled = r === 1;
    // Only the part of the scene that lands on the canvas: software raster (no GPU) pays per source pixel too.
    const ox = dx * dpr;
    const oy = dy * dpr;
    const sx0 = Math.max(0, Math.floor(-ox / r));
    const sy0 = Math.max(0, Math.floor(-oy / r));
    const sx1 = Math.min(scene.canvas.width, Math.ceil((this.canvas.width - ox) / r));
    const sy1 = Math.min(scene.canvas.height, Math.ceil((this.canvas.height - oy) / r));
    if (sx1 <= sx0 || sy1 <= sy0) return;
    const sw = sx1 - sx0;
    const sh = sy1 - sy0;
    ctx.drawImage(scene.canvas, sx0, sy0, sw, sh, ox + sx0 * r, oy + sy0 * r, sw * r, sh * r);
  }

  /** Begin rendering view `t` (replacing a render under way); the visible scene stays until it is done. */
  private startJob(t: ViewTransform): void {
    if (this.settle !== null) clearTimeout(this.settle);
    this.settle = null;
    this.stale = false;
    this.dirty = [];
    const dpr = globalThis.devicePixelRatio || 1;
    const w = this.surface.overlayHost.clientWidth;
    const h = this.surface.overlayHost.clientHeight;
    const margin = SCENE_MARGIN;
    const canvas = this.job?.scene.canvas ?? this.spare ?? document.createElement('canvas');
    if (canvas === this.spare) this.spare = null;
    const cw = Math.round((w + 2 * margin) * dpr);
    const ch = Math.round((h + 2 * margin) * dpr);
    if (canvas.width !== cw) canvas.width = cw;
    if (canvas.height !== ch) canvas.height = ch;
    // Read back one pixel per batch (see advance): a CPU canvas makes that cheap.
    const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, cw, ch);
    const scene: Scene = { canvas, ctx, view: t, margin, w, h, dpr, selected: new Set(this.options.selected?.() ?? []) };
    const groups = this.visible(sceneRect(scene));
    const count = groups.reduce((n, [, l]) => n + l.length, 0);
    this.job = { scene, groups, group: 0, next: 0, batch: this.job?.batch ?? 200, count };
  }

  /** Draw batches of the job until `deadline`; true when it is finished. */
  private advance(job: Job, deadline: number): boolean {
    const { ctx } = job.scene;
    const view = sceneView(job.scene);
    while (job.group < job.groups.length) {
      const [style, records] = job.groups[job.group]!;
      const end = Math.min(records.length, job.next + job.batch);
      const t0 = performance.now();
      this.drawBatch(ctx, records, job.next, end, style, view, job.scene.selected);
      // Canvas commands are recorded and rasterised later; reading a pixel makes them rasterise now, so
      // the cost lands in this frame's budget rather than in one long frame at the end.
      if (deadline !== Infinity) ctx.getImageData(0, 0, 1, 1);
      const took = performance.now() - t0;
      const n = end - job.next;
      if (took > 0.05) job.batch = Math.max(16, Math.min(5000, Math.round((n * BATCH_MS) / took)));
      job.next = end;
      if (end >= records.length) {
        job.group++;
        job.next = 0;
      }
      if (performance.now() >= deadline) return job.group >= job.groups.length;
    }
    return true;
  }

  /** Repaint the rects (image px) of a finished scene: clear each and draw again every shape meeting it. */
  private repaint(scene: Scene, rects: readonly Rect[]): void {
    const view = sceneView(scene);
    const { ctx } = scene;
    const many = rects.length > 8;
    for (const r of many ? [union(rects)] : rects) {
      const x0 = Math.max(0, Math.floor(r.x * view.s + view.ox) - DIRTY_PAD);
      const y0 = Math.max(0, Math.floor(r.y * view.s + view.oy) - DIRTY_PAD);
      const x1 = Math.min(scene.canvas.width, Math.ceil((r.x + r.w) * view.s + view.ox) + DIRTY_PAD);
      const y1 = Math.min(scene.canvas.height, Math.ceil((r.y + r.h) * view.s + view.oy) + DIRTY_PAD);
      if (x1 <= x0 || y1 <= y0) continue;
      ctx.save();
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.beginPath();
      ctx.rect(x0, y0, x1 - x0, y1 - y0);
      ctx.clip();
      ctx.clearRect(x0, y0, x1 - x0, y1 - y0);
      // Shapes whose own pad (circles, wide strokes) reaches into the rect count too.
      const pad = DIRTY_PAD / view.s;
      const area = { x: (x0 - view.ox) / view.s - pad, y: (y0 - view.oy) / view.s - pad, w: (x1 - x0) / view.s + 2 * pad, h: (y1 - y0) / view.s + 2 * pad };
      for (const [style, records] of this.visible(area)) this.drawBatch(ctx, records, 0, records.length, style, view, scene.selected);
      ctx.restore();
    }
    this.shown = { scene: null, view: null, partial: false }; // show it again
  }

  /** Compare the selection with what the scene highlights; the shapes that differ are repainted. */
  private diffSelection(): void {
    this.checkSelection = false;
    const now = new Set(this.options.selected?.() ?? []);
    const scene = this.front ?? this.job?.scene;
    if (!scene) return;
    const changed = [...scene.selected].filter((k) => !now.has(k)).concat([...now].filter((k) => !scene.selected.has(k)));
    if (!changed.length) return;
    if (this.job) this.stale = true; // a render under way started from the old selection
    if (this.front) {
      this.front.selected = now;
      this.markDirty(changed);
    }
  }

  private drawBatch(
    ctx: CanvasRenderingContext2D,
    records: readonly AnnotationRecord[],
    from: number,
    to: number,
    style: LabelStyle,
    view: View,
    selected: ReadonlySet<string>,
  ): void {
    const fill = new Path2D();
    const line = new Path2D();
    const highlight = new Path2D();
    let lines = 0;
    let highlights = 0;
    for (let i = from; i < to; i++) {
      const r = records[i]!;
      if (r.shape.kind === 'mask') {
        this.drawMask(ctx, r.shape, style, view);
        continue;
      }
      if (selected.has(r.key)) {
        addShape(r.shape, highlight, fill, view);
        highlights++;
      } else {
        addShape(r.shape, line, fill, view);
        lines++;
      }
    }
    ctx.strokeStyle = style.color;
    ctx.fillStyle = style.color;
    ctx.globalAlpha = 0.2 * style.opacity;
    ctx.fill(fill);
    ctx.globalAlpha = style.opacity;
    if (lines) {
      ctx.lineWidth = 1;
      ctx.stroke(line);
    }
    if (highlights) {
      ctx.lineWidth = 3;
      ctx.stroke(highlight);
    }
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
      this.shown = { scene: null, view: null, partial: false };
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

/**
 * Add one shape to the batched paths in device pixels; sub-pixel detail is dropped, tiny shapes become a dot.
 * Polygons are closed by a line back to their first vertex, not closePath(): in Chromium closePath() on a
 * Path2D holding many subpaths costs time proportional to the path (it made a 2,000-polygon render ~200 ms).
 * Fills close subpaths by themselves.
 */
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
      if (!pts.length) return;
      const closed = shape.kind === 'polygon';
      let px = pts[0]!.x * s + ox;
      let py = pts[0]!.y * s + oy;
      const x0 = px;
      const y0 = py;
      let minX = px;
      let maxX = px;
      let minY = py;
      let maxY = py;
      for (let i = 1; i < pts.length; i++) {
        const x = pts[i]!.x * s + ox;
        const y = pts[i]!.y * s + oy;
        if (x < minX) minX = x;
        else if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        else if (y > maxY) maxY = y;
      }
      if (maxX - minX < DOT_PX && maxY - minY < DOT_PX) {
        line.rect(Math.floor(minX), Math.floor(minY), 1, 1);
        return;
      }
      line.moveTo(px, py);
      if (closed) fill.moveTo(px, py);
      const last = pts.length - 1;
      for (let i = 1; i <= last; i++) {
        const x = pts[i]!.x * s + ox;
        const y = pts[i]!.y * s + oy;
        if (i < last && Math.abs(x - px) < 1 && Math.abs(y - py) < 1) continue;
        line.lineTo(x, y);
        if (closed) fill.lineTo(x, y);
        px = x;
        py = y;
      }
      if (closed) line.lineTo(x0, y0);
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

/** The 32-bit word a Uint32Array view of RGBA bytes reads for colour [r, g, b] at full alpha (byte order of the platform). */
export function rgbaWord([r, g, b]: [number, number, number]): number {
  const bytes = new Uint8Array([r, g, b, 255]);
  return new Uint32Array(bytes.buffer)[0]!;
}

/** RGBA for bits[from, to): the colour where set, transparent elsewhere (one 32-bit write per pixel). */
export function paintPixels(data: Uint8ClampedArray, bits: Uint8Array, from: number, to: number, colour: [number, number, number]): void {
  const on = rgbaWord(colour);
  const n = to - from;
  if (data.byteOffset % 4 === 0) {
    const words = new Uint32Array(data.buffer, data.byteOffset, n);
    for (let i = 0; i < n; i++) words[i] = bits[from + i] ? on : 0;
    return;
  }
  const [r, g, b] = colour;
  for (let i = 0; i < n; i++) {
    const o = i * 4;
    data[o] = r;
    data[o + 1] = g;
    data[o + 2] = b;
    data[o + 3] = bits[from + i] ? 255 : 0;
  }
}
