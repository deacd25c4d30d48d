// The baseline: one SVG element per shape, repositioned on every view change, as viewer/viewer.ts does today.
import type { Shape } from '../src/core/shapes/model';
import type { ViewerSurface } from '../src/viewer/surface';

const SVG = 'http://www.w3.org/2000/svg';

export class SvgOverlay {
  readonly svg: SVGSVGElement;
  private els: { shape: Shape; el: SVGElement }[] = [];

  constructor(private readonly surface: ViewerSurface) {
    this.svg = document.createElementNS(SVG, 'svg');
    this.svg.setAttribute('class', 'svg-overlay');
    Object.assign(this.svg.style, { position: 'absolute', inset: '0', width: '100%', height: '100%' });
    surface.overlayHost.appendChild(this.svg);
    surface.subscribe(() => this.redraw());
  }

  setShapes(shapes: readonly Shape[]): void {
    this.svg.replaceChildren();
    this.els = shapes.map((shape) => {
      const el = document.createElementNS(SVG, 'polygon');
      this.svg.appendChild(el);
      return { shape, el };
    });
    this.redraw();
  }

  private redraw(): void {
    for (const { shape, el } of this.els) {
      if (shape.kind !== 'polygon') continue;
      el.setAttribute(
        'points',
        shape.points
          .map((p) => {
            const q = this.surface.imageToElement(p);
            return `${q.x.toFixed(1)},${q.y.toFixed(1)}`;
          })
          .join(' '),
      );
    }
  }
}
