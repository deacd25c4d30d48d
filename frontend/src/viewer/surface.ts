// The contract between an image source's view (tiles or raw frames) and what draws on top of it.
import type { Point, Rect, Size } from '../core/geometry';

/**
 * Affine map from level-0 image pixels of the frame shown to viewer-element CSS pixels:
 * `element = image * scale + offset`. No rotation: both kinds of source pan and zoom only.
 */
export interface ViewTransform {
  /** Element CSS pixels per image pixel. */
  readonly scale: number;
  /** Element position of the image origin (top-left corner of the top-left pixel). */
  readonly offsetX: number;
  readonly offsetY: number;
}

/** What changed when a surface notifies its listeners. */
export type SurfaceChange = 'view' | 'frame' | 'resize' | 'open';

/**
 * One viewer, several image sources: deep-zoom tiles (slides, big rasters) and raw frames windowed on a
 * canvas (DICOM/NIfTI stacks, 16-bit PNG) both implement this, so tools and the shape layer work the
 * same on either. Coordinates are always level-0 image pixels of the frame shown.
 */
export interface ViewerSurface {
  /** The viewer element (position: relative); the surface fills it. */
  readonly element: HTMLElement;
  /** A full-size layer above the image for shape canvases and SVG editors; it never blocks the image. */
  readonly overlayHost: HTMLElement;
  /** Level-0 size of the frame shown, or null until the source has opened. */
  readonly imageSize: Size | null;
  /** Frame shown (0-based) and how many there are (1 for single images). */
  readonly frame: number;
  readonly frameCount: number;

  /** The current image → element map. */
  transform(): ViewTransform;
  elementToImage(p: Point): Point;
  imageToElement(p: Point): Point;
  /** Pointer position (clientX/Y) relative to the viewer element. */
  clientToElement(clientX: number, clientY: number): Point;

  /** Called after every pan, zoom, resize, frame change and open; returns an unsubscribe function. */
  subscribe(listener: (change: SurfaceChange) => void): () => void;

  /** Whether a drag on the image pans (true) or is left to the active tool (false). */
  setPanEnabled(enabled: boolean): void;
  /** Whole image in view ("Fit", key Home). */
  fit(): void;
  /** Pan and zoom so that an image-space rect is in view with a margin. */
  showRect(r: Rect): void;
  zoomBy(factor: number, aroundElementPoint?: Point): void;
  /** Show another frame of a stack (clamped to 0…frameCount-1). */
  setFrame(frame: number): void;

  destroy(): void;
}
