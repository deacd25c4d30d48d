// Brush tool (M): paint the label's mask; onto the selected one or the one under the stroke, else a new mask.
import { deleteCommand, updateCommand } from '../core/commands';
import type { MaskShape } from '../core/shapes/model';
import { StrokeTool, targetMask } from './maskStroke';
import type { ToolContext, ToolDefinition, ToolPointer } from './types';

class BrushTool extends StrokeTool {
  down(e: ToolPointer, ctx: ToolContext): boolean {
    if (!ctx.label) return false;
    // Alt paints holes into the mask (a subtraction), like the Eraser but bound to this label.
    this.stroke.begin(ctx, targetMask(ctx, e.p, ctx.label.id), e.alt ? 0 : 1, e);
    return true;
  }

  protected commit(key: string | null, mask: MaskShape | null, ctx: ToolContext): void {
    if (key && mask) ctx.commit(updateCommand(ctx.store, key, { shape: mask }, 'Brush'));
    else if (key) ctx.commit(deleteCommand(ctx.store, [key], 'Brush')); // Alt-painted it all away
    else if (mask) ctx.finish(mask, 'new');
  }
}

export const brushTool: ToolDefinition = { name: 'Brush', key: 'm', kinds: ['mask'], create: () => new BrushTool() };
