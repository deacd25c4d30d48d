// A ViewerSurface stand-in for wiring tests (jsdom has no canvas or OpenSeadragon): identity transform, opens at once.
import type { Point, Rect, Size } from '../src/core/geometry';
import type { SurfaceChange, ViewerSurface, ViewTransform } from '../src/viewer/surface';

export class FakeSurface implements ViewerSurface {
  readonly overlayHost = document.createElement('div');
  readonly frameCount: number;
  frame = 0;
  panEnabled = true;
  shown: Rect | null = null;
  private readonly listeners = new Set<(change: SurfaceChange) => void>();

  constructor(
    readonly element: HTMLElement,
    readonly options: { size: Size; frameCount?: number; frame?: number; source?: unknown },
  ) {
    this.frameCount = options.frameCount ?? 1;
    this.frame = options.frame ?? 0;
    element.appendChild(this.overlayHost);
    element.dataset.ready = 'true';
  }

  get imageSize(): Size {
    return this.options.size;
  }
  /** The tile source given (tile surfaces only). */
  get opened(): unknown {
    return this.options.source;
  }
  get drawing(): boolean {
    return !this.panEnabled;
  }
  transform(): ViewTransform {
    return { scale: 1, offsetX: 0, offsetY: 0 };
  }
  elementToImage(p: Point): Point {
    return p;
  }
  imageToElement(p: Point): Point {
    return p;
  }
  clientToElement(x: number, y: number): Point {
    return { x, y };
  }
  subscribe(listener: (change: SurfaceChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  setPanEnabled(enabled: boolean): void {
    this.panEnabled = enabled;
  }
  fit(): void {}
  showRect(r: Rect): void {
    this.shown = r;
  }
  zoomBy(): void {}
  setFrame(frame: number): void {
    this.frame = Math.min(Math.max(0, frame), this.frameCount - 1);
    for (const l of this.listeners) l('frame');
  }
  colourAt(): null {
    return null;
  }
  destroy(): void {}
}

/** The module `../src/viewer/viewer` as the wiring tests see it; constructed surfaces are pushed onto `made`. */
export function fakeTileModule(made: FakeSurface[]): Record<string, unknown> {
  class TileSurface extends FakeSurface {
    constructor(element: HTMLElement, options: { size: Size; frameCount?: number; frame?: number; source?: unknown }) {
      super(element, options);
      made.push(this);
    }
  }
  return { TileSurface };
}
