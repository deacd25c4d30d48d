// What every drawing/editing tool sees and does: pointer events in image pixels in, a shape or a command out.
import type { Label, LabelKind } from '../api/types';
import type { Command } from '../core/commands';
import type { Point, Rect, Size } from '../core/geometry';
import type { Selection } from '../core/selection';
import type { Shape } from '../core/shapes/model';
import type { AnnotationStore } from '../core/store';

/** Tolerances in screen pixels; tools divide by `scale` to get image pixels. */
export const HIT_PX = 6;
export const CLOSE_PX = 8;
export const FREEHAND_PX = 4;

export interface ToolPointer {
  /** Position in level-0 image pixels of the frame shown. */
  readonly p: Point;
  readonly shift: boolean;
  readonly alt: boolean;
  readonly ctrl: boolean;
}

/** Shift draws a union with the shape of the same label underneath, Alt subtracts from it. */
export type CombineMode = 'new' | 'union' | 'subtract';

/** The shape being drawn or edited, for the SVG edit overlay (`dirty`: the part of a mask that changed). */
export interface Draft {
  readonly shape: Shape;
  /** More shapes moving along (a multi-selection being dragged). */
  readonly extra?: readonly Shape[];
  /** Stored shapes the draft stands in for; the canvas layer leaves them out meanwhile. */
  readonly editing?: readonly string[];
  readonly vertices?: readonly Point[];
  readonly dirty?: Rect;
}

export interface ToolContext {
  /** Element CSS pixels per image pixel. */
  readonly scale: number;
  readonly image: Size;
  readonly frame: number;
  /** The label new shapes get (null when none is chosen). */
  readonly label: Label | null;
  readonly store: AnnotationStore;
  readonly selection: Selection;
  /** Keys of this frame's shapes touching `p` within `tolerance` image pixels, closest (topmost) first. */
  hitTest(p: Point, tolerance: number): string[];
  /** A finished new shape of `label`; the host turns it into a command (combined when asked). */
  finish(shape: Shape, mode: CombineMode): void;
  /** A finished edit of existing shapes. */
  commit(command: Command): void;
  draft(draft: Draft | null): void;
}

export interface Tool {
  /** Pointer down; false leaves the event to the viewer (a pan). */
  down(e: ToolPointer, ctx: ToolContext): boolean;
  move(e: ToolPointer, ctx: ToolContext): void;
  up(e: ToolPointer, ctx: ToolContext): void;
  doubleClick?(e: ToolPointer, ctx: ToolContext): void;
  /** A key while the tool is active; true when the tool used it. */
  key?(key: string, ctx: ToolContext): boolean;
  /** Escape: drop what is being drawn; true when there was something. */
  cancel(ctx: ToolContext): boolean;
}

export interface ToolDefinition {
  /** Stable id, also the button's accessible name in UI.md ("Box", "Polygon", …). */
  readonly name: string;
  /** Default key (lower case), per UI.md. */
  readonly key: string;
  /** Label kinds this tool draws; null for tools that edit whatever is there. */
  readonly kinds: readonly LabelKind[] | null;
  create(): Tool;
}
