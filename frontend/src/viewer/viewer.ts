// Deep-zoom tile source (slides, colour and big rasters): OpenSeadragon behind the ViewerSurface interface.
import OpenSeadragon from 'openseadragon';
import type { Point, Rect, Size } from '../core/geometry';
import type { InlineDziSource } from './dzi';
import { frameQuery } from './frameQuery';
import type { SurfaceChange, ViewerSurface, ViewTransform } from './surface';
import { WheelStepper } from './wheel';

export interface TileSurfaceOptions {
  source: InlineDziSource;
  size: Size;
  frameCount?: number;
  frame?: number;
  onOpenFailed?: (message: string) => void;
}

export class TileSurface implements ViewerSurface {
  readonly overlayHost: HTMLElement;
  readonly frameCount: number;
  private readonly osd: OpenSeadragon.Viewer;
  private readonly listeners = new Set<(change: SurfaceChange) => void>();
  private readonly baseQuery: string;
  private opened = false;
  private currentFrame: number;
  private panEnabled = true;
  private readonly wheel = new WheelStepper();

  constructor(
    readonly element: HTMLElement,
    private readonly options: TileSurfaceOptions,
  ) {
    this.frameCount = Math.max(1, options.frameCount ?? 1);
    this.currentFrame = Math.min(Math.max(0, options.frame ?? 0), this.frameCount - 1);
    this.baseQuery = options.source.queryParams;
    const stack = this.frameCount > 1;
    this.osd = OpenSeadragon({
      element,
      drawer: 'canvas',
      showNavigationControl: false,
      showNavigator: true,
      navigatorPosition: 'BOTTOM_RIGHT',
      animationTime: 0.4,
      maxZoomPixelRatio: 10,
      visibilityRatio: 0.5,
      // Stacks scroll slices with the wheel (handled below); single images zoom.
      gestureSettingsMouse: { clickToZoom: false, dblClickToZoom: true, scrollToZoom: !stack },
    });
    this.overlayHost = document.createElement('div');
    this.overlayHost.className = 'overlay-host';
    this.osd.canvas.appendChild(this.overlayHost);

    const view = (): void => this.emit('view');
    this.osd.addHandler('animation', view);
    this.osd.addHandler('update-viewport', view);
    this.osd.addHandler('resize', () => this.emit('resize'));
    this.osd.addHandler('open', () => {
      const first = !this.opened;
      this.opened = true;
      element.dataset.ready = 'true';
      element.dataset.frame = String(this.currentFrame);
      this.emit(first ? 'open' : 'frame');
    });
    this.osd.addHandler('open-failed', (event) => {
      options.onOpenFailed?.(event.message || 'The image could not be opened.');
    });
    element.addEventListener('wheel', this.onWheel, { passive: false, capture: true });
    this.osd.open({ tileSource: this.sourceFor(this.currentFrame) });
  }

  get imageSize(): Size | null {
    return this.opened ? this.options.size : null;
  }

  get frame(): number {
    return this.currentFrame;
  }

  transform(): ViewTransform {
    const o = this.imageToElement({ x: 0, y: 0 });
    const one = this.imageToElement({ x: 1, y: 0 });
    return { scale: one.x - o.x, offsetX: o.x, offsetY: o.y };
  }

  clientToElement(clientX: number, clientY: number): Point {
    const box = this.element.getBoundingClientRect();
    return { x: clientX - box.left, y: clientY - box.top };
  }

  elementToImage(p: Point): Point {
    const q = this.osd.viewport.viewerElementToImageCoordinates(new OpenSeadragon.Point(p.x, p.y));
    return { x: q.x, y: q.y };
  }

  imageToElement(p: Point): Point {
    const q = this.osd.viewport.imageToViewerElementCoordinates(new OpenSeadragon.Point(p.x, p.y));
    return { x: q.x, y: q.y };
  }

  subscribe(listener: (change: SurfaceChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  setPanEnabled(enabled: boolean): void {
    this.panEnabled = enabled;
    this.osd.setMouseNavEnabled(enabled);
  }

  fit(): void {
    this.osd.viewport.goHome();
  }

  showRect(r: Rect): void {
    const margin = Math.max(r.w, r.h) * 0.5 + 10;
    const bounds = this.osd.viewport.imageToViewportRectangle(r.x - margin, r.y - margin, r.w + 2 * margin, r.h + 2 * margin);
    this.osd.viewport.fitBounds(bounds);
  }

  zoomBy(factor: number, aroundElementPoint?: Point): void {
    const viewport = this.osd.viewport;
    const at = aroundElementPoint ? viewport.pointFromPixel(new OpenSeadragon.Point(aroundElementPoint.x, aroundElementPoint.y), true) : undefined;
    viewport.zoomBy(factor, at);
    viewport.applyConstraints();
  }

  setFrame(frame: number): void {
    const next = Math.min(Math.max(0, Math.round(frame)), this.frameCount - 1);
    if (next === this.currentFrame) return;
    this.currentFrame = next;
    this.emit('frame');
    const bounds = this.osd.viewport.getBounds(true);
    this.osd.addOnceHandler('open', () => this.osd.viewport.fitBounds(bounds, true));
    this.osd.open({ tileSource: this.sourceFor(next) });
  }

  /** The displayed colour under an element point (the drawn tiles: lossy for JPEG tiles), or null. */
  colourAt(p: Point): [number, number, number] | null {
    const canvas = (this.osd.drawer as unknown as { canvas?: HTMLCanvasElement }).canvas;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx || !this.opened) return null;
    const ratio = canvas.width / Math.max(1, canvas.clientWidth || this.element.clientWidth);
    try {
      const d = ctx.getImageData(Math.floor(p.x * ratio), Math.floor(p.y * ratio), 1, 1).data;
      return [d[0] as number, d[1] as number, d[2] as number];
    } catch {
      return null;
    }
  }

  destroy(): void {
    this.element.removeEventListener('wheel', this.onWheel, { capture: true });
    this.listeners.clear();
    this.osd.destroy();
  }

  private sourceFor(frame: number): InlineDziSource {
    return { ...this.options.source, queryParams: frameQuery(this.baseQuery, frame) };
  }

  private emit(change: SurfaceChange): void {
    for (const listener of [...this.listeners]) listener(change);
  }

  /** Stacks: the wheel changes slice (Ctrl+wheel zooms). While a tool has the mouse, the wheel still zooms. */
  private readonly onWheel = (event: WheelEvent): void => {
    if (!this.opened) return;
    const stack = this.frameCount > 1 && !event.ctrlKey;
    if (!stack && this.panEnabled) return; // OpenSeadragon zooms
    event.preventDefault();
    event.stopPropagation();
    if (stack) {
      this.setFrame(this.currentFrame + this.wheel.step(event));
      return;
    }
    this.zoomBy(event.deltaY < 0 ? 1.2 : 1 / 1.2, this.clientToElement(event.clientX, event.clientY));
  };
}
