// SVG layer in a surface's overlayHost: Length rulers with their text, kept in place on every view change.
import type { Point } from '../core/geometry';
import type { ViewerSurface } from './surface';

const SVG_NS = 'http://www.w3.org/2000/svg';

/** One ruler, in image coordinates, with its text. */
export interface LineShape {
  a: Point;
  b: Point;
  text: string;
}

export class RulerLayer {
  /** Never takes the pointer: the Length tool listens on the viewer element. */
  readonly svg: SVGSVGElement;
  private lines: { shape: LineShape; el: SVGGElement }[] = [];
  private readonly unsubscribe: () => void;

  constructor(private readonly surface: ViewerSurface) {
    this.svg = document.createElementNS(SVG_NS, 'svg');
    this.svg.setAttribute('class', 'box-overlay');
    this.svg.setAttribute('aria-hidden', 'true');
    surface.overlayHost.appendChild(this.svg);
    this.unsubscribe = surface.subscribe(() => this.redraw());
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
    for (const { shape, el } of this.lines) this.placeLine(el, shape);
  }
}
