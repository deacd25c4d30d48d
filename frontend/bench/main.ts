// Benchmark harness: pan/zoom frame intervals of the canvas layer vs an SVG overlay, list-to-screen time, brush latency.
import type { Annotation, LabelKind } from '../src/api/types';
import { Selection } from '../src/core/selection';
import { ApiClient, ApiError } from '../src/api/client';
import { CommandStack, createCommand, updateCommand } from '../src/core/commands';
import { apiTransport } from '../src/core/saveTransport';
import { SaveQueue, statusText } from '../src/core/saveQueue';
import { IndexedDbQueueStorage } from '../src/core/saveStorage';
import type { BulkRequest, SaveTransport } from '../src/core/saveTransport';
import { emptyMask, paintSegment } from '../src/core/shapes/mask';
import type { PolygonShape } from '../src/core/shapes/model';
import { AnnotationStore, recordFromAnnotation, type AnnotationRecord } from '../src/core/store';
import { brushTool } from '../src/tools/brushTool';
import type { ToolContext } from '../src/tools/types';
import { EditOverlay } from '../src/viewer/editOverlay';
import { ShapeLayer } from '../src/viewer/shapeLayer';
import { SvgOverlay } from './svgOverlay';
import { VirtualSurface } from './virtualSurface';

const SLIDE = { width: 40_000, height: 30_000 };
const view = document.getElementById('view')!;

/** Deterministic pseudo-random numbers (mulberry32), so every run draws the same polygons. */
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

/** n star-ish cell outlines of 20–50 vertices, 100–600 px across, spread over the slide, as the API lists them. */
export function annotations(n: number): Annotation[] {
  const rnd = random(n);
  return Array.from({ length: n }, (_, i) => {
    const cx = 600 + rnd() * (SLIDE.width - 1200);
    const cy = 600 + rnd() * (SLIDE.height - 1200);
    const r = 50 + rnd() * 250;
    const k = 20 + Math.floor(rnd() * 31);
    const points = Array.from({ length: k }, (_, j) => {
      const a = (2 * Math.PI * j) / k;
      const rr = r * (0.75 + 0.25 * rnd());
      return [Math.round((cx + rr * Math.cos(a)) * 100) / 100, Math.round((cy + rr * Math.sin(a)) * 100) / 100];
    });
    return {
      id: i + 1, image: 1, label: 1 + (i % 3), frame: 0, geometry: { points }, attributes: {}, author: null,
      created_at: '', updated_at: '', version: 1, source: 'human',
    };
  });
}

const labels = [1, 2, 3].map((id) => ({ id, name: `L${id}`, color: '', kind: 'polygon' as const, hotkey: null, attributes: [] }));
const nextFrame = () => new Promise<number>((resolve) => requestAnimationFrame((t) => resolve(t)));

let surface: VirtualSurface | null = null;
let layer: ShapeLayer | null = null;

/** Mean ms of `times` full (sharp, uncached, in one go) renders of the canvas layer at the current view, without the browser's paint. */
function drawTime(times: number): number {
  const t0 = performance.now();
  for (let i = 0; i < times; i++) {
    layer!.renderAll();
    layer!.canvas.getContext('2d')!.getImageData(0, 0, 1, 1); // rasterised, not only recorded
  }
  return (performance.now() - t0) / times;
}

/** Frames until the canvas layer has nothing left to render (every shape on screen, sharp). */
async function settled(): Promise<void> {
  const end = performance.now() + 60_000;
  while (layer && layer.rendering && performance.now() < end) await nextFrame();
}

/**
 * Build a viewer with n polygons drawn by `mode`; resolves with the ms from the list's JSON text to all of
 * them on screen, and to the first frame showing any (the canvas layer draws a big list over several frames).
 */
async function setup(mode: 'canvas' | 'svg', n: number): Promise<{ shown: number; first: number }> {
  surface?.destroy();
  view.replaceChildren();
  surface = new VirtualSurface(view, SLIDE);
  surface.fit();
  const text = JSON.stringify(annotations(n));
  await nextFrame();
  const t0 = performance.now();
  const list = JSON.parse(text) as Annotation[];
  if (mode === 'canvas') {
    const store = new AnnotationStore();
    store.putServer(list.map((a) => recordFromAnnotation(a, 'polygon', String(a.id))));
    layer = new ShapeLayer(surface, store, labels);
  } else {
    layer = null;
    new SvgOverlay(surface).setShapes(list.map((a) => recordFromAnnotation(a, 'polygon').shape as PolygonShape));
  }
  await nextFrame(); // the layer draws in this frame (the first batches of a big list: more follow, frame by frame)
  await nextFrame(); // … and they are on screen once the next one starts
  const first = performance.now() - t0;
  await settled();
  if (layer) await nextFrame();
  return { shown: performance.now() - t0, first };
}

