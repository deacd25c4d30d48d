// COCO run-length encoding of a row-major bitmap, byte for byte as annotator/annotations/rle.py writes it.
//
// Runs are counted column by column (COCO's Fortran order) and start with a (possibly empty) run of
// zeros; no empty closing run is written. The string form stores each count, from the fourth on, as
// the difference to the count two places before, in little-endian 5-bit groups: character 48 + group,
// 0x20 set while more groups follow, the last group's 0x10 bit the sign.

const FIRST_CHAR = 48;

export class RleError extends Error {
  override name = 'RleError';
}

export interface Rle {
  counts: string;
  /** [h, w] */
  size: [number, number];
}

export function countsToString(counts: readonly number[]): string {
  let out = '';
  for (let i = 0; i < counts.length; i++) {
    // Deltas only from index 3 on (index > 2), exactly like pycocotools and the server.
    let value = counts[i]! - (i > 2 ? counts[i - 2]! : 0);
    let more = true;
    while (more) {
      const group = ((value % 32) + 32) % 32; // value & 0x1f, also past 32 bits
      value = Math.floor(value / 32); // arithmetic shift that stays exact past 32 bits
      more = group & 0x10 ? value !== -1 : value !== 0;
      out += String.fromCharCode(FIRST_CHAR + (group | (more ? 0x20 : 0)));
    }
  }
  return out;
}

export function stringToCounts(text: string): number[] {
  const counts: number[] = [];
  let value = 0;
  let shift = 0;
  for (let pos = 0; pos < text.length; pos++) {
    const code = text.charCodeAt(pos) - FIRST_CHAR;
    if (code < 0 || code > 63) throw new RleError(`character ${JSON.stringify(text[pos])} at ${pos} is not part of the RLE alphabet`);
    value += (code & 0x1f) * 2 ** shift;
    shift += 5;
    if (code & 0x20) continue;
    if (code & 0x10) value -= 2 ** shift;
    if (counts.length > 2) value += counts[counts.length - 2]!;
    counts.push(value);
    value = 0;
    shift = 0;
  }
  if (shift) throw new RleError('the RLE string ends in the middle of a count');
  return counts;
}

/** Run lengths (column-major) of a row-major w × h bitmap. */
export function bitmapToCounts(bits: Uint8Array, w: number, h: number): number[] {
  const counts: number[] = [];
  let current = 0; // value of the run being counted; the first run is of zeros
  let run = 0;
  for (let col = 0; col < w; col++) {
    for (let row = 0; row < h; row++) {
      const v = bits[row * w + col] ? 1 : 0;
      if (v !== current) {
        counts.push(run);
        run = 0;
        current = v;
      }
      run++;
    }
  }
  if (run > 0 || counts.length === 0) counts.push(run);
  return counts;
}

export function encodeBitmap(bits: Uint8Array, w: number, h: number): Rle {
  return { counts: countsToString(bitmapToCounts(bits, w, h)), size: [h, w] };
}

/** The row-major bitmap of an RLE; RleError unless its runs cover exactly h × w pixels. */
export function decodeRle(rle: Rle): Uint8Array {
  const [h, w] = rle.size;
  const counts = stringToCounts(rle.counts);
  let total = 0;
  for (const c of counts) {
    if (c < 0) throw new RleError('the RLE has a negative run length');
    total += c;
  }
  if (total !== h * w) throw new RleError(`the RLE runs cover ${total} pixels, not ${h} × ${w} = ${h * w}`);
  const bits = new Uint8Array(w * h);
  let index = 0; // column-major position
  for (let i = 0; i < counts.length; i++) {
    const end = index + counts[i]!;
    if (i % 2 === 1) {
      for (let k = index; k < end; k++) bits[(k % h) * w + Math.floor(k / h)] = 1;
    }
    index = end;
  }
  return bits;
}
