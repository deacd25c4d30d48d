// The one shape being drawn or edited, in SVG with its vertex handles; a brush stroke's mask on its own canvas.
import { rgb } from '../core/palette';
import type { Point, Rect } from '../core/geometry';
import type { MaskShape, Shape } from '../core/shapes/model';
import type { Draft } from '../tools/types';
import { rgbaWord } from './shapeLayer';
import type { ViewerSurface } from './surface';

const SVG = 'http://www.w3.org/2000/svg';
const HANDLE_PX = 4;

export class EditOverlay {
  readonly svg: SVGSVGElement;
  private maskCanvas: HTMLCanvasElement | null = null;
  private maskOf: { x: number; y: number; w: number; h: number } | null = null;
  private current: Draft | null = null;
  /** Reused for the dirty rect of each stroke step (no allocation per pointer move); grows as needed. */
  private scratch: ImageData | null = null;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly surface: ViewerSurface,
    private color = '#E69F00',
  ) {
    this.svg = document.createElementNS(SVG, 'svg');
    this.svg.setAttribute('class', 'edit-overlay');
    this.svg.setAttribute('aria-hidden', 'true');
    Object.assign(this.svg.style, { position: 'absolute', inset: '0', width: '100%', height: '100%', pointerEvents: 'none' });
    surface.overlayHost.appendChild(this.svg);
    this.unsubscribe = surface.subscribe(() => this.render());
  }

  setColor(color: string): void {
    this.color = color;
  }

  /** Show a draft (null hides it). Mask drafts repaint only their dirty rect. */
  show(draft: Draft | null): void {
    this.current = draft;
    if (draft?.shape.kind === 'mask') this.paintMask(draft.shape, draft.dirty ?? null);
    else this.dropMask();
    this.render();
  }

  destroy(): void {
    this.unsubscribe();
    this.svg.remove();
    this.dropMask();
  }

  private render(): void {
    this.svg.replaceChildren();
    const draft = this.current;
    this.placeMask();
    if (!draft || draft.shape.kind === 'mask') return;
    for (const shape of [draft.shape, ...(draft.extra ?? [])]) this.svg.appendChild(this.outline(shape));
    for (const v of draft.vertices ?? []) {
      const e = this.surface.imageToElement(v);
      this.svg.appendChild(el('circle', { cx: e.x, cy: e.y, r: HANDLE_PX, fill: '#fff', stroke: this.color, 'stroke-width': 1.5 }));
    }
  }

  private outline(shape: Shape): SVGElement {
    const attrs = { fill: 'none', stroke: this.color, 'stroke-width': 2, 'stroke-dasharray': '6 3' };
    const map = (p: Point) => this.surface.imageToElement(p);
    switch (shape.kind) {
      case 'bbox': {
        const a = map(shape);
        const b = map({ x: shape.x + shape.w, y: shape.y + shape.h });
        return el('rect', { ...attrs, x: a.x, y: a.y, width: b.x - a.x, height: b.y - a.y });
      }
      case 'point': {
        const a = map(shape);
        return el('circle', { ...attrs, cx: a.x, cy: a.y, r: 5 });
      }
      case 'polygon':
      case 'polyline': {
        const points = shape.points.map((p) => map(p)).map((p) => `${p.x},${p.y}`).join(' ');
        return el(shape.kind, { ...attrs, points });
      }
      default:
        return el('g', {});
    }
  }

  /** Keep a canvas the size of the mask's box; a grown box makes a new one, a stroke updates `dirty` only. */
  private paintMask(mask: MaskShape, dirty: Rect | null): void {
    const same = this.maskOf && this.maskOf.x === mask.x && this.maskOf.y === mask.y && this.maskOf.w === mask.w && this.maskOf.h === mask.h;
    if (!same || !this.maskCanvas) {
      this.dropMask();
      this.maskCanvas = document.createElement('canvas');
      this.maskCanvas.className = 'edit-mask';
      this.maskCanvas.width = Math.max(1, mask.w);
      this.maskCanvas.height = Math.max(1, mask.h);
      Object.assign(this.maskCanvas.style, { position: 'absolute', left: '0', top: '0', transformOrigin: '0 0', opacity: '0.5', imageRendering: 'pixelated', pointerEvents: 'none' });
      this.surface.overlayHost.insertBefore(this.maskCanvas, this.svg);
      this.maskOf = { x: mask.x, y: mask.y, w: mask.w, h: mask.h };
      dirty = { x: mask.x, y: mask.y, w: mask.w, h: mask.h };
    }
    const ctx = this.maskCanvas.getContext('2d');
    if (!ctx || !dirty) return;
    const x0 = Math.max(0, dirty.x - mask.x);
    const y0 = Math.max(0, dirty.y - mask.y);
    const w = Math.min(mask.w, dirty.x + dirty.w - mask.x) - x0;
    const h = Math.min(mask.h, dirty.y + dirty.h - mask.y) - y0;
    if (w <= 0 || h <= 0) return;
    let image = this.scratch;
    if (!image || image.width < w || image.height < h) {
      image = this.scratch = ctx.createImageData(Math.max(w, image?.width ?? 0), Math.max(h, image?.height ?? 0));
    }
    const words = new Uint32Array(image.data.buffer);
    const stride = image.width;
    const on = rgbaWord(rgb(this.color));
    const bits = mask.bits;
    for (let row = 0; row < h; row++) {
      const from = (y0 + row) * mask.w + x0;
      const out = row * stride;
      for (let col = 0; col < w; col++) words[out + col] = bits[from + col] ? on : 0;
    }
    // Only the w × h corner of the scratch image goes onto the canvas, at the dirty rect.
    ctx.putImageData(image, x0, y0, 0, 0, w, h);
  }

  private placeMask(): void {
    if (!this.maskCanvas || !this.maskOf) return;
    const { scale, offsetX, offsetY } = this.surface.transform();
    const x = offsetX + this.maskOf.x * scale;
    const y = offsetY + this.maskOf.y * scale;
    this.maskCanvas.style.transform = `translate(${x}px, ${y}px) scale(${scale})`;
  }

  private dropMask(): void {
    this.scratch = null;
    this.maskCanvas?.remove();
    this.maskCanvas = null;
    this.maskOf = null;
  }
}

function el(name: string, attrs: Record<string, string | number>): SVGElement {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}
