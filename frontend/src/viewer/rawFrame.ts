// Reads a raw frame answer (/images/{id}/frames/{n}?raw=1): little-endian values plus the headers describing them.
import type { FrameValues, Window } from './windowing';

/** One frame's real values (HU for CT: the modality LUT is already applied) and what the server says of them. */
export interface RawFrame {
  width: number;
  height: number;
  /** 1 for grey, 3 (RGB) or 4 (RGBA) for colour. */
  samples: number;
  values: FrameValues;
  dtype: string;
  photometric: string;
  /** The file's own window for this frame, when it states one. */
  window: Window | null;
  /** e.g. "HU" for CT, "US" (unspecified) otherwise. */
  rescaleType: string | null;
  /** Patient position of the frame's first pixel (mm), when the file says. */
  position: number[] | null;
  /** Slice thickness (mm), when the file says. */
  thickness: number | null;
  /** Bytes held, for the cache's budget. */
  bytes: number;
}

export class RawFrameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RawFrameError';
  }
}

interface ArrayCtor {
  new (buffer: ArrayBuffer): FrameValues;
  readonly BYTES_PER_ELEMENT: number;
}

const ARRAYS: Record<string, ArrayCtor> = {
  uint8: Uint8Array,
  int8: Int8Array,
  uint16: Uint16Array,
  int16: Int16Array,
  uint32: Uint32Array,
  int32: Int32Array,
  float32: Float32Array,
  float64: Float64Array,
};

interface HeaderLike {
  get(name: string): string | null;
}

function numbers(text: string | null): number[] | null {
  if (!text) return null;
  const parts = text.split(/[,\\]/).map((s) => Number(s.trim()));
  return parts.length > 0 && parts.every(Number.isFinite) ? parts : null;
}

/** The typed values and description of one raw frame; RawFrameError says what does not add up. */
export function parseRawFrame(buffer: ArrayBuffer, headers: HeaderLike): RawFrame {
  const dtype = (headers.get('X-Frame-Dtype') ?? '').trim();
  const Ctor = ARRAYS[dtype];
  if (!Ctor) throw new RawFrameError(`unsupported sample type "${dtype || 'missing'}"`);
  const order = (headers.get('X-Frame-Byte-Order') ?? 'little').trim();
  if (order !== 'little') throw new RawFrameError(`unsupported byte order "${order}"`);
  const shape = numbers(headers.get('X-Frame-Shape'));
  if (!shape || shape.length < 2 || shape.length > 3 || !shape.every((n) => Number.isInteger(n) && n > 0)) {
    throw new RawFrameError(`invalid frame shape "${headers.get('X-Frame-Shape') ?? 'missing'}"`);
  }
  const [height, width, samples = 1] = shape as [number, number, number?];
  if (buffer.byteLength !== width * height * samples * Ctor.BYTES_PER_ELEMENT) {
    throw new RawFrameError(`expected ${width * height * samples} ${dtype} values for ${shape.join(' × ')}, got ${buffer.byteLength} bytes`);
  }
  const values = new Ctor(buffer);
  const center = Number(headers.get('X-Window-Center'));
  const widthValue = Number(headers.get('X-Window-Width'));
  const hasWindow = headers.get('X-Window-Center') !== null && Number.isFinite(center) && Number.isFinite(widthValue) && widthValue > 0;
  return {
    width,
    height,
    samples,
    values,
    dtype,
    photometric: (headers.get('X-Frame-Photometric') ?? (samples === 1 ? 'MONOCHROME2' : 'RGB')).trim(),
    window: hasWindow ? { center, width: Math.max(1, widthValue) } : null,
    rescaleType: headers.get('X-Rescale-Type'),
    position: numbers(headers.get('X-Image-Position')),
    thickness: numbers(headers.get('X-Slice-Thickness'))?.[0] ?? null,
    bytes: buffer.byteLength,
  };
}

/** The stored real value at an image pixel (grey), or its samples (colour); null outside the frame. */
export function valueAt(frame: RawFrame, x: number, y: number): number[] | null {
  const col = Math.floor(x);
  const row = Math.floor(y);
  if (col < 0 || row < 0 || col >= frame.width || row >= frame.height) return null;
  const start = (row * frame.width + col) * frame.samples;
  return Array.from(frame.values.subarray(start, start + Math.min(frame.samples, 3)));
}
