// Union (Shift) and subtraction (Alt) of a new shape with the shapes of its label underneath (polygon-clipping).
import polygonClipping, { type MultiPolygon, type Polygon as ClipPolygon } from 'polygon-clipping';
import { batchCommand, createCommand, deleteCommand, updateCommand, type Command } from '../core/commands';
import type { Point } from '../core/geometry';
import { combineMasks, cropToContent } from '../core/shapes/mask';
import { ringArea, shapeBounds, type MaskShape, type PolygonShape, type Shape } from '../core/shapes/model';
import type { AnnotationRecord, AnnotationStore } from '../core/store';
import type { CombineMode } from './types';

export class CombineError extends Error {
  override name = 'CombineError';
}

function toClip(points: readonly Point[]): ClipPolygon {
  return [points.map((p) => [p.x, p.y] as [number, number])];
}

/** Outer rings of a clipping result as polygons (the API's polygons have no holes). */
function fromClip(result: MultiPolygon): PolygonShape[] {
  return result.map((poly) => {
    if (poly.length > 1) throw new CombineError('a polygon cannot have a hole; use a mask label for that');
    const ring = poly[0]!.slice(0, -1).map(([x, y]) => ({ x, y })); // polygon-clipping repeats the first point
    return { kind: 'polygon' as const, points: ring };
  }).filter((p) => p.points.length >= 3 && Math.abs(ringArea(p.points)) > 0);
}

function overlaps(a: Shape, b: Shape): boolean {
  const ra = shapeBounds(a);
  const rb = shapeBounds(b);
  return !!ra && !!rb && ra.x <= rb.x + rb.w && rb.x <= ra.x + ra.w && ra.y <= rb.y + rb.h && rb.y <= ra.y + ra.h;
}

/**
 * The command for a finished shape: a plain create, or (union/subtract) edits of the overlapping shapes of
 * the same label and frame. Union merges all of them and the new shape into the first; subtract cuts the
 * new shape out of each (a piece that falls apart becomes several annotations, one that vanishes is deleted).
 */
export function finishCommand(
  store: AnnotationStore,
  base: { label: number; frame: number; attributes: Record<string, unknown> },
  shape: Shape,
  mode: CombineMode,
): Command {
  const kinds = shape.kind === 'polygon' || shape.kind === 'mask';
  const targets: AnnotationRecord[] = kinds
    ? store
        .onFrame(base.frame)
        .filter((r) => r.label === base.label && r.shape.kind === shape.kind && overlaps(r.shape, shape))
    : [];
  if (mode === 'new' || targets.length === 0) {
    if (mode === 'subtract') throw new CombineError('nothing of this label underneath to subtract from');
    return createCommand({ ...base, shape });
  }
  return shape.kind === 'mask' ? combineMask(store, targets, shape, mode) : combinePolygon(store, targets, shape as PolygonShape, mode);
}

function combinePolygon(store: AnnotationStore, targets: AnnotationRecord[], shape: PolygonShape, mode: CombineMode): Command {
  const drawn = toClip(shape.points);
  const commands: Command[] = [];
  if (mode === 'union') {
    const rings = targets.map((t) => toClip((t.shape as PolygonShape).points));
    const pieces = fromClip(polygonClipping.union(drawn, ...rings));
    const [first, ...rest] = targets;
    // The union of overlapping pieces is usually one polygon; disjoint bounds-only neighbours stay separate.
    commands.push(updateCommand(store, first!.key, { shape: pieces[0]! }, 'Union'));
    for (const extra of pieces.slice(1)) commands.push(createCommand({ ...stateBase(first!), shape: extra }));
    commands.push(deleteCommand(store, rest.map((t) => t.key)));
    return batchCommand('Union', commands);
  }
  for (const t of targets) {
    const pieces = fromClip(polygonClipping.difference(toClip((t.shape as PolygonShape).points), drawn));
    if (pieces.length === 0) commands.push(deleteCommand(store, [t.key]));
    else commands.push(updateCommand(store, t.key, { shape: pieces[0]! }));
    for (const extra of pieces.slice(1)) commands.push(createCommand({ ...stateBase(t), shape: extra }));
  }
  return batchCommand('Subtract', commands);
}

function combineMask(store: AnnotationStore, targets: AnnotationRecord[], shape: MaskShape, mode: CombineMode): Command {
  const commands: Command[] = [];
  if (mode === 'union') {
    const [first, ...rest] = targets;
    let merged = shape;
    for (const t of targets) merged = combineMasks(merged, t.shape as MaskShape, 'union');
    commands.push(updateCommand(store, first!.key, { shape: cropToContent(merged)! }, 'Union'));
    commands.push(deleteCommand(store, rest.map((t) => t.key)));
    return batchCommand('Union', commands);
  }
  for (const t of targets) {
    const left = cropToContent(combineMasks(t.shape as MaskShape, shape, 'subtract'));
    commands.push(left ? updateCommand(store, t.key, { shape: left }) : deleteCommand(store, [t.key]));
  }
  return batchCommand('Subtract', commands);
}

function stateBase(r: AnnotationRecord) {
  return { label: r.label, frame: r.frame, attributes: r.attributes };
}
