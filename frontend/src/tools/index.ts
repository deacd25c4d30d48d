// The default tools of the labeling screen (names and keys per UI.md); a new tool is one import and one line.
import { boxTool } from './boxTool';
import { brushTool } from './brushTool';
import { eraserTool } from './eraserTool';
import { pointTool } from './pointTool';
import { polygonTool } from './polygonTool';
import { polylineTool } from './polylineTool';
import { ToolRegistry } from './registry';
import { selectTool } from './selectTool';

export function defaultTools(): ToolRegistry {
  return new ToolRegistry()
    .register(selectTool)
    .register(boxTool)
    .register(polygonTool)
    .register(polylineTool)
    .register(pointTool)
    .register(brushTool)
    .register(eraserTool);
}
