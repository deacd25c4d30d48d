// Eraser tool (E): erase from the selected mask, or the one under the stroke; an emptied mask is deleted.
import { deleteCommand, updateCommand } from '../core/commands';
import type { MaskShape } from '../core/shapes/model';
import { StrokeTool, targetMask } from './maskStroke';
import type { ToolContext, ToolDefinition, ToolPointer } from './types';

class EraserTool extends StrokeTool {
  down(e: ToolPointer, ctx: ToolContext): boolean {
    const key = targetMask(ctx, e.p, null);
    if (!key) return false;
    this.stroke.begin(ctx, key, 0, e);
    return true;
  }

  protected commit(key: string | null, mask: MaskShape | null, ctx: ToolContext): void {
    if (!key) return;
    ctx.commit(mask ? updateCommand(ctx.store, key, { shape: mask }, 'Erase') : deleteCommand(ctx.store, [key], 'Erase'));
  }
}

// kinds ['mask']: it only ever works on masks, so a project without mask labels has no use for it.
export const eraserTool: ToolDefinition = { name: 'Eraser', key: 'e', kinds: ['mask'], create: () => new EraserTool() };
