// Length tool: one drag is one ruler; its length in mm from the pixel spacing (µm on slides, px when there is none).
import type { Point, Size } from '../core/geometry';
import { PointerTool, type PointerToolHost } from './pointerTool';

/** A finished ruler in image pixels of one frame, with its length. */
export interface Measurement {
  id: number;
  frame: number;
  a: Point;
  b: Point;
  value: number;
  unit: 'mm' | 'µm' | 'px';
}

/**
 * Length of a→b. `spacing` is DICOM's PixelSpacing order: [row spacing (between rows, along y),
 * column spacing (between columns, along x)] in mm.
 */
export function measureLength(
  a: Point,
  b: Point,
  spacing: readonly number[] | null,
  unit: 'mm' | 'µm' = 'mm',
): { value: number; unit: 'mm' | 'µm' | 'px' } {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const row = spacing?.[0];
  const col = spacing?.[1];
  if (row && col && row > 0 && col > 0) {
    const mm = Math.hypot(dx * col, dy * row);
    return unit === 'µm' ? { value: mm * 1000, unit } : { value: mm, unit };
  }
  return { value: Math.hypot(dx, dy), unit: 'px' };
}

/** `12.3 mm`, `85.2 µm`, `45 px` (one decimal; whole numbers of pixels). */
export function formatLength(m: { value: number; unit: string }): string {
  return m.unit === 'px' ? `${Math.round(m.value)} px` : `${m.value.toFixed(1)} ${m.unit}`;
}

/** The pixel spacing an image's metadata states, or null. */
export function spacingOf(metadata: Record<string, unknown>): number[] | null {
  const s = metadata.pixel_spacing;
  return Array.isArray(s) && s.length >= 2 && s.every((v) => typeof v === 'number' && v > 0) ? (s as number[]) : null;
}

export interface LengthToolHost extends PointerToolHost {
  readonly imageSize: Size | null;
  clientToImage(clientX: number, clientY: number): Point;
  /** The ruler being dragged (null hides it). */
  showDraft(a: Point | null, b: Point | null): void;
}

export class LengthTool extends PointerTool {
  private start: { id: number; at: Point } | null = null;

  constructor(
    private readonly host: LengthToolHost,
    private readonly events: { onLine(a: Point, b: Point): void; onActiveChange?(active: boolean): void },
  ) {
    super(host, 'tool-length', events.onActiveChange);
  }

  /** Abandon the ruler being dragged. */
  protected reset(): void {
    this.start = null;
    this.host.showDraft(null, null);
  }

  private clamp(p: Point): Point {
    const size = this.host.imageSize;
    if (!size) return p;
    return { x: Math.min(size.width, Math.max(0, p.x)), y: Math.min(size.height, Math.max(0, p.y)) };
  }

  protected onDown(e: PointerEvent): void {
    if (e.button !== 0 || !e.isPrimary || !this.host.imageSize) return;
    e.preventDefault();
    this.start = { id: e.pointerId, at: this.clamp(this.host.clientToImage(e.clientX, e.clientY)) };
    this.capture(e.pointerId);
  }

  protected onMove(e: PointerEvent): void {
    if (!this.start || e.pointerId !== this.start.id) return;
    this.host.showDraft(this.start.at, this.clamp(this.host.clientToImage(e.clientX, e.clientY)));
  }

  protected onUp(e: PointerEvent): void {
    const s = this.start;
    if (!s || e.pointerId !== s.id) return;
    const end = this.clamp(this.host.clientToImage(e.clientX, e.clientY));
    this.reset();
    if (Math.hypot(end.x - s.at.x, end.y - s.at.y) >= 1) this.events.onLine(s.at, end);
  }
}
