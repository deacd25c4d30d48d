// An rbush spatial index of one frame's shapes: what lies in a viewport, what lies under the pointer.
import RBush from 'rbush';
import type { Point, Rect } from './geometry';
import { hitShape } from './shapes/hit';
import { shapeBounds } from './shapes/model';
import type { AnnotationRecord } from './store';

export interface IndexItem {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
  record: AnnotationRecord;
}

export class ShapeIndex {
  private readonly tree = new RBush<IndexItem>();
  private readonly items = new Map<string, IndexItem>();
  /** Insertion order, so later shapes are "on top" for hit-testing as they are when drawn. */
  private readonly order = new Map<string, number>();
  private next = 0;

  get size(): number {
    return this.items.size;
  }

  /** Replace everything (bulk-loaded: much faster than one insert per shape). */
  reset(records: readonly AnnotationRecord[]): void {
    this.tree.clear();
    this.items.clear();
    this.order.clear();
    const items = records.flatMap((r) => this.item(r) ?? []);
    this.tree.load(items);
  }

  upsert(record: AnnotationRecord): void {
    this.remove(record.key);
    const item = this.item(record);
    if (item) this.tree.insert(item);
  }

  remove(key: string): void {
    const item = this.items.get(key);
    if (!item) return;
    this.tree.remove(item);
    this.items.delete(key);
  }

  /** Image-space bounds of a shape in the index (null when absent or a tag). */
  bounds(key: string): Rect | null {
    const i = this.items.get(key);
    return i ? { x: i.minX, y: i.minY, w: i.maxX - i.minX, h: i.maxY - i.minY } : null;
  }

  /** Records whose bounds meet the rect, in drawing order. */
  search(r: Rect): AnnotationRecord[] {
    const found = this.tree.search({ minX: r.x, minY: r.y, maxX: r.x + r.w, maxY: r.y + r.h });
    found.sort((a, b) => this.order.get(a.record.key)! - this.order.get(b.record.key)!);
    return found.map((i) => i.record);
  }

  /** Keys of shapes touching `p` within `tolerance`, the closest first and, among equals, the topmost. */
  hitTest(p: Point, tolerance: number): string[] {
    const near = this.search({ x: p.x - tolerance, y: p.y - tolerance, w: 2 * tolerance, h: 2 * tolerance });
    return near
      .map((r, i) => ({ key: r.key, d: hitShape(r.shape, p, tolerance), i }))
      .filter((h): h is { key: string; d: number; i: number } => h.d !== null)
      .sort((a, b) => a.d - b.d || b.i - a.i)
      .map((h) => h.key);
  }

  private item(record: AnnotationRecord): IndexItem | null {
    const b = shapeBounds(record.shape);
    if (!b) return null; // tags have no place in the image
    const item = { minX: b.x, minY: b.y, maxX: b.x + b.w, maxY: b.y + b.h, record };
    this.items.set(record.key, item);
    this.order.set(record.key, this.next++);
    return item;
  }
}