/**
 * Frame intervals (ms) over `frames` frames, each frame moving the view a step:
 * - pan: 12/5 px to and fro (stays within the layer's margin), zoom: 4 % in and out (within 2.2×);
 * - sweep: 24/9 px on in one direction (leaves the rendered area again and again);
 * - dive: 5 % in for 30 frames then out for 30 (past 2× both ways);
 * - gesture: 20 frames of pan, 12 still, 20 of zoom, 12 still… (every pause lets a sharp render run).
 */
async function motion(kind: 'pan' | 'zoom' | 'sweep' | 'dive' | 'gesture', frames: number): Promise<number[]> {
  const s = surface!;
  const intervals: number[] = [];
  let last = await nextFrame();
  for (let i = 0; i < frames; i++) {
    if (kind === 'pan') s.panBy(i % 40 < 20 ? 12 : -12, i % 80 < 40 ? 5 : -5);
    else if (kind === 'zoom') s.zoomBy(i % 40 < 20 ? 1.04 : 1 / 1.04, { x: 640, y: 400 });
    else if (kind === 'sweep') s.panBy(-24, -9);
    else if (kind === 'dive') s.zoomBy(i % 60 < 30 ? 1.05 : 1 / 1.05, { x: 640, y: 400 });
    else {
      const phase = i % 64;
      if (phase < 20) s.panBy(phase < 10 ? 15 : -15, 6);
      else if (phase >= 32 && phase < 52) s.zoomBy(i % 128 < 64 ? 1.05 : 1 / 1.05, { x: 700, y: 380 });
    }
    const t = await nextFrame();
    intervals.push(t - last);
    last = t;
  }
  return intervals;
}

/** Zoom to a view of the slide at `scale` element px per image px around its centre. */
function zoomTo(scale: number): void {
  const s = surface!;
  s.zoomBy(scale / s.transform().scale, s.imageToElement({ x: SLIDE.width / 2, y: SLIDE.height / 2 }));
  const c = s.imageToElement({ x: SLIDE.width / 2, y: SLIDE.height / 2 });
  s.panBy(640 - c.x, 400 - c.y);
}

/** ms per pointer-move event of a brush stroke on a 2,048² mask (paint + the overlay's dirty-rect repaint). */
async function brush(sizePx: number, moves: number): Promise<number[]> {
  surface?.destroy();
  view.replaceChildren();
  const image = { width: 2048, height: 2048 };
  surface = new VirtualSurface(view, image);
  surface.fit();
  const store = new AnnotationStore();
  // A mask already covering the image (2,048² bitmap), so the stroke paints into the full-size buffer.
  const base = paintSegment(emptyMask(0, 0, 0, 0), { x: 0, y: 0 }, { x: 2048, y: 2048 }, 30, 1, image).mask;
  const full = paintSegment(base, { x: 2048, y: 0 }, { x: 0, y: 2048 }, 30, 1, image).mask;
  store.putServer([{ key: 'm', id: 1, version: 1, label: 1, frame: 0, shape: full, attributes: {} }]);
  const overlay = new EditOverlay(surface);
  const selection = new Selection();
  selection.set(['m']);
  const ctx: ToolContext = {
    scale: surface.transform().scale, image, frame: 0, label: { ...labels[0]!, kind: 'mask' }, store, selection,
    hitTest: () => [], finish: () => undefined, commit: () => undefined, draft: (d) => overlay.show(d),
  };
  const tool = brushTool.create();
  for (let i = 0; i < Math.round(Math.log(sizePx / 20) / Math.log(1.25)); i++) tool.key!(']', ctx);
  const at = (i: number) => ({ p: { x: 200 + (i * 7) % 1600, y: 1024 + 600 * Math.sin(i / 15) }, shift: false, alt: false, ctrl: false });
  tool.down(at(0), ctx);
  const times: number[] = [];
  for (let i = 1; i <= moves; i++) {
    const t0 = performance.now();
    tool.move(at(i), ctx);
    times.push(performance.now() - t0);
    if (i % 10 === 0) await nextFrame();
  }
  tool.up(at(moves), ctx);
  return times;
}

