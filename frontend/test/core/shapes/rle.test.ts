// The browser's RLE must equal the server's byte for byte (fixtures come from annotator/annotations/rle.py).
import { describe, expect, it } from 'vitest';
import { countsToString, decodeRle, encodeBitmap, RleError, stringToCounts } from '../../../src/core/shapes/rle';
import { FIXTURES } from './rleFixtures';

function bitmap(rows: readonly string[]): { bits: Uint8Array; w: number; h: number } {
  const h = rows.length;
  const w = rows[0]!.length;
  const bits = new Uint8Array(w * h);
  rows.forEach((r, y) => [...r].forEach((c, x) => (bits[y * w + x] = c === '1' ? 1 : 0)));
  return { bits, w, h };
}

describe('COCO RLE', () => {
  it.each(FIXTURES.cases.map((c, i) => [i, c] as const))('encodes case %i exactly like the server', (_, c) => {
    const { bits, w, h } = bitmap(c.rows);
    expect(encodeBitmap(bits, w, h)).toEqual(c.rle);
    expect(decodeRle({ counts: c.rle.counts, size: [h, w] })).toEqual(bits);
  });

  it('encodes a large filled block like the server', () => {
    const [h, w] = FIXTURES.big.shape;
    const [y0, y1, x0, x1] = FIXTURES.big.fill;
    const bits = new Uint8Array(w * h);
    for (let y = y0; y < y1; y++) bits.fill(1, y * w + x0, y * w + x1);
    expect(encodeBitmap(bits, w, h).counts).toBe(FIXTURES.big.rle.counts);
  });

  it('writes and reads counts past 2^31 and negative deltas', () => {
    expect(countsToString(FIXTURES.counts.in)).toBe(FIXTURES.counts.out);
    expect(stringToCounts(FIXTURES.counts.out)).toEqual(FIXTURES.counts.in);
  });

  it('rejects foreign characters, cut-off counts and wrong totals', () => {
    expect(() => stringToCounts('0 1')).toThrow(RleError);
    expect(() => stringToCounts('d')).toThrow(/middle of a count/);
    expect(() => decodeRle({ counts: '141', size: [2, 2] })).toThrow(/cover 6 pixels/);
  });

  it('encodes an empty box as a single zero run', () => {
    expect(encodeBitmap(new Uint8Array(0), 0, 0)).toEqual({ counts: '0', size: [0, 0] });
  });
});
