// Scale bar over a surface: the longest round length (1, 2 or 5 × 10ⁿ) that fits, in µm for slides or mm for scans.
import type { ViewerSurface } from './surface';

/** The largest 1, 2 or 5 × 10ⁿ not above `max` (0 for max ≤ 0). */
export function roundLength(max: number): number {
  if (!(max > 0)) return 0;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [5, 2, 1]) if (step * power <= max) return step * power;
  return power;
}

/** Bar length in CSS px and its label, for `mmPerPixel` image-pixel size and `scale` CSS px per image pixel. */
export function scaleBar(mmPerPixel: number, scale: number, maxCss = 120, unit: 'µm' | 'mm' = 'mm'): { css: number; text: string } | null {
  if (!(mmPerPixel > 0) || !(scale > 0)) return null;
  const perMm = unit === 'µm' ? 1000 : 1;
  const unitsPerCss = (mmPerPixel * perMm) / scale;
  const length = roundLength(maxCss * unitsPerCss);
  if (length === 0) return null;
  const big = unit === 'µm' && length >= 1000;
  const text = big ? `${length / 1000} mm` : `${Number(length.toPrecision(3))} ${unit}`;
  return { css: length / unitsPerCss, text };
}

/** A bar in the surface's overlay host, kept true on every pan and zoom. */
export class ScaleBar {
  readonly el: HTMLElement;
  private readonly bar: HTMLElement;
  private readonly label: HTMLElement;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly surface: ViewerSurface,
    private readonly mmPerPixel: number,
    private readonly unit: 'µm' | 'mm',
  ) {
    this.bar = document.createElement('span');
    this.bar.className = 'scale-bar-line';
    this.label = document.createElement('span');
    this.el = document.createElement('div');
    this.el.className = 'scale-bar';
    this.el.dataset.testid = 'scale-bar';
    this.el.append(this.bar, this.label);
    surface.overlayHost.appendChild(this.el);
    this.unsubscribe = surface.subscribe(() => this.update());
    this.update();
  }

  update(): void {
    const s = this.surface.imageSize ? scaleBar(this.mmPerPixel, this.surface.transform().scale, 120, this.unit) : null;
    this.el.hidden = s === null;
    if (!s) return;
    this.bar.style.width = `${s.css.toFixed(1)}px`;
    this.label.textContent = s.text;
  }

  destroy(): void {
    this.unsubscribe();
    this.el.remove();
  }
}
