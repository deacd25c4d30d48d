// Point tool (O): one click → one point.
import { clampPoint } from '../core/geometry';
import type { Tool, ToolContext, ToolDefinition, ToolPointer } from './types';

class PointTool implements Tool {
  down(_e: ToolPointer, ctx: ToolContext): boolean {
    return ctx.label !== null;
  }

  move(): void {}

  up(e: ToolPointer, ctx: ToolContext): void {
    if (!ctx.label) return;
    ctx.finish({ kind: 'point', ...clampPoint(e.p, ctx.image) }, 'new');
  }

  cancel(): boolean {
    return false;
  }
}

export const pointTool: ToolDefinition = { name: 'Point', key: 'o', kinds: ['point'], create: () => new PointTool() };
