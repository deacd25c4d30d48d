// Polyline tool (L): click vertices; Enter or double-click ends; a drag draws freehand.
import type { Point } from '../core/geometry';
import type { ToolContext, ToolDefinition } from './types';
import { PathTool } from './vertexPath';

class PolylineTool extends PathTool {
  protected readonly kind = 'polyline';

  protected complete(points: Point[], _combine: unknown, ctx: ToolContext): void {
    if (points.length >= 2) ctx.finish({ kind: 'polyline', points }, 'new');
  }
}

export const polylineTool: ToolDefinition = {
  name: 'Polyline',
  key: 'l',
  kinds: ['polyline'],
  create: () => new PolylineTool(),
};