/** RGBA of the canvas layer's pixel at element point `p` (CSS px; device px ratio taken into account). */
function pixel(p: { x: number; y: number }): number[] {
  const dpr = globalThis.devicePixelRatio || 1;
  const ctx = layer!.canvas.getContext('2d')!;
  return [...ctx.getImageData(Math.floor(p.x * dpr), Math.floor(p.y * dpr), 1, 1).data];
}

/**
 * Where the canvas layer's pixels are (tests/e2e): three squares (two labels), looked at through the
 * surface's own transform after a pan and a zoom — during the gesture (the scaled stand-in) and once
 * settled (sharp) — then with one selected, one moved, one label hidden and one at half opacity.
 */
async function pixelCheck(): Promise<Record<string, unknown>> {
  surface?.destroy();
  view.replaceChildren();
  surface = new VirtualSurface(view, SLIDE);
  surface.fit();
  const store = new AnnotationStore();
  const square = (key: string, label: number, x: number, y: number, size: number): AnnotationRecord => ({
    key, id: null, version: null, label, frame: 0, attributes: {},
    shape: { kind: 'polygon', points: [{ x, y }, { x: x + size, y }, { x: x + size, y: y + size }, { x, y: y + size }] },
  });
  store.putServer([square('a', 1, 10_000, 10_000, 2_000), square('b', 2, 13_500, 11_500, 1_000), square('c', 1, 11_000, 13_000, 800)]);
  let selected: string[] = [];
  layer = new ShapeLayer(surface, store, labels, { selected: () => selected });
  const s = surface;
  /** Probes of a square: its centre, 1 px inside its left edge (the outline), and 6 px outside its left edge. */
  const probe = (key: string) => {
    const pts = (store.get(key)!.shape as PolygonShape).points;
    const tl = s.imageToElement(pts[0]!);
    const br = s.imageToElement(pts[2]!);
    const midY = (tl.y + br.y) / 2;
    return {
      centre: pixel({ x: (tl.x + br.x) / 2, y: midY }),
      edge: pixel({ x: tl.x + 0.2, y: midY }),
      outside: pixel({ x: tl.x - 6, y: midY }),
      beyond: pixel({ x: tl.x - 1.2, y: midY }),
    };
  };
  const out: Record<string, unknown> = {};
  await settled();
  out.fit = probe('a');
  s.panBy(-137, 61);
  const around = s.imageToElement({ x: 11_000, y: 11_000 });
  s.zoomBy(1.5, around);
  await nextFrame();
  await nextFrame();
  out.gesture = { a: probe('a'), rendering: layer.rendering }; // the last render scaled, a sharp one to come
  s.zoomBy(3.5, around);
  await settled();
  out.settled = { a: probe('a'), b: probe('b'), scale: s.transform().scale };
  selected = ['a'];
  layer.invalidate();
  await settled();
  out.selected = probe('a');
  const before = probe('c');
  store.apply([{ key: 'c', state: { ...store.get('c')!, shape: square('c', 1, 12_500, 10_500, 500).shape } }]);
  await settled();
  out.moved = { before, oldPlace: pixel(s.imageToElement({ x: 11_400, y: 13_400 })), after: probe('c') };
  layer.setLabelStyle(2, { visible: false });
  await settled();
  out.hidden = probe('b');
  layer.setLabelStyle(2, { visible: true, opacity: 0.5 });
  await settled();
  out.halfOpacity = probe('b');
  out.colors = { a: layer.style(1)!.color, b: layer.style(2)!.color };
  return out;
}

/** For the reload test (tests/e2e): a save queue on IndexedDB whose server is offline, then one that answers. */
function queueOn(transport: SaveTransport) {
  const store = new AnnotationStore();
  const open = SaveQueue.open({
    imageId: 7, store, transport, kindOf: () => 'bbox', storage: new IndexedDbQueueStorage(), delayMs: 0,
    backoff: { baseMs: 60_000, maxMs: 60_000 },
  });
  return { store, open };
}

async function until(check: () => boolean): Promise<void> {
  const end = performance.now() + 30_000; // generous: the test machine is shared
  while (!check() && performance.now() < end) await new Promise((r) => setTimeout(r, 10));
}

/** Draw two boxes while offline; resolves with the status text once the queue gave up for now. */
async function drawOffline(): Promise<string> {
  const offline: SaveTransport = {
    bulk: async () => { throw new ApiError(0, { detail: 'Network error', code: 'network_error' }); },
    annotation: async () => null,
    annotations: async () => { throw new ApiError(0, { detail: 'Network error', code: 'network_error' }); },
  };
  const { store, open } = queueOn(offline);
  const queue = await open;
  queue.load([]);
  const shape = (x: number) => ({ label: 1, frame: 0, shape: { kind: 'bbox' as const, x, y: 5, w: 10, h: 10 }, attributes: {} });
  store.apply([{ key: 'one', state: shape(1) }, { key: 'two', state: shape(2) }]);
  await until(() => queue.status.kind === 'offline');
  return statusText(queue.status);
}

