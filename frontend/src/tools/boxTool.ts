// Box tool (B): press, drag, release → one finished box, clamped to the image and rounded.
import { boxFromDrag, clampRect, rectFromPoints, type Point } from '../core/geometry';
import type { Tool, ToolContext, ToolDefinition, ToolPointer } from './types';

class BoxTool implements Tool {
  private start: Point | null = null;

  down(e: ToolPointer, ctx: ToolContext): boolean {
    if (!ctx.label) return false;
    this.start = e.p;
    ctx.draft({ shape: { kind: 'bbox', x: e.p.x, y: e.p.y, w: 0, h: 0 } });
    return true;
  }

  move(e: ToolPointer, ctx: ToolContext): void {
    if (!this.start) return;
    ctx.draft({ shape: { kind: 'bbox', ...clampRect(rectFromPoints(this.start, e.p), ctx.image) } });
  }

  up(e: ToolPointer, ctx: ToolContext): void {
    const start = this.start;
    if (!start) return;
    this.start = null;
    ctx.draft(null);
    const box = boxFromDrag(start, e.p, ctx.image);
    if (box) ctx.finish({ kind: 'bbox', ...box }, 'new');
  }

  cancel(ctx: ToolContext): boolean {
    if (!this.start) return false;
    this.start = null;
    ctx.draft(null);
    return true;
  }
}

export const boxTool: ToolDefinition = { name: 'Box', key: 'b', kinds: ['bbox'], create: () => new BoxTool() };
