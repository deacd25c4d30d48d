// Fill the frames between two annotated frames of one label, and copy a shape to the next frame.
import { batchCommand, createCommand, type Command } from './commands';
import { signedDistance } from './distance';
import type { Point, Size } from './geometry';
import { cropToContent, reframe } from './shapes/mask';
import { ringArea, type MaskShape, type Shape } from './shapes/model';
import type { AnnotationRecord, AnnotationState } from './store';

/** `n` points evenly spaced by arc length along a ring (closed) or a line (open). */
export function resample(points: readonly Point[], n: number, closed: boolean): Point[] {
  const path = closed ? [...points, points[0]!] : [...points];
  const lengths = [0];
  for (let i = 1; i < path.length; i++) {
    lengths.push(lengths[i - 1]! + Math.hypot(path[i]!.x - path[i - 1]!.x, path[i]!.y - path[i - 1]!.y));
  }
  const total = lengths[lengths.length - 1]!;
  const out: Point[] = [];
  let seg = 1;
  const steps = closed ? n : n - 1;
  for (let k = 0; k < n; k++) {
    const at = total === 0 ? 0 : (total * k) / steps;
    while (seg < path.length - 1 && lengths[seg]! < at) seg++;
    const a = path[seg - 1]!;
    const b = path[seg]!;
    const span = lengths[seg]! - lengths[seg - 1]!;
    const t = span > 0 ? (at - lengths[seg - 1]!) / span : 0;
    out.push({ x: a.x + t * (b.x - a.x), y: a.y + t * (b.y - a.y) });
  }
  return out;
}

/** Ring b turned to a's orientation and rotated so its vertices pair best with a's (least squares). */
export function alignRing(a: readonly Point[], b: readonly Point[]): Point[] {
  const ring = Math.sign(ringArea(a)) !== Math.sign(ringArea(b)) ? [...b].reverse() : [...b];
  const n = ring.length;
  let best = 0;
  let bestCost = Infinity;
  for (let shift = 0; shift < n; shift++) {
    let cost = 0;
    for (let i = 0; i < n && cost < bestCost; i++) {
      const p = a[i]!;
      const q = ring[(i + shift) % n]!;
      cost += (p.x - q.x) ** 2 + (p.y - q.y) ** 2;
    }
    if (cost < bestCost) {
      bestCost = cost;
      best = shift;
    }
  }
  return ring.map((_, i) => ring[(i + best) % n]!);
}

const lerp = (a: number, b: number, t: number) => a + (b - a) * t;
const lerpPoints = (a: readonly Point[], b: readonly Point[], t: number) =>
  a.map((p, i) => ({ x: lerp(p.x, b[i]!.x, t), y: lerp(p.y, b[i]!.y, t) }));

function centroid(m: MaskShape): Point {
  let sx = 0;
  let sy = 0;
  let n = 0;
  for (let row = 0; row < m.h; row++) {
    for (let col = 0; col < m.w; col++) {
      if (!m.bits[row * m.w + col]) continue;
      sx += col;
      sy += row;
      n++;
    }
  }
  return n ? { x: m.x + sx / n, y: m.y + sy / n } : { x: m.x, y: m.y };
}

/**
 * Shape-based interpolation: with their centroids laid on each other (so a moving object need not
 * overlap itself), blend the two masks' signed distance maps, keep where the blend is inside, and put
 * the result at the interpolated centroid, clipped to the image.
 */
export function interpolateMasks(a: MaskShape, b: MaskShape, ts: readonly number[], image: Size): (MaskShape | null)[] {
  const ca = centroid(a);
  const cb = centroid(b);
  const dx = Math.round(cb.x - ca.x);
  const dy = Math.round(cb.y - ca.y);
  const bb: MaskShape = { ...b, x: b.x - dx, y: b.y - dy };
  const margin = 2;
  const x = Math.min(a.x, bb.x) - margin;
  const y = Math.min(a.y, bb.y) - margin;
  const box = { x, y, w: Math.max(a.x + a.w, bb.x + bb.w) + margin - x, h: Math.max(a.y + a.h, bb.y + bb.h) + margin - y };
  const da = signedDistance(reframe(a, box).bits, box.w, box.h);
  const db = signedDistance(reframe(bb, box).bits, box.w, box.h);
  const whole = { x: 0, y: 0, w: image.width, h: image.height };
  return ts.map((t) => {
    const bits = new Uint8Array(box.w * box.h);
    for (let i = 0; i < bits.length; i++) bits[i] = (1 - t) * da[i]! + t * db[i]! < 0 ? 1 : 0;
    const placed = cropToContent({ kind: 'mask', ...box, x: box.x + Math.round(t * dx), y: box.y + Math.round(t * dy), bits });
    return placed && cropToContent(reframe(placed, clipBox(placed, whole)));
  });
}

