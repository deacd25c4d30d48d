// Pure window/level maths: LINEAR VOI per DICOM PS3.3 C.11.2.1.2, presets, a robust default, lookup tables.

/** A VOI window in real values (HU for CT): centre and width, width ≥ 1. */
export interface Window {
  center: number;
  width: number;
}

/** A named window the toolbar offers. */
export interface WindowPreset extends Window {
  name: string;
}

/** The CT presets of the labeling screen contract (centre/width in HU). */
export const CT_PRESETS: readonly WindowPreset[] = [
  { name: 'Brain', center: 40, width: 80 },
  { name: 'Subdural', center: 75, width: 215 },
  { name: 'Lung', center: -600, width: 1500 },
  { name: 'Mediastinum', center: 50, width: 350 },
  { name: 'Soft tissue', center: 40, width: 400 },
  { name: 'Liver', center: 90, width: 150 },
  { name: 'Bone', center: 480, width: 2500 },
];

/** Widest value range a lookup table covers; wider integer frames (and floats) are windowed value by value. */
export const MAX_LUT_ENTRIES = 1 << 18;

/**
 * LINEAR VOI of PS3.3 C.11.2.1.2.1 onto 0…255 (rounded): below c − ½ − (w−1)/2 → 0, above c − ½ + (w−1)/2 → 255,
 * else ((x − (c − ½)) / (w − 1) + ½) · 255. `invert` flips the output (MONOCHROME1, or the Invert button).
 */
export function windowLinear(x: number, window: Window, invert = false): number {
  const c = window.center;
  const w = Math.max(1, window.width);
  let y: number;
  if (x <= c - 0.5 - (w - 1) / 2) y = 0;
  else if (x > c - 0.5 + (w - 1) / 2) y = 255;
  else y = Math.round(((x - (c - 0.5)) / (w - 1) + 0.5) * 255);
  y = Math.min(255, Math.max(0, y));
  return invert ? 255 - y : y;
}

/** Display inverted when exactly one of MONOCHROME1 and the user's Invert is on. */
export function effectiveInvert(photometric: string, userInvert: boolean): boolean {
  return (photometric === 'MONOCHROME1') !== userInvert;
}

/** Opaque grey as one little-endian RGBA word (the byte order of ImageData on every browser). */
export function greyPixel(level: number): number {
  return (0xff000000 | (level << 16) | (level << 8) | level) >>> 0;
}

/** RGBA words for every integer value from `min` to `max` (entry i is value min + i). */
export function buildLut(min: number, max: number, window: Window, invert: boolean): Uint32Array {
  const lut = new Uint32Array(max - min + 1);
  for (let i = 0; i < lut.length; i++) lut[i] = greyPixel(windowLinear(min + i, window, invert));
  return lut;
}

export type FrameValues = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;

/** Smallest and largest value (0, 0 for an empty frame; NaN values skipped). */
export function valueRange(values: FrameValues): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return Number.isFinite(min) ? { min, max } : { min: 0, max: 0 };
}

function isIntegral(values: FrameValues): boolean {
  return !(values instanceof Float32Array || values instanceof Float64Array);
}

/**
 * Paint grey values into RGBA words through a window. Integer frames of moderate range go through a lookup
 * table (one read and one store per pixel: a 512² slice repaints in about a millisecond); others value by value.
 */
export function paintGrey(
  values: FrameValues,
  out: Uint32Array,
  window: Window,
  invert: boolean,
  range: { min: number; max: number } = valueRange(values),
): void {
  const n = Math.min(values.length, out.length);
  if (isIntegral(values) && range.max - range.min < MAX_LUT_ENTRIES) {
    const lut = buildLut(range.min, range.max, window, invert);
    const min = range.min;
    for (let i = 0; i < n; i++) out[i] = lut[(values[i] as number) - min] as number;
    return;
  }
  for (let i = 0; i < n; i++) out[i] = greyPixel(windowLinear(values[i] as number, window, invert));
}

/** RGB(A)-interleaved 8- or 16-bit samples to opaque RGBA words (16-bit scaled down to 8). */
export function paintColour(values: Uint8Array | Uint16Array, samples: number, out: Uint32Array): void {
  const shift = values instanceof Uint16Array ? 8 : 0;
  const n = Math.min(out.length, Math.floor(values.length / samples));
  for (let i = 0, j = 0; i < n; i++, j += samples) {
    const r = (values[j] as number) >> shift;
    const g = (values[j + 1] as number) >> shift;
    const b = (values[j + 2] as number) >> shift;
    out[i] = (0xff000000 | (b << 16) | (g << 8) | r) >>> 0;
  }
}

/**
 * The window from the `low` to the `high` quantile of the values (default 0.5 %–99.5 %), for frames that
 * store none: a few extreme pixels (air outside a scanner's circle, a hot pixel) do not wash the image out.
 */
export function robustWindow(values: FrameValues, low = 0.005, high = 0.995): Window {
  const range = valueRange(values);
  if (values.length === 0 || range.max === range.min) return { center: range.min, width: 1 };
  let lo: number;
  let hi: number;
  if (isIntegral(values) && range.max - range.min < MAX_LUT_ENTRIES) {
    const counts = new Uint32Array(range.max - range.min + 1);
    for (let i = 0; i < values.length; i++) {
      const k = (values[i] as number) - range.min;
      counts[k] = (counts[k] as number) + 1;
    }
    const quantile = (q: number): number => {
      const target = q * (values.length - 1);
      let seen = 0;
      for (let i = 0; i < counts.length; i++) {
        seen += counts[i] as number;
        if (seen > target) return range.min + i;
      }
      return range.max;
    };
    lo = quantile(low);
    hi = quantile(high);
  } else {
    const step = Math.max(1, Math.floor(values.length / 65536));
    const sample: number[] = [];
    for (let i = 0; i < values.length; i += step) if (!Number.isNaN(values[i])) sample.push(values[i] as number);
    sample.sort((a, b) => a - b);
    lo = sample[Math.floor(low * (sample.length - 1))] ?? range.min;
    hi = sample[Math.ceil(high * (sample.length - 1))] ?? range.max;
  }
  if (hi <= lo) return { center: (range.min + range.max) / 2, width: Math.max(1, range.max - range.min) };
  return { center: (lo + hi) / 2, width: Math.max(1, hi - lo) };
}

/** A window after a Window/level drag of (dx, dy) CSS pixels: right widens, down raises the centre. */
export function dragWindow(start: Window, dx: number, dy: number, valuesPerPixel: number): Window {
  return {
    center: start.center + dy * valuesPerPixel,
    width: Math.max(1, start.width + dx * valuesPerPixel),
  };
}

/** How a value reads to people: integers as they are, others to 4 significant digits. */
export function formatValue(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(4)));
}

/** The "Window" readout: `C 40 W 80`. */
export function formatWindow(window: Window): string {
  return `C ${formatValue(window.center)} W ${formatValue(window.width)}`;
}
