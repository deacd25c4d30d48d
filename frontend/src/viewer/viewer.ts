// Hosts the OpenSeadragon viewer plus an SVG box overlay, and maps element pixels ↔ level-0 image pixels.
import OpenSeadragon from 'openseadragon';
import type { Point, Rect, Size } from '../core/geometry';
import type { InlineDziSource } from './dzi';

const SVG_NS = 'http://www.w3.org/2000/svg';

/** One box to draw, in image coordinates. */
export interface BoxShape {
  id: number;
  rect: Rect;
  color: string;
  highlighted?: boolean;
}

export interface ViewerCallbacks {
  onOpen?: () => void;
  onOpenFailed?: (message: string) => void;
}

interface DrawnBox {
  shape: BoxShape;
  el: SVGRectElement;
}

export class ImageViewer {
  readonly container: HTMLElement;
  /** Full-size overlay above the tiles; receives pointer events only in drawing mode. */
  readonly overlay: SVGSVGElement;
  private readonly osd: OpenSeadragon.Viewer;
  private boxes: DrawnBox[] = [];
  private readonly draftEls: SVGRectElement[] = [];
  private drafts: Rect[] = [];
  private opened = false;
  private size: Size | null = null;

  constructor(container: HTMLElement, callbacks: ViewerCallbacks = {}) {
    this.container = container;
    this.osd = OpenSeadragon({
      element: container,
      drawer: 'canvas',
      showNavigationControl: false,
      showNavigator: true,
      navigatorPosition: 'BOTTOM_RIGHT',
      animationTime: 0.4,
      maxZoomPixelRatio: 10,
      visibilityRatio: 0.5,
      gestureSettingsMouse: { clickToZoom: false, dblClickToZoom: true, scrollToZoom: true },
    });
    this.overlay = document.createElementNS(SVG_NS, 'svg');
    this.overlay.setAttribute('class', 'box-overlay');
    this.overlay.setAttribute('aria-hidden', 'true');
    this.osd.canvas.appendChild(this.overlay);

    const redraw = (): void => this.redraw();
    this.osd.addHandler('animation', redraw);
    this.osd.addHandler('update-viewport', redraw);
    this.osd.addHandler('resize', redraw);
    this.osd.addHandler('open', () => {
      this.opened = true;
      container.dataset.ready = 'true';
      this.redraw();
      callbacks.onOpen?.();
    });
    this.osd.addHandler('open-failed', (event) => {
      callbacks.onOpenFailed?.(event.message || 'The image could not be opened.');
    });
    this.overlay.addEventListener('wheel', this.onWheel, { passive: false });
  }

  open(source: InlineDziSource, size: Size): void {
    this.size = size;
    this.opened = false;
    delete this.container.dataset.ready;
    this.osd.open({ tileSource: source });
  }

  get isOpen(): boolean {
    return this.opened;
  }

  get imageSize(): Size | null {
    return this.size;
  }

  /** Pointer event position relative to the viewer element. */
  clientToElement(clientX: number, clientY: number): Point {
    const box = this.overlay.getBoundingClientRect();
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

  /** Drawing mode: the overlay takes the mouse and OSD stops panning with it. */
  setDrawingMode(on: boolean): void {
    this.osd.setMouseNavEnabled(!on);
    this.overlay.classList.toggle('drawing', on);
  }

  setBoxes(shapes: BoxShape[]): void {
    for (const b of this.boxes) b.el.remove();
    this.boxes = shapes.map((shape) => {
      const el = document.createElementNS(SVG_NS, 'rect');
      el.setAttribute('data-testid', 'annotation');
      el.setAttribute('data-id', String(shape.id));
      el.setAttribute('class', shape.highlighted ? 'box highlighted' : 'box');
      el.style.setProperty('--box-color', shape.color);
      this.overlay.appendChild(el);
      return { shape, el };
    });
    this.redraw();
  }

  /** Boxes being drawn or waiting for the server (dashed, not yet annotations). */
  setDrafts(rects: Rect[]): void {
    this.drafts = rects;
    while (this.draftEls.length < rects.length) {
      const el = document.createElementNS(SVG_NS, 'rect');
      el.setAttribute('data-testid', 'draft-box');
      el.setAttribute('class', 'box draft');
      this.draftEls.push(el);
    }
    this.draftEls.forEach((el, i) => {
      if (i < rects.length) this.overlay.appendChild(el);
      else el.remove();
    });
    this.redraw();
  }

  zoomBy(factor: number): void {
    this.osd.viewport.zoomBy(factor);
    this.osd.viewport.applyConstraints();
  }

  goHome(): void {
    this.osd.viewport.goHome();
  }

  /** Pan/zoom so that an image-space rect is in view with some margin around it. */
  showRect(r: Rect): void {
    const margin = Math.max(r.w, r.h) * 0.5 + 10;
    const bounds = this.osd.viewport.imageToViewportRectangle(
      r.x - margin,
      r.y - margin,
      r.w + 2 * margin,
      r.h + 2 * margin,
    );
    this.osd.viewport.fitBounds(bounds);
  }

  destroy(): void {
    this.overlay.removeEventListener('wheel', this.onWheel);
    this.osd.destroy();
  }

  private placeRect(el: SVGRectElement, r: Rect): void {
    const a = this.imageToElement({ x: r.x, y: r.y });
    const b = this.imageToElement({ x: r.x + r.w, y: r.y + r.h });
    el.setAttribute('x', a.x.toFixed(1));
    el.setAttribute('y', a.y.toFixed(1));
    el.setAttribute('width', Math.max(0, b.x - a.x).toFixed(1));
    el.setAttribute('height', Math.max(0, b.y - a.y).toFixed(1));
  }

  private redraw(): void {
    if (!this.opened) return;
    for (const { shape, el } of this.boxes) this.placeRect(el, shape.rect);
    this.drafts.forEach((r, i) => {
      const el = this.draftEls[i];
      if (el) this.placeRect(el, r);
    });
  }

  /** While drawing, OSD's own wheel handling is off; keep zooming around the pointer. */
  private readonly onWheel = (event: WheelEvent): void => {
    if (!this.opened) return;
    event.preventDefault();
    const at = this.clientToElement(event.clientX, event.clientY);
    const factor = event.deltaY < 0 ? 1.2 : 1 / 1.2;
    const viewport = this.osd.viewport;
    viewport.zoomBy(factor, viewport.pointFromPixel(new OpenSeadragon.Point(at.x, at.y), true));
    viewport.applyConstraints();
  };
}
