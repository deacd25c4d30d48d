// Window/level tool: a drag on the image changes the window (horizontal = width, vertical = centre).
import { dragWindow, type Window } from '../viewer/windowing';
import { PointerTool, type PointerToolHost } from './pointerTool';

export interface WindowLevelHost extends PointerToolHost {
  readonly window: Window | null;
  setWindow(window: Window): void;
}

/** CSS pixels of drag that change the window by its own width: a 200 px drag right doubles it. */
export const DRAG_PIXELS_PER_WIDTH = 200;

export class WindowLevelTool extends PointerTool {
  private start: { id: number; x: number; y: number; window: Window } | null = null;

  constructor(
    private readonly host: WindowLevelHost,
    events: { onActiveChange?(active: boolean): void } = {},
  ) {
    super(host, 'tool-window-level', events.onActiveChange);
  }

  protected reset(): void {
    this.start = null;
  }

  protected onDown(e: PointerEvent): void {
    const window = this.host.window;
    if (e.button !== 0 || !e.isPrimary || !window) return;
    e.preventDefault();
    this.start = { id: e.pointerId, x: e.clientX, y: e.clientY, window };
    this.capture(e.pointerId);
  }

  protected onMove(e: PointerEvent): void {
    const s = this.start;
    if (!s || e.pointerId !== s.id) return;
    const perPixel = Math.max(s.window.width, 2) / DRAG_PIXELS_PER_WIDTH;
    this.host.setWindow(dragWindow(s.window, e.clientX - s.x, e.clientY - s.y, perPixel));
  }

  protected onUp(e: PointerEvent): void {
    if (this.start && e.pointerId === this.start.id) this.start = null;
  }
}