/** After a reload: the queue restored from IndexedDB sends what was drawn; resolves with what the server got. */
async function resumeOnline(): Promise<{ status: string; requests: BulkRequest[]; shown: string[] }> {
  const requests: BulkRequest[] = [];
  const online: SaveTransport = {
    bulk: async (_id, body) => {
      requests.push(body);
      const created = body.create.map((c, i) => ({ ...annotations(1)[0]!, ...c, id: 500 + i, version: 1 }) as Annotation);
      return { created, updated: [], deleted: [] };
    },
    annotation: async () => null,
    annotations: async () => [],
  };
  const { store, open } = queueOn(online);
  const queue = await open;
  queue.load([]);
  const shown = store.all().map((r) => r.key);
  await until(() => queue.status.kind === 'saved');
  await queue.idle();
  return { status: statusText(queue.status), requests, shown };
}

/** Against the real API (tests/e2e serves this page on the live server's origin): one queue, kept between calls. */
let live: { store: AnnotationStore; queue: SaveQueue; stack: CommandStack } | null = null;

async function liveOpen(imageId: number, kinds: Record<number, LabelKind>) {
  const api = new ApiClient();
  const store = new AnnotationStore();
  const queue = await SaveQueue.open({
    imageId, store, transport: apiTransport(api), kindOf: (id) => kinds[id]!, storage: new IndexedDbQueueStorage(), delayMs: 0,
  });
  queue.load(await api.annotations(imageId));
  live = { store, queue, stack: new CommandStack(store) };
}

async function liveSettled(): Promise<string> {
  const q = live!.queue;
  await until(() => q.status.kind !== 'saving' && q.pending.length === 0 || q.status.kind === 'conflict' || q.status.kind === 'failed');
  await q.idle();
  return statusText(q.status);
}

/** Draw a box, a polygon and a brushed mask with these labels; resolves with the status and the mask's pixel count. */
async function liveDraw(labelsByKind: { bbox: number; polygon: number; mask: number }): Promise<{ status: string; maskArea: number; keys: string[] }> {
  const image = { width: 300, height: 200 };
  const mask = paintSegment(emptyMask(0, 0, 0, 0), { x: 40, y: 50 }, { x: 90, y: 70 }, 12, 1, image).mask;
  const commands = [
    createCommand({ label: labelsByKind.bbox, frame: 0, shape: { kind: 'bbox', x: 10.5, y: 20, w: 30, h: 40 }, attributes: {} }, 'box'),
    createCommand({ label: labelsByKind.polygon, frame: 0, shape: { kind: 'polygon', points: [{ x: 100, y: 10 }, { x: 150, y: 12.25 }, { x: 120, y: 60 }] }, attributes: {} }, 'poly'),
    createCommand({ label: labelsByKind.mask, frame: 0, shape: mask, attributes: {} }, 'mask'),
  ];
  for (const c of commands) live!.stack.execute(c);
  const status = await liveSettled();
  let area = 0;
  for (const b of mask.bits) area += b;
  return { status, maskArea: area, keys: live!.store.all().map((r) => `${r.key}:${r.id}:${r.version}`) };
}

/** Move the box; resolves with the status and, on a conflict, both versions. */
async function liveMoveBox(x: number): Promise<{ status: string; mine?: unknown; theirs?: unknown }> {
  const { store, stack, queue } = live!;
  stack.execute(updateCommand(store, 'box', { shape: { kind: 'bbox', x, y: 20, w: 30, h: 40 } }));
  const status = await liveSettled();
  const item = queue.conflict?.items[0];
  return { status, mine: item?.mine?.shape, theirs: item?.theirs?.geometry };
}

async function liveResolve(keepMine: boolean): Promise<{ status: string; box: unknown }> {
  const { queue, store } = live!;
  if (keepMine) queue.conflict!.keepMine();
  else queue.conflict!.takeTheirs();
  const status = await liveSettled();
  const box = store.get('box')!;
  return { status, box: { shape: box.shape, id: box.id, version: box.version } };
}

Object.assign(window, {
  bench: { setup, drawTime, settled, pixelCheck, motion, zoomTo, brush, annotations, drawOffline, resumeOnline, liveOpen, liveDraw, liveMoveBox, liveResolve },
});
document.title = 'bench ready';
