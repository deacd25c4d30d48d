// A minimal ViewerSurface over a virtual image (no pixels): pan and zoom maths only, for the benchmark and tests.
import type { Point, Rect, Size } from '../src/core/geometry';
import type { SurfaceChange, ViewerSurface, ViewTransform } from '../src/viewer/surface';

export class VirtualSurface implements ViewerSurface {
  readonly element: HTMLElement;
  readonly overlayHost: HTMLElement;
  readonly imageSize: Size;
  frame = 0;
  readonly frameCount: number;
  private view: ViewTransform = { scale: 1, offsetX: 0, offsetY: 0 };
  private readonly listeners = new Set<(c: SurfaceChange) => void>();
  panEnabled = true;

  constructor(element: HTMLElement, imageSize: Size, frameCount = 1) {
    this.element = element;
    this.imageSize = imageSize;
    this.frameCount = frameCount;
    element.style.position = 'relative';
    element.style.overflow = 'hidden';
    this.overlayHost = document.createElement('div');
    Object.assign(this.overlayHost.style, { position: 'absolute', inset: '0', pointerEvents: 'none' });
    element.appendChild(this.overlayHost);
  }

  transform(): ViewTransform {
    return this.view;
  }

  elementToImage(p: Point): Point {
    const { scale, offsetX, offsetY } = this.view;
    return { x: (p.x - offsetX) / scale, y: (p.y - offsetY) / scale };
  }

  imageToElement(p: Point): Point {
    const { scale, offsetX, offsetY } = this.view;
    return { x: p.x * scale + offsetX, y: p.y * scale + offsetY };
  }

  clientToElement(clientX: number, clientY: number): Point {
    const r = this.element.getBoundingClientRect();
    return { x: clientX - r.left, y: clientY - r.top };
  }

  subscribe(listener: (c: SurfaceChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  setPanEnabled(enabled: boolean): void {
    this.panEnabled = enabled;
  }

  fit(): void {
    this.showRect({ x: 0, y: 0, w: this.imageSize.width, h: this.imageSize.height }, 0);
  }

  showRect(r: Rect, margin = 0.05): void {
    const w = this.element.clientWidth || 1;
    const h = this.element.clientHeight || 1;
    const scale = Math.min(w / (r.w * (1 + 2 * margin) || 1), h / (r.h * (1 + 2 * margin) || 1));
    this.set({ scale, offsetX: w / 2 - (r.x + r.w / 2) * scale, offsetY: h / 2 - (r.y + r.h / 2) * scale });
  }

  zoomBy(factor: number, around: Point = { x: this.element.clientWidth / 2, y: this.element.clientHeight / 2 }): void {
    const { scale, offsetX, offsetY } = this.view;
    this.set({ scale: scale * factor, offsetX: around.x - (around.x - offsetX) * factor, offsetY: around.y - (around.y - offsetY) * factor });
  }

  panBy(dx: number, dy: number): void {
    this.set({ ...this.view, offsetX: this.view.offsetX + dx, offsetY: this.view.offsetY + dy });
  }

  setFrame(frame: number): void {
    this.frame = Math.max(0, Math.min(this.frameCount - 1, frame));
    this.emit('frame');
  }

  destroy(): void {
    this.listeners.clear();
    this.overlayHost.remove();
  }

  private set(view: ViewTransform): void {
    this.view = view;
    this.emit('view');
  }

  private emit(change: SurfaceChange): void {
    for (const l of this.listeners) l(change);
  }
}
