// Base of the tools that take pointer drags on the viewer element while active (Window/level, Length).

export interface PointerToolHost {
  /** Element that receives the drag (the viewer). */
  readonly element: HTMLElement;
  /** Drag-to-pan off (true) or back on (false) while the tool is active. */
  setDrawingMode(on: boolean): void;
}

export abstract class PointerTool {
  private activeFlag = false;

  constructor(
    protected readonly base: PointerToolHost,
    /** CSS class the viewer gets while the tool is active (its cursor). */
    private readonly cssClass: string,
    private readonly onActiveChange?: (active: boolean) => void,
  ) {}

  get active(): boolean {
    return this.activeFlag;
  }

  activate(): void {
    if (this.activeFlag) return;
    this.activeFlag = true;
    const el = this.base.element;
    el.addEventListener('pointerdown', this.down);
    el.addEventListener('pointermove', this.move);
    el.addEventListener('pointerup', this.up);
    el.addEventListener('pointercancel', this.cancelled);
    el.classList.add(this.cssClass);
    this.base.setDrawingMode(true);
    this.onActiveChange?.(true);
  }

  deactivate(): void {
    if (!this.activeFlag) return;
    this.activeFlag = false;
    this.reset();
    const el = this.base.element;
    el.removeEventListener('pointerdown', this.down);
    el.removeEventListener('pointermove', this.move);
    el.removeEventListener('pointerup', this.up);
    el.removeEventListener('pointercancel', this.cancelled);
    el.classList.remove(this.cssClass);
    this.base.setDrawingMode(false);
    this.onActiveChange?.(false);
  }

  toggle(): void {
    if (this.activeFlag) this.deactivate();
    else this.activate();
  }

  /** Capture the pointer so the drag goes on outside the viewer; a nicety where unsupported. */
  protected capture(pointerId: number): void {
    try {
      this.base.element.setPointerCapture(pointerId);
    } catch {
      // The drag still works while the pointer stays over the viewer.
    }
  }

  /** Forget a drag in progress. */
  protected abstract reset(): void;
  protected abstract onDown(e: PointerEvent): void;
  protected abstract onMove(e: PointerEvent): void;
  protected abstract onUp(e: PointerEvent): void;

  private readonly down = (e: PointerEvent): void => this.onDown(e);
  private readonly move = (e: PointerEvent): void => this.onMove(e);
  private readonly up = (e: PointerEvent): void => this.onUp(e);
  private readonly cancelled = (): void => this.reset();
}
