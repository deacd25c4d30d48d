// Select tool (V): pick (Shift adds), move, drag vertices and box handles, insert on an edge, Alt+click removes, Delete.
import { batchCommand, deleteCommand, updateCommand, type Command } from '../core/commands';
import type { Point } from '../core/geometry';
import { handleAt, insertVertex, moveVertex, removeVertex, resizeBox, type Handle } from '../core/shapes/edit';
import { nearestEdge, nearestVertex, shapeVertices } from '../core/shapes/hit';
import { translateShape, type Shape } from '../core/shapes/model';
import { HIT_PX, type Tool, type ToolContext, type ToolDefinition, type ToolPointer } from './types';

type Grab =
  | { kind: 'move'; keys: string[] }
  | { kind: 'vertex'; key: string; index: number; inserted: Shape | null }
  | { kind: 'handle'; key: string; handle: Handle };

class SelectTool implements Tool {
  private grab: Grab | null = null;
  private start: Point = { x: 0, y: 0 };
  private edited: Shape[] = [];

  down(e: ToolPointer, ctx: ToolContext): boolean {
    const tol = HIT_PX / ctx.scale;
    this.start = e.p;
    this.edited = [];
    if (ctx.selection.size === 1 && this.grabHandle(e, ctx, tol)) return true;
    const key = ctx.hitTest(e.p, tol)[0];
    if (!key) {
      if (!e.shift) ctx.selection.clear();
      return false; // a drag on empty image pans
    }
    if (e.shift) {
      ctx.selection.toggle(key);
      return true;
    }
    if (!ctx.selection.has(key)) ctx.selection.set([key]);
    // Only shapes of the frame shown move (a selection may span slices, for Interpolate).
    const movable = (k: string) => {
      const r = ctx.store.get(k);
      return !!r && r.shape.kind !== 'tag' && r.frame === ctx.frame;
    };
    this.grab = { kind: 'move', keys: ctx.selection.list().filter(movable) };
    return true;
  }

  /** On the one selected shape: a vertex (Alt removes it), an edge (inserts one), or a box handle. */
  private grabHandle(e: ToolPointer, ctx: ToolContext, tol: number): boolean {
    const key = ctx.selection.list()[0]!;
    const shape = ctx.store.get(key)?.shape;
    if (!shape) return false;
    if (shape.kind === 'bbox') {
      const handle = handleAt(shape, e.p, tol);
      if (handle) this.grab = { kind: 'handle', key, handle };
      return handle !== null;
    }
    if (shape.kind !== 'polygon' && shape.kind !== 'polyline') return false;
    const index = nearestVertex(e.p, shape.points, tol);
    if (index >= 0 && e.alt) {
      const fewer = removeVertex(shape, index);
      if (fewer) ctx.commit(updateCommand(ctx.store, key, { shape: fewer }, 'Remove vertex'));
      return true;
    }
    if (index >= 0) {
      this.grab = { kind: 'vertex', key, index, inserted: null };
      return true;
    }
    const edge = nearestEdge(e.p, shape.points, shape.kind === 'polygon', tol);
    if (!edge || e.alt) return false;
    const inserted = insertVertex(shape, edge.edge, e.p);
    this.grab = { kind: 'vertex', key, index: edge.edge + 1, inserted };
    this.edited = [inserted];
    ctx.draft({ shape: inserted, vertices: inserted.points, editing: [key] });
    return true;
  }

  move(e: ToolPointer, ctx: ToolContext): void {
    const grab = this.grab;
    if (!grab) return;
    const dx = e.p.x - this.start.x;
    const dy = e.p.y - this.start.y;
    if (grab.kind === 'move') {
      this.edited = grab.keys.map((k) => translateShape(ctx.store.get(k)!.shape, dx, dy));
      const [first, ...extra] = this.edited;
      if (first) ctx.draft({ shape: first, extra, editing: grab.keys });
      return;
    }
    const shape = grab.kind === 'vertex' ? (grab.inserted ?? ctx.store.get(grab.key)?.shape) : ctx.store.get(grab.key)?.shape;
    if (!shape) return;
    let next: Shape = shape;
    if (grab.kind === 'handle' && shape.kind === 'bbox') next = resizeBox(shape, grab.handle, e.p);
    if (grab.kind === 'vertex' && (shape.kind === 'polygon' || shape.kind === 'polyline')) next = moveVertex(shape, grab.index, e.p);
    this.edited = [next];
    ctx.draft({ shape: next, vertices: shapeVertices(next), editing: [grab.key] });
  }

  up(_e: ToolPointer, ctx: ToolContext): void {
    const grab = this.grab;
    this.grab = null;
    ctx.draft(null);
    if (!grab || this.edited.length === 0) return;
    const keys = grab.kind === 'move' ? grab.keys : [grab.key];
    const name = grab.kind === 'move' ? 'Move' : grab.kind === 'handle' ? 'Resize' : 'Edit vertex';
    const commands: Command[] = keys.map((k, i) => updateCommand(ctx.store, k, { shape: this.edited[i]! }, name));
    ctx.commit(batchCommand(name, commands));
    this.edited = [];
  }

  key(key: string, ctx: ToolContext): boolean {
    if ((key !== 'Delete' && key !== 'Backspace') || ctx.selection.size === 0) return false;
    ctx.commit(deleteCommand(ctx.store, ctx.selection.list()));
    ctx.selection.clear();
    return true;
  }

  cancel(ctx: ToolContext): boolean {
    if (this.grab) {
      this.grab = null;
      this.edited = [];
      ctx.draft(null);
      return true;
    }
    if (ctx.selection.size === 0) return false;
    ctx.selection.clear();
    return true;
  }
}

export const selectTool: ToolDefinition = { name: 'Select', key: 'v', kinds: null, create: () => new SelectTool() };
