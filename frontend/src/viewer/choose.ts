// Picks the image source for an image: raw frames windowed on a canvas for grey stacks, deep-zoom tiles for the rest.
import type { ImageInfo } from '../api/types';

/** Largest frame drawn whole on a canvas (4096²: a big radiograph); larger grey images keep tiles. */
export const MAX_RAW_PIXELS = 4096 * 4096;

export type SourceKind = 'raw' | 'tiles';

/**
 * Grey DICOM (CT, MR, X-ray), NIfTI, 16-bit rasters and grey stacks get raw frames (real values, client-side
 * window/level); slides, colour images, 8-bit single grey pictures and anything over MAX_RAW_PIXELS get tiles.
 */
export function chooseSource(image: Pick<ImageInfo, 'kind' | 'width' | 'height' | 'frames' | 'metadata'>): SourceKind {
  if (image.kind === 'slide' || !image.width || !image.height) return 'tiles';
  if (image.width * image.height > MAX_RAW_PIXELS) return 'tiles';
  const photometric = String(image.metadata.photometric ?? '');
  if (!photometric.startsWith('MONOCHROME')) return 'tiles';
  const bits = Number(image.metadata.bits_stored ?? 8);
  const format = String(image.metadata.format ?? '');
  if (image.kind === 'dicom' || format.startsWith('nifti') || bits > 8 || image.frames > 1) return 'raw';
  return 'tiles';
}
