// SVG layer in a surface's overlayHost: saved boxes, draft boxes and measurement lines, kept in place on every view change.
import type { Point, Rect } from '../core/geometry';
import type { ViewerSurface } from './surface';

const SVG_NS = 'http://www.w3.org/2000/svg';

/** One box to draw, in image coordinates. */
export interface BoxShape {
  id: number;
  rect: Rect;
  color: string;
  highlighted?: boolean;
}

/** One ruler, in image coordinates, with its text. */
export interface LineShape {
  a: Point;
  b: Point;
  text: string;
}

export class BoxLayer {
  /** Receives pointer events only in drawing mode. */
  readonly svg: SVGSVGElement;
  private boxes: { shape: BoxShape; el: SVGRectElement }[] = [];
  private drafts: Rect[] = [];
  private readonly draftEls: SVGRectElement[] = [];
  private lines: { shape: LineShape; el: SVGGElement }[] = [];
  private readonly unsubscribe: () => void;

  constructor(private readonly surface: ViewerSurface) {
    this.svg = document.createElementNS(SVG_NS, 'svg');
    this.svg.setAttribute('class', 'box-overlay');
    this.svg.setAttribute('aria-hidden', 'true');
    surface.overlayHost.appendChild(this.svg);
    this.unsubscribe = surface.subscribe(() => this.redraw());
  }

  /** Drawing mode: the layer takes the mouse (a tool listens on it) and the surface stops panning. */
  setDrawingMode(on: boolean): void {
    this.surface.setPanEnabled(!on);
    this.svg.classList.toggle('drawing', on);
  }

  setBoxes(shapes: BoxShape[]): void {
    for (const b of this.boxes) b.el.remove();
    this.boxes = shapes.map((shape) => {
      const el = document.createElementNS(SVG_NS, 'rect');
      el.setAttribute('data-testid', 'annotation');
      el.setAttribute('data-id', String(shape.id));
      el.setAttribute('class', shape.highlighted ? 'box highlighted' : 'box');
      el.style.setProperty('--box-color', shape.color);
      this.svg.appendChild(el);
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
      if (i < rects.length) this.svg.appendChild(el);
      else el.remove();
    });
    this.redraw();
  }

  /** Rulers (Length measurements) on the frame shown. */
  setLines(shapes: LineShape[]): void {
    for (const l of this.lines) l.el.remove();
    this.lines = shapes.map((shape) => {
      const g = document.createElementNS(SVG_NS, 'g');
      g.setAttribute('class', 'ruler');
      g.setAttribute('data-testid', 'ruler');
      g.append(document.createElementNS(SVG_NS, 'line'), document.createElementNS(SVG_NS, 'text'));
      (g.lastChild as SVGTextElement).textContent = shape.text;
      this.svg.appendChild(g);
      return { shape, el: g };
    });
    this.redraw();
  }

  destroy(): void {
    this.unsubscribe();
    this.svg.remove();
  }

  private placeRect(el: SVGRectElement, r: Rect): void {
    const a = this.surface.imageToElement({ x: r.x, y: r.y });
    const b = this.surface.imageToElement({ x: r.x + r.w, y: r.y + r.h });
    el.setAttribute('x', a.x.toFixed(1));
    el.setAttribute('y', a.y.toFixed(1));
    el.setAttribute('width', Math.max(0, b.x - a.x).toFixed(1));
    el.setAttribute('height', Math.max(0, b.y - a.y).toFixed(1));
  }

  private placeLine(g: SVGGElement, s: LineShape): void {
    const a = this.surface.imageToElement(s.a);
    const b = this.surface.imageToElement(s.b);
    const line = g.firstChild as SVGLineElement;
    line.setAttribute('x1', a.x.toFixed(1));
    line.setAttribute('y1', a.y.toFixed(1));
    line.setAttribute('x2', b.x.toFixed(1));
    line.setAttribute('y2', b.y.toFixed(1));
    const text = g.lastChild as SVGTextElement;
    text.setAttribute('x', (b.x + 6).toFixed(1));
    text.setAttribute('y', (b.y - 6).toFixed(1));
  }

  private redraw(): void {
    if (!this.surface.imageSize) return;
    for (const { shape, el } of this.boxes) this.placeRect(el, shape.rect);
    this.drafts.forEach((r, i) => {
      const el = this.draftEls[i];
      if (el) this.placeRect(el, r);
    });
    for (const { shape, el } of this.lines) this.placeLine(el, shape);
  }
}
