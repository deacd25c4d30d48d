// Raw-frame source: fetches a stack's real values, windows them on a canvas, pans/zooms itself, scrolls slices.
import type { Point, Rect, Size } from '../core/geometry';
import { parseRawFrame, valueAt, type RawFrame } from './rawFrame';
import { SliceCache } from './sliceCache';
import type { SurfaceChange, ViewerSurface, ViewTransform } from './surface';
import { WheelStepper } from './wheel';
import { fitImage, fitRect, panBy, toElement, toImage, zoomAround } from './transform';
import { effectiveInvert, paintColour, paintGrey, robustWindow, valueRange, type Window } from './windowing';

export interface RawSourceOptions {
  imageId: number;
  frameCount: number;
  /** Level-0 size the API reports (frames of a stack share it). */
  size: Size;
  /** "?v=N" of the image's dzi_url (or ""), so frame answers are cached for good and never stale. */
  versionQuery: string;
  /** First frame to show. */
  frame?: number;
  /** Frames fetched ahead and behind the current one (default 8); 0 turns prefetch off (benchmark). */
  prefetchRadius?: number;
  /** Byte budget of the frame cache (default 256 MB). */
  cacheBytes?: number;
  /** Fetch (for tests); defaults to the browser's. */
  fetch?: typeof fetch;
}

const RETRY_MS = [1000, 2000, 4000, 8000];

/** URL of one raw frame. */
export function rawFrameUrl(imageId: number, frame: number, versionQuery: string): string {
  const q = versionQuery ? `${versionQuery}&raw=1` : '?raw=1';
  return `/api/v1/images/${imageId}/frames/${frame}${q}`;
}

async function loadFrame(url: string, signal: AbortSignal, fetcher: typeof fetch): Promise<RawFrame> {
  const answer = await fetcher(url, { credentials: 'same-origin', signal });
  if (!answer.ok) {
    let detail = `${answer.status} ${answer.statusText}`.trim();
    try {
      const body = (await answer.json()) as { detail?: string };
      if (body.detail) detail = body.detail;
    } catch {
      // Not JSON: the status says enough.
    }
    throw new Error(detail);
  }
  return parseRawFrame(await answer.arrayBuffer(), answer.headers);
}

export class CanvasSurface implements ViewerSurface {
  readonly overlayHost: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  readonly frameCount: number;
  private readonly ctx: CanvasRenderingContext2D;
  private readonly pixels: ImageData;
  private readonly words: Uint32Array;
  private readonly cache: SliceCache<RawFrame>;
  private readonly notice: HTMLElement;
  private readonly listeners = new Set<(change: SurfaceChange) => void>();
  private readonly resizeObserver: ResizeObserver | null;
  private readonly radius: number;
  private view: ViewTransform = { scale: 1, offsetX: 0, offsetY: 0 };
  private fitted = true;
  private panEnabled = true;
  private readonly wheel = new WheelStepper();
  private drag: { id: number; x: number; y: number } | null = null;
  private shown: RawFrame | null = null;
  private shownIndex = -1;
  private currentFrame: number;
  private windowValue: Window | null = null;
  private invertValue = false;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private destroyed = false;
  /** Milliseconds the last repaint took (windowing + putImageData), for the benchmark and tests. */
  lastPaintMs = 0;

  constructor(
    readonly element: HTMLElement,
    private readonly options: RawSourceOptions,
  ) {
    this.frameCount = Math.max(1, options.frameCount);
    this.currentFrame = Math.min(Math.max(0, options.frame ?? 0), this.frameCount - 1);
    this.radius = options.prefetchRadius ?? 8;
    const { width, height } = options.size;
    this.canvas = document.createElement('canvas');
    this.canvas.width = width;
    this.canvas.height = height;
    this.canvas.className = 'raw-frame';
    this.canvas.setAttribute('aria-hidden', 'true');
    this.ctx = this.canvas.getContext('2d', { willReadFrequently: true }) as CanvasRenderingContext2D;
    this.pixels = this.ctx.createImageData(width, height);
    this.words = new Uint32Array(this.pixels.data.buffer);
    this.overlayHost = document.createElement('div');
    this.overlayHost.className = 'overlay-host';
    this.notice = document.createElement('p');
    this.notice.className = 'frame-notice';
    this.notice.setAttribute('role', 'alert');
    this.notice.hidden = true;
    element.classList.add('raw-surface');
    element.append(this.canvas, this.overlayHost, this.notice);
    const fetcher = options.fetch ?? ((input, init) => fetch(input, init));
    this.cache = new SliceCache(
      (n, signal) => loadFrame(rawFrameUrl(options.imageId, n, options.versionQuery), signal, fetcher),
      options.cacheBytes ?? 256 * 1024 * 1024,
    );
    element.addEventListener('pointerdown', this.onDown);
    element.addEventListener('pointermove', this.onMove);
    element.addEventListener('pointerup', this.onUp);
    element.addEventListener('pointercancel', this.onUp);
    element.addEventListener('wheel', this.onWheel, { passive: false });
    this.resizeObserver = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(() => this.onResize());
    this.resizeObserver?.observe(element);
    this.fit();
    this.show(this.currentFrame);
  }

