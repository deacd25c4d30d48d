// Shared by Brush and Eraser: a stroke painted on a private copy of one mask, its size changed by [ and ].
import type { Point } from '../core/geometry';
import { cropToContent, emptyMask, paintSegment } from '../core/shapes/mask';
import type { MaskShape } from '../core/shapes/model';
import type { Tool, ToolContext, ToolPointer } from './types';

export const DEFAULT_SIZE_PX = 20;
const MIN_SIZE_PX = 1;
const MAX_SIZE_PX = 400;

/** `[` makes the brush smaller, `]` bigger, by a quarter each press (screen pixels, so it feels the same at any zoom). */
export function resize(size: number, key: string): number | null {
  if (key === '[') return Math.max(MIN_SIZE_PX, Math.round(size / 1.25));
  if (key === ']') return Math.min(MAX_SIZE_PX, Math.max(size + 1, Math.round(size * 1.25)));
  return null;
}

/** The mask a stroke works on: a selected mask (of the label, when given), else one under the pointer. */
export function targetMask(ctx: ToolContext, p: Point, label: number | null): string | null {
  const isTarget = (key: string) => {
    const r = ctx.store.get(key);
    return !!r && r.shape.kind === 'mask' && r.frame === ctx.frame && (label === null || r.label === label);
  };
  return ctx.selection.list().find(isTarget) ?? ctx.hitTest(p, 0).find(isTarget) ?? null;
}

export class MaskStroke {
  size = DEFAULT_SIZE_PX;
  key: string | null = null;
  work: MaskShape | null = null;
  private last: Point | null = null;
  private value: 0 | 1 = 1;

  get active(): boolean {
    return this.work !== null;
  }

  /** Start on a copy of `key`'s mask (or a new empty one) so the stored shape is untouched until the end. */
  begin(ctx: ToolContext, key: string | null, value: 0 | 1, e: ToolPointer): void {
    const record = key ? ctx.store.get(key) : undefined;
    const mask = record?.shape.kind === 'mask' ? record.shape : null;
    this.key = key;
    this.value = value;
    this.work = mask ? { ...mask, bits: mask.bits.slice() } : emptyMask(0, 0, 0, 0);
    this.last = e.p;
    this.paint(ctx, e.p);
  }

  paint(ctx: ToolContext, p: Point): void {
    if (!this.work || !this.last) return;
    const radius = this.size / 2 / ctx.scale;
    const { mask, dirty } = paintSegment(this.work, this.last, p, radius, this.value, ctx.image, Math.ceil(4 * radius) + 64);
    this.work = mask;
    this.last = p;
    ctx.draft({ shape: mask, dirty });
  }

  /** The finished mask cropped to its set pixels (null when nothing is left), and the key it belongs to. */
  end(ctx: ToolContext): { key: string | null; mask: MaskShape | null } {
    const out = { key: this.key, mask: this.work ? cropToContent(this.work) : null };
    this.reset(ctx);
    return out;
  }

  reset(ctx: ToolContext): void {
    this.work = null;
    this.last = null;
    this.key = null;
    ctx.draft(null);
  }
}

/** Brush and Eraser: a stroke from down to up; they differ in the target and in what the end commits. */
export abstract class StrokeTool implements Tool {
  protected readonly stroke = new MaskStroke();

  get size(): number {
    return this.stroke.size;
  }

  abstract down(e: ToolPointer, ctx: ToolContext): boolean;
  protected abstract commit(key: string | null, mask: MaskShape | null, ctx: ToolContext): void;

  move(e: ToolPointer, ctx: ToolContext): void {
    if (this.stroke.active) this.stroke.paint(ctx, e.p);
  }

  up(_e: ToolPointer, ctx: ToolContext): void {
    if (!this.stroke.active) return;
    const { key, mask } = this.stroke.end(ctx);
    this.commit(key, mask, ctx);
  }

  key(key: string): boolean {
    const size = resize(this.stroke.size, key);
    if (size === null) return false;
    this.stroke.size = size;
    return true;
  }

  cancel(ctx: ToolContext): boolean {
    const had = this.stroke.active;
    this.stroke.reset(ctx);
    return had;
  }
}
