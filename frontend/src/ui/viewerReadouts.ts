// The viewer's readouts: pixel value under the pointer, slice, and the info overlay (whitelisted facts only).
import type { ImageInfo } from '../api/types';
import { CanvasSurface } from '../viewer/canvasSurface';
import type { ViewerSurface } from '../viewer/surface';
import { TileSurface } from '../viewer/viewer';
import { formatValue } from '../viewer/windowing';
import type { DisplayControls } from './displayControls';
import { h, setChildren } from './dom';
import { infoLines } from './imageInfo';

/** `-1000 HU` for CT, the number for other grey images, `R G B` for colour. */
export function formatPixel(values: readonly number[], hu: boolean): string {
  if (values.length >= 3) return values.slice(0, 3).map((v) => formatValue(v)).join(' ');
  const v = values[0];
  return v === undefined ? '' : `${formatValue(v)}${hu ? ' HU' : ''}`;
}

export class ViewerReadouts {
  private readonly info: HTMLElement;
  private surface: ViewerSurface | null = null;
  /** Last pointer position over the viewer, so the value follows a slice change under a still pointer. */
  private pointer: { clientX: number; clientY: number } | null = null;

  constructor(
    private readonly viewerEl: HTMLElement,
    private readonly image: ImageInfo,
    private readonly display: DisplayControls,
  ) {
    this.info = h('div', { class: 'info-overlay', 'data-testid': 'image-info', 'aria-label': 'Image information', role: 'note' });
    viewerEl.append(this.info, h('div', { class: 'readout-overlay' }, display.readouts));
    viewerEl.addEventListener('pointermove', this.onMove);
    viewerEl.addEventListener('pointerleave', this.onLeave);
  }

  /** Refresh what depends on the frame shown. */
  update(surface: ViewerSurface): void {
    this.surface = surface;
    if (surface.frameCount > 1) this.display.showSlice(surface.frame, surface.frameCount);
    const raw = surface instanceof CanvasSurface ? surface.shownFrame : null;
    const lines = infoLines(this.image, raw ? { position: raw.position, thickness: raw.thickness } : null);
    setChildren(this.info, ...lines.map((line) => h('div', {}, line)));
    if (this.pointer) this.showValueAt(this.pointer.clientX, this.pointer.clientY);
  }

  destroy(): void {
    this.viewerEl.removeEventListener('pointermove', this.onMove);
    this.viewerEl.removeEventListener('pointerleave', this.onLeave);
  }

  private readonly onMove = (e: PointerEvent): void => {
    this.pointer = { clientX: e.clientX, clientY: e.clientY };
    this.showValueAt(e.clientX, e.clientY);
  };

  private showValueAt(clientX: number, clientY: number): void {
    const surface = this.surface;
    const size = surface?.imageSize;
    if (!surface || !size) return;
    const at = surface.clientToElement(clientX, clientY);
    const p = surface.elementToImage(at);
    if (p.x < 0 || p.y < 0 || p.x >= size.width || p.y >= size.height) {
      this.display.showValue('');
      return;
    }
    let values: number[] | null = null;
    let hu = false;
    if (surface instanceof CanvasSurface) {
      values = surface.valueAt(p);
      const raw = surface.shownFrame;
      hu = raw?.rescaleType === 'HU' || this.image.metadata.modality === 'CT';
    } else if (surface instanceof TileSurface) values = surface.colourAt(at);
    this.display.showValue(values ? formatPixel(values, hu) : '');
  }

  private readonly onLeave = (): void => {
    this.pointer = null;
    this.display.showValue('');
  };
}