  get imageSize(): Size | null {
    return this.shown ? this.options.size : null;
  }

  get frame(): number {
    return this.currentFrame;
  }

  /** The frame whose values are on the canvas (it lags `frame` while a slice loads). */
  get shownFrame(): RawFrame | null {
    return this.shown;
  }

  get isGrey(): boolean {
    return this.shown !== null && this.shown.samples === 1;
  }

  /** The window in use (null before the first grey frame arrives). */
  get window(): Window | null {
    return this.windowValue;
  }

  get invert(): boolean {
    return this.invertValue;
  }

  setWindow(window: Window): void {
    this.windowValue = { center: window.center, width: Math.max(1, window.width) };
    this.paint();
  }

  setInvert(on: boolean): void {
    this.invertValue = on;
    this.paint();
  }

  /** Stored real value(s) at an image point of the current frame; null outside it or while it is still loading. */
  valueAt(p: Point): number[] | null {
    return this.shown && this.shownIndex === this.currentFrame ? valueAt(this.shown, p.x, p.y) : null;
  }

  transform(): ViewTransform {
    return this.view;
  }

  elementToImage(p: Point): Point {
    return toImage(this.view, p);
  }

  imageToElement(p: Point): Point {
    return toElement(this.view, p);
  }

  clientToElement(clientX: number, clientY: number): Point {
    const box = this.element.getBoundingClientRect();
    return { x: clientX - box.left, y: clientY - box.top };
  }

