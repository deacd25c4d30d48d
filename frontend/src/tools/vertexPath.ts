// Shared by Polygon and Polyline: vertices placed by clicks, a rubber band to the pointer, freehand by dragging.
import { clampPoint, type Point } from '../core/geometry';
import { FREEHAND_PX, type Tool, type ToolContext, type ToolPointer } from './types';

/** The path being drawn. Freehand: a press that moves FREEHAND_PX screen px before release. */
export class VertexPath {
  points: Point[] = [];
  private pressed: Point | null = null;
  freehand = false;
  combine: { shift: boolean; alt: boolean } = { shift: false, alt: false };

  get active(): boolean {
    return this.points.length > 0 || this.pressed !== null;
  }

  press(e: ToolPointer, ctx: ToolContext): void {
    this.pressed = clampPoint(e.p, ctx.image);
    if (this.points.length === 0) this.combine = { shift: e.shift, alt: e.alt };
  }

  /** Returns the points to preview (with the rubber band to the pointer). */
  drag(e: ToolPointer, ctx: ToolContext): Point[] {
    const p = clampPoint(e.p, ctx.image);
    if (this.pressed && !this.freehand && Math.hypot(p.x - this.pressed.x, p.y - this.pressed.y) * ctx.scale >= FREEHAND_PX) {
      this.freehand = true;
      this.points.push(this.pressed);
    }
    if (this.freehand && this.pressed) {
      const last = this.points[this.points.length - 1]!;
      // Keep a vertex every ~2 screen px: smooth on screen, not thousands of points.
      if (Math.hypot(p.x - last.x, p.y - last.y) * ctx.scale >= 2) this.points.push(p);
      return this.points;
    }
    return this.points.length ? [...this.points, p] : [];
  }

  /** Release: a click adds its vertex; the end of a freehand drag reports true (the path is done). */
  release(): boolean {
    const pressed = this.pressed;
    this.pressed = null;
    if (this.freehand) return true;
    if (pressed) this.points.push(pressed);
    return false;
  }

  /** A double click also delivered two clicks; drop the duplicate vertex they left. */
  dropDoubleClickVertex(): void {
    const n = this.points.length;
    if (n >= 2) {
      const a = this.points[n - 1]!;
      const b = this.points[n - 2]!;
      if (Math.hypot(a.x - b.x, a.y - b.y) < 1e-6) this.points.pop();
    }
  }

  reset(): void {
    this.points = [];
    this.pressed = null;
    this.freehand = false;
  }
}

/** Polygon and Polyline differ only in how a press may close the path and in what they finish. */
export abstract class PathTool implements Tool {
  protected readonly path = new VertexPath();
  protected abstract readonly kind: 'polygon' | 'polyline';

  /** Called before a press adds a vertex; true when it finished the path instead. */
  protected closesAt(_e: ToolPointer, _ctx: ToolContext): boolean {
    return false;
  }

  protected abstract complete(points: Point[], combine: { shift: boolean; alt: boolean }, ctx: ToolContext): void;

  down(e: ToolPointer, ctx: ToolContext): boolean {
    if (!ctx.label) return false;
    if (this.closesAt(e, ctx)) this.end(ctx);
    else this.path.press(e, ctx);
    return true;
  }

  move(e: ToolPointer, ctx: ToolContext): void {
    const points = this.path.drag(e, ctx);
    if (points.length) ctx.draft({ shape: { kind: this.kind, points }, vertices: this.path.points });
  }

  up(_e: ToolPointer, ctx: ToolContext): void {
    if (this.path.release()) this.end(ctx);
  }

  doubleClick(_e: ToolPointer, ctx: ToolContext): void {
    this.path.dropDoubleClickVertex();
    this.end(ctx);
  }

  /** Enter finishes the path; Backspace takes back its last vertex (the last one gone: nothing is drawn). */
  key(key: string, ctx: ToolContext): boolean {
    if (!this.path.active) return false;
    if (key === 'Enter') {
      this.end(ctx);
      return true;
    }
    if (key !== 'Backspace') return false;
    this.path.points.pop();
    if (this.path.points.length === 0) this.cancel(ctx);
    else ctx.draft({ shape: { kind: this.kind, points: this.path.points }, vertices: this.path.points });
    return true;
  }

  cancel(ctx: ToolContext): boolean {
    const had = this.path.active;
    this.path.reset();
    ctx.draft(null);
    return had;
  }

  protected end(ctx: ToolContext): void {
    const points = this.path.points;
    const combine = this.path.combine;
    this.path.reset();
    ctx.draft(null);
    this.complete(points, combine, ctx);
  }
}
