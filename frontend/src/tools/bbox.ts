// Bounding-box tool: turns one pointer drag on the overlay into one finished rect in image pixels.
import { boxFromDrag, clampRect, rectFromPoints, type Point, type Rect, type Size } from '../core/geometry';

/** What the tool needs from the viewer; an interface so it can be tested without OpenSeadragon. */
export interface BoxToolHost {
  /** Element above the image that receives pointer events while the tool is active. */
  readonly overlay: Element;
  /** Image size, or null while no image is open. */
  readonly imageSize: Size | null;
  clientToImage(clientX: number, clientY: number): Point;
  /** Turn viewer mouse navigation off (true) or back on (false). */
  setDrawingMode(on: boolean): void;
  /** Show the rubber-band rect while dragging; null hides it. */
  showDraft(rect: Rect | null): void;
}

export interface BoxToolEvents {
  /** A finished, clamped, rounded, non-degenerate box. */
  onBox(rect: Rect): void;
  /** Called whenever the tool is switched on or off. */
  onActiveChange?(active: boolean): void;
}

export class BoxTool {
  private activeFlag = false;
  private start: Point | null = null;
  private pointerId: number | null = null;

  constructor(
    private readonly host: BoxToolHost,
    private readonly events: BoxToolEvents,
  ) {}

  get active(): boolean {
    return this.activeFlag;
  }

  get drawing(): boolean {
    return this.start !== null;
  }

  activate(): void {
    if (this.activeFlag) return;
    this.activeFlag = true;
    const o = this.host.overlay;
    o.addEventListener('pointerdown', this.onDown as EventListener);
    o.addEventListener('pointermove', this.onMove as EventListener);
    o.addEventListener('pointerup', this.onUp as EventListener);
    o.addEventListener('pointercancel', this.onCancel as EventListener);
    this.host.setDrawingMode(true);
    this.events.onActiveChange?.(true);
  }

  deactivate(): void {
    if (!this.activeFlag) return;
    this.cancelDrag();
    this.activeFlag = false;
    const o = this.host.overlay;
    o.removeEventListener('pointerdown', this.onDown as EventListener);
    o.removeEventListener('pointermove', this.onMove as EventListener);
    o.removeEventListener('pointerup', this.onUp as EventListener);
    o.removeEventListener('pointercancel', this.onCancel as EventListener);
    this.host.setDrawingMode(false);
    this.events.onActiveChange?.(false);
  }

  toggle(): void {
    if (this.activeFlag) this.deactivate();
    else this.activate();
  }

  /** Abandon a drag in progress without producing a box. */
  cancelDrag(): void {
    if (this.start === null) return;
    this.releaseCapture();
    this.start = null;
    this.pointerId = null;
    this.host.showDraft(null);
  }

  private point(e: PointerEvent): Point {
    return this.host.clientToImage(e.clientX, e.clientY);
  }

  private readonly onDown = (e: PointerEvent): void => {
    if (e.button !== 0 || !e.isPrimary || this.start !== null || !this.host.imageSize) return;
    e.preventDefault();
    this.start = this.point(e);
    this.pointerId = e.pointerId;
    const o = this.host.overlay;
    if (typeof o.setPointerCapture === 'function') {
      try {
        o.setPointerCapture(e.pointerId);
      } catch {
        // Capture is a nicety; drawing still works while the pointer stays over the overlay.
      }
    }
  };

  private readonly onMove = (e: PointerEvent): void => {
    const size = this.host.imageSize;
    if (this.start === null || e.pointerId !== this.pointerId || !size) return;
    this.host.showDraft(clampRect(rectFromPoints(this.start, this.point(e)), size));
  };

  private readonly onUp = (e: PointerEvent): void => {
    const size = this.host.imageSize;
    const start = this.start;
    if (start === null || e.pointerId !== this.pointerId) return;
    this.cancelDrag();
    if (!size) return;
    const box = boxFromDrag(start, this.point(e), size);
    if (box) this.events.onBox(box);
  };

  private readonly onCancel = (e: PointerEvent): void => {
    if (e.pointerId === this.pointerId) this.cancelDrag();
  };

  private releaseCapture(): void {
    const o = this.host.overlay;
    if (this.pointerId !== null && typeof o.hasPointerCapture === 'function' && o.hasPointerCapture(this.pointerId)) {
      o.releasePointerCapture(this.pointerId);
    }
  }
}
