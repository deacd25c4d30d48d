// Polygon tool (P): click vertices; Enter, double-click or a click on the first vertex closes; drag draws freehand.
import type { Point } from '../core/geometry';
import { ringArea } from '../core/shapes/model';
import { CLOSE_PX, type ToolContext, type ToolDefinition, type ToolPointer } from './types';
import { PathTool } from './vertexPath';

class PolygonTool extends PathTool {
  protected readonly kind = 'polygon';

  protected override closesAt(e: ToolPointer, ctx: ToolContext): boolean {
    const first = this.path.points[0];
    return !!first && this.path.points.length >= 3 && Math.hypot(e.p.x - first.x, e.p.y - first.y) * ctx.scale <= CLOSE_PX;
  }

  protected complete(points: Point[], combine: { shift: boolean; alt: boolean }, ctx: ToolContext): void {
    if (points.length < 3 || Math.abs(ringArea(points)) < 1e-9) return; // a line or a dot is no polygon
    ctx.finish({ kind: 'polygon', points }, combine.shift ? 'union' : combine.alt ? 'subtract' : 'new');
  }
}

export const polygonTool: ToolDefinition = {
  name: 'Polygon',
  key: 'p',
  kinds: ['polygon'],
  create: () => new PolygonTool(),
};