function clipBox(r: { x: number; y: number; w: number; h: number }, to: typeof r) {
  const x = Math.max(r.x, to.x);
  const y = Math.max(r.y, to.y);
  return { x, y, w: Math.max(0, Math.min(r.x + r.w, to.x + to.w) - x), h: Math.max(0, Math.min(r.y + r.h, to.y + to.h) - y) };
}

/** Shapes for the parameters `ts` (0 = a, 1 = b) between two shapes of the same kind. */
export function interpolateShapes(a: Shape, b: Shape, ts: readonly number[], image: Size): (Shape | null)[] {
  if (a.kind === 'mask' && b.kind === 'mask') return interpolateMasks(a, b, ts, image);
  if ((a.kind === 'polygon' && b.kind === 'polygon') || (a.kind === 'polyline' && b.kind === 'polyline')) {
    const closed = a.kind === 'polygon';
    const n = Math.max(a.points.length, b.points.length, closed ? 32 : 16);
    const ra = resample(a.points, n, closed);
    const rb = closed ? alignRing(ra, resample(b.points, n, true)) : resample(b.points, n, false);
    return ts.map((t) => ({ kind: a.kind, points: lerpPoints(ra, rb, t) }));
  }
  if (a.kind === 'bbox' && b.kind === 'bbox') {
    return ts.map((t) => ({ kind: 'bbox', x: lerp(a.x, b.x, t), y: lerp(a.y, b.y, t), w: lerp(a.w, b.w, t), h: lerp(a.h, b.h, t) }));
  }
  if (a.kind === 'point' && b.kind === 'point') {
    return ts.map((t) => ({ kind: 'point', x: lerp(a.x, b.x, t), y: lerp(a.y, b.y, t) }));
  }
  throw new Error(`cannot interpolate a ${a.kind} with a ${b.kind}`);
}

/**
 * One undoable command creating the shapes of every frame strictly between a's and b's (same label),
 * skipping frames that already hold a shape of that label; they are new annotations the user can fix.
 */
export function interpolateCommand(
  a: AnnotationRecord,
  b: AnnotationRecord,
  image: Size,
  occupied: (frame: number) => boolean = () => false,
): Command {
  if (a.label !== b.label) throw new Error('interpolation needs two shapes of one label');
  const [first, last] = a.frame <= b.frame ? [a, b] : [b, a];
  const frames: number[] = [];
  for (let f = first.frame + 1; f < last.frame; f++) if (!occupied(f)) frames.push(f);
  const ts = frames.map((f) => (f - first.frame) / (last.frame - first.frame));
  const shapes = interpolateShapes(first.shape, last.shape, ts, image);
  const commands = shapes.flatMap((shape, i) =>
    shape ? [createCommand({ label: first.label, frame: frames[i]!, shape, attributes: { ...first.attributes } })] : [],
  );
  return batchCommand('Interpolate', commands);
}

/** The same shape on the next frame (or `frame`), as a new annotation. */
export function copyToFrameCommand(record: AnnotationState, frame: number = record.frame + 1): Command {
  const shape = record.shape.kind === 'mask' ? { ...record.shape, bits: record.shape.bits.slice() } : record.shape;
  return createCommand({ ...record, frame, shape, attributes: { ...record.attributes } }, undefined, 'Copy to next slice');
}

/**
 * The gaps to fill for one label's shapes of one kind: consecutive annotated frames at least two apart where
 * each holds exactly one such shape (a frame with several is ambiguous: no pair touches it). In frame order.
 */
export function keyframePairs(records: readonly AnnotationRecord[], label: number, kind: Shape['kind']): [AnnotationRecord, AnnotationRecord][] {
  const byFrame = new Map<number, AnnotationRecord[]>();
  for (const r of records) {
    if (r.label !== label || r.shape.kind !== kind) continue;
    const list = byFrame.get(r.frame) ?? [];
    list.push(r);
    byFrame.set(r.frame, list);
  }
  const frames = [...byFrame.keys()].sort((a, b) => a - b);
  const pairs: [AnnotationRecord, AnnotationRecord][] = [];
  for (let i = 1; i < frames.length; i++) {
    const a = byFrame.get(frames[i - 1]!)!;
    const b = byFrame.get(frames[i]!)!;
    if (frames[i]! - frames[i - 1]! >= 2 && a.length === 1 && b.length === 1) pairs.push([a[0]!, b[0]!]);
  }
  return pairs;
}