  subscribe(listener: (change: SurfaceChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  setPanEnabled(enabled: boolean): void {
    this.panEnabled = enabled;
    if (!enabled) this.drag = null;
  }

  fit(): void {
    this.fitted = true;
    this.setView(fitImage(this.options.size, this.viewSize()));
  }

  showRect(r: Rect): void {
    const margin = Math.max(r.w, r.h) * 0.5 + 10;
    this.fitted = false;
    this.setView(fitRect({ x: r.x - margin, y: r.y - margin, w: r.w + 2 * margin, h: r.h + 2 * margin }, this.viewSize()));
  }

  zoomBy(factor: number, aroundElementPoint?: Point): void {
    const size = this.viewSize();
    const at = aroundElementPoint ?? { x: size.width / 2, y: size.height / 2 };
    this.fitted = false;
    this.setView(zoomAround(this.view, factor, at));
  }

  setFrame(frame: number): void {
    const next = Math.min(Math.max(0, Math.round(frame)), this.frameCount - 1);
    if (next === this.currentFrame) return;
    this.currentFrame = next;
    this.emit('frame');
    this.show(next);
  }

  destroy(): void {
    this.destroyed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.cache.destroy();
    this.resizeObserver?.disconnect();
    this.element.removeEventListener('pointerdown', this.onDown);
    this.element.removeEventListener('pointermove', this.onMove);
    this.element.removeEventListener('pointerup', this.onUp);
    this.element.removeEventListener('pointercancel', this.onUp);
    this.element.removeEventListener('wheel', this.onWheel);
    this.listeners.clear();
    this.canvas.remove();
    this.overlayHost.remove();
    this.notice.remove();
  }

  private show(frame: number, attempt = 0): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const cached = this.cache.peek(frame);
    if (cached) this.display(frame, cached);
    else {
      this.element.dataset.loading = String(frame);
      this.cache.get(frame).then(
        (raw) => {
          if (!this.destroyed && frame === this.currentFrame) this.display(frame, raw);
        },
        (err: unknown) => {
          if (this.destroyed || frame !== this.currentFrame) return;
          const wait = RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)] as number;
          const reason = err instanceof Error ? err.message : String(err);
          this.notice.textContent = `Slice ${frame + 1} could not be loaded (${reason}); retrying in ${wait / 1000} s…`;
          this.notice.hidden = false;
          this.retryTimer = setTimeout(() => this.show(frame, attempt + 1), wait);
        },
      );
    }
    if (this.radius > 0 && this.frameCount > 1) this.cache.prefetch(frame, this.frameCount, this.radius);
  }

  private display(frame: number, raw: RawFrame): void {
    const first = this.shown === null;
    this.notice.hidden = true;
    delete this.element.dataset.loading;
    if (raw.width !== this.options.size.width || raw.height !== this.options.size.height) {
      this.notice.textContent = `Slice ${frame + 1} is ${raw.width} × ${raw.height}, not ${this.options.size.width} × ${this.options.size.height} like the rest; it cannot be shown.`;
      this.notice.hidden = false;
      return;
    }
    this.shown = raw;
    this.shownIndex = frame;
    if (this.windowValue === null && raw.samples === 1) this.windowValue = raw.window ?? robustWindow(raw.values);
    this.paint();
    this.element.dataset.frame = String(frame);
    if (first) {
      this.element.dataset.openedMs = performance.now().toFixed(1); // time since navigation (benchmark)
      this.element.dataset.ready = 'true';
      this.emit('open');
    } else this.emit('frame');
  }

  private paint(): void {
    const raw = this.shown;
    if (!raw) return;
    const started = performance.now();
    if (raw.samples === 1) {
      const window = this.windowValue ?? robustWindow(raw.values);
      paintGrey(raw.values, this.words, window, effectiveInvert(raw.photometric, this.invertValue), rangeOf(raw));
    } else paintColour(raw.values as Uint8Array | Uint16Array, raw.samples, this.words);
    this.ctx.putImageData(this.pixels, 0, 0);
    this.lastPaintMs = performance.now() - started;
    this.element.dataset.paintMs = this.lastPaintMs.toFixed(2);
  }

  private viewSize(): Size {
    return { width: this.element.clientWidth || 1, height: this.element.clientHeight || 1 };
  }

  private setView(t: ViewTransform): void {
    this.view = t;
    this.canvas.style.transform = `translate(${t.offsetX}px, ${t.offsetY}px) scale(${t.scale})`;
    this.canvas.classList.toggle('pixelated', t.scale >= 2);
    this.emit('view');
  }

  private emit(change: SurfaceChange): void {
    for (const listener of [...this.listeners]) listener(change);
  }

  private onResize(): void {
    if (this.fitted) this.fit();
    this.emit('resize');
  }

  private readonly onDown = (e: PointerEvent): void => {
    if (!this.panEnabled || e.button !== 0 || !e.isPrimary) return;
    this.drag = { id: e.pointerId, x: e.clientX, y: e.clientY };
    try {
      this.element.setPointerCapture(e.pointerId);
    } catch {
      // Panning still works while the pointer stays over the viewer.
    }
  };

  private readonly onMove = (e: PointerEvent): void => {
    const drag = this.drag;
    if (!drag || e.pointerId !== drag.id) return;
    this.fitted = false;
    this.setView(panBy(this.view, e.clientX - drag.x, e.clientY - drag.y));
    this.drag = { id: drag.id, x: e.clientX, y: e.clientY };
  };

  private readonly onUp = (e: PointerEvent): void => {
    if (this.drag && e.pointerId === this.drag.id) this.drag = null;
  };

  /** Stacks scroll slices with the wheel (Ctrl+wheel zooms); single images zoom. */
  private readonly onWheel = (e: WheelEvent): void => {
    e.preventDefault();
    if (this.frameCount > 1 && !e.ctrlKey) {
      this.setFrame(this.currentFrame + this.wheel.step(e));
      return;
    }
    this.zoomBy(e.deltaY < 0 ? 1.2 : 1 / 1.2, this.clientToElement(e.clientX, e.clientY));
  };
}

const ranges = new WeakMap<RawFrame, { min: number; max: number }>();

/** A frame's value range, computed once per frame rather than on every repaint. */
function rangeOf(raw: RawFrame): { min: number; max: number } {
  let range = ranges.get(raw);
  if (!range) {
    range = valueRange(raw.values);
    ranges.set(raw, range);
  }
  return range;
}
