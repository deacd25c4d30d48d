// A tool context over the real store, command stack, selection and spatial index, recording drafts.
import type { Label, LabelKind } from '../../src/api/types';
import { CommandStack } from '../../src/core/commands';
import { Selection } from '../../src/core/selection';
import { ShapeIndex } from '../../src/core/shapeIndex';
import type { Shape } from '../../src/core/shapes/model';
import { AnnotationStore, type AnnotationState } from '../../src/core/store';
import { finishCommand } from '../../src/tools/combine';
import type { Draft, Tool, ToolContext, ToolDefinition, ToolPointer } from '../../src/tools/types';

export function label(kind: LabelKind, id = 1): Label {
  return { id, name: kind, color: '#ff0000', kind, hotkey: null, attributes: [] };
}

export function harness(definition: ToolDefinition, kind: LabelKind | null, scale = 1) {
  const store = new AnnotationStore();
  const stack = new CommandStack(store);
  const selection = new Selection();
  const drafts: (Draft | null)[] = [];
  const finished: Shape[] = [];
  const ctx: ToolContext = {
    scale,
    image: { width: 1000, height: 800 },
    frame: 0,
    label: kind ? label(kind) : null,
    store,
    selection,
    hitTest(p, tolerance) {
      const index = new ShapeIndex();
      index.reset(store.onFrame(0));
      return index.hitTest(p, tolerance);
    },
    finish(shape, mode) {
      finished.push(shape);
      stack.execute(finishCommand(store, { label: ctx.label!.id, frame: 0, attributes: {} }, shape, mode));
    },
    commit: (command) => stack.execute(command),
    draft: (d) => drafts.push(d),
  };
  const tool: Tool = definition.create();
  const at = (x: number, y: number, mods: Partial<ToolPointer> = {}): ToolPointer => ({
    p: { x, y },
    shift: false,
    alt: false,
    ctrl: false,
    ...mods,
  });
  const click = (x: number, y: number, mods: Partial<ToolPointer> = {}) => {
    const handled = tool.down(at(x, y, mods), ctx);
    tool.up(at(x, y, mods), ctx);
    return handled;
  };
  const drag = (points: [number, number][], mods: Partial<ToolPointer> = {}) => {
    const [first, ...rest] = points;
    const handled = tool.down(at(first![0], first![1], mods), ctx);
    for (const [x, y] of rest) tool.move(at(x, y, mods), ctx);
    const last = points[points.length - 1]!;
    tool.up(at(last[0], last[1], mods), ctx);
    return handled;
  };
  const add = (state: Partial<AnnotationState> & { shape: Shape }, key: string) =>
    store.putServer([{ key, id: null, version: null, label: 1, frame: 0, attributes: {}, ...state }]);
  return { store, stack, selection, drafts, finished, ctx, tool, at, click, drag, add };
}
