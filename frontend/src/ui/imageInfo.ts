// Info overlay text: modality, slice position and thickness, spacing, size — a whitelist, so no identifier can show.
import type { ImageInfo } from '../api/types';

/** What the frame shown adds to the image's metadata (from the raw frame's headers). */
export interface FrameFacts {
  position: number[] | null;
  thickness: number | null;
}

const mm = (v: number): string => `${Number(v.toFixed(2))} mm`;

function numberList(value: unknown, length: number): number[] | null {
  return Array.isArray(value) && value.length >= length && value.every((v) => typeof v === 'number' && Number.isFinite(v))
    ? (value as number[])
    : null;
}

/** Position along the slice normal (row direction × column direction), the "slice location" people read. */
export function sliceLocation(position: readonly number[], orientation: readonly number[] | null): number {
  if (!orientation || orientation.length < 6) return position[2] ?? 0;
  const [r0, r1, r2, c0, c1, c2] = orientation as [number, number, number, number, number, number];
  const n = [r1 * c2 - r2 * c1, r2 * c0 - r0 * c2, r0 * c1 - r1 * c0];
  return (position[0] ?? 0) * (n[0] as number) + (position[1] ?? 0) * (n[1] as number) + (position[2] ?? 0) * (n[2] as number);
}

/** Lines of the info overlay, each "Name value". Only these fields are read from the metadata. */
export function infoLines(image: Pick<ImageInfo, 'kind' | 'width' | 'height' | 'metadata'>, frame: FrameFacts | null): string[] {
  const m = image.metadata;
  const lines: string[] = [];
  const modality = typeof m.modality === 'string' && /^[A-Z]{1,16}$/.test(m.modality) ? m.modality : null;
  if (modality) lines.push(`Modality ${modality}`);
  else if (image.kind === 'slide') lines.push('Whole-slide image');
  const orientation = numberList(m.image_orientation, 6);
  const position = frame?.position ?? numberList(m.image_position, 3);
  if (position) lines.push(`Slice position ${mm(sliceLocation(position, orientation))}`);
  const thickness = frame?.thickness ?? (typeof m.slice_thickness === 'number' ? m.slice_thickness : null);
  if (thickness) lines.push(`Thickness ${mm(thickness)}`);
  const spacing = numberList(m.pixel_spacing, 2);
  if (spacing) {
    lines.push(
      image.kind === 'slide'
        ? `Resolution ${Number((spacing[1] as number * 1000).toFixed(3))} µm/px`
        : `Spacing ${Number((spacing[0] as number).toFixed(3))} × ${Number((spacing[1] as number).toFixed(3))} mm`,
    );
  }
  if (image.width && image.height) lines.push(`Size ${image.width} × ${image.height} px`);
  return lines;
}
