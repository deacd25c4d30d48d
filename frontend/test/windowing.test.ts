// Window/level maths: LINEAR per PS3.3 C.11.2.1.2.1, MONOCHROME1 and Invert, signed 16-bit, LUT equals formula.
import { describe, expect, it } from 'vitest';
import {
  buildLut,
  CT_PRESETS,
  dragWindow,
  effectiveInvert,
  formatWindow,
  greyPixel,
  paintColour,
  paintGrey,
  robustWindow,
  windowLinear,
} from '../src/viewer/windowing';

/** The standard's formula, written out independently for 8-bit output. */
function standard(x: number, c: number, w: number): number {
  if (x <= c - 0.5 - (w - 1) / 2) return 0;
  if (x > c - 0.5 + (w - 1) / 2) return 255;
  return Math.round(((x - (c - 0.5)) / (w - 1) + 0.5) * 255);
}

describe('windowLinear', () => {
  it('follows C.11.2.1.2.1 at and around the window edges', () => {
    const w = { center: 40, width: 80 }; // brain: 0…255 over [0.5 - 39.5, 39.5 + 39.5]
    expect(windowLinear(0, w)).toBe(0); // 0 <= 40 - 0.5 - 39.5
    expect(windowLinear(1, w)).toBe(standard(1, 40, 80));
    expect(windowLinear(40, w)).toBe(Math.round((0.5 / 79 + 0.5) * 255));
    expect(windowLinear(79, w)).toBe(255);
    expect(windowLinear(80, w)).toBe(255);
    for (let x = -50; x <= 130; x++) expect(windowLinear(x, w)).toBe(standard(x, 40, 80));
  });

  it('treats width 1 as a threshold and never divides by zero', () => {
    expect(windowLinear(99, { center: 100, width: 1 })).toBe(0);
    expect(windowLinear(100, { center: 100, width: 1 })).toBe(255);
    expect(windowLinear(100, { center: 100, width: 0 })).toBe(255);
  });

  it('inverts for MONOCHROME1 unless the user inverts back', () => {
    const w = { center: 0, width: 200 };
    expect(windowLinear(-20, w, true)).toBe(255 - windowLinear(-20, w));
    expect(effectiveInvert('MONOCHROME1', false)).toBe(true);
    expect(effectiveInvert('MONOCHROME1', true)).toBe(false);
    expect(effectiveInvert('MONOCHROME2', true)).toBe(true);
    expect(effectiveInvert('MONOCHROME2', false)).toBe(false);
  });
});

describe('paintGrey', () => {
  it('paints signed 16-bit HU through the lookup table exactly as the formula', () => {
    const values = Int16Array.from([-1024, -1000, -600, 0, 40, 79, 1000, 3071, -32768, 32767]);
    const out = new Uint32Array(values.length);
    for (const preset of CT_PRESETS) {
      paintGrey(values, out, preset, false);
      expect([...out]).toEqual([...values].map((v) => greyPixel(standard(v, preset.center, preset.width))));
    }
  });

  it('paints floats (and wide integers) value by value with the same result', () => {
    const values = Float32Array.from([-1.5, 0, 0.25, 3.75, 1e6]);
    const out = new Uint32Array(values.length);
    paintGrey(values, out, { center: 1, width: 4 }, true);
    expect([...out]).toEqual([...values].map((v) => greyPixel(255 - standard(v, 1, 4))));
    const wide = Int32Array.from([-5_000_000, 0, 5_000_000]);
    const out2 = new Uint32Array(3);
    paintGrey(wide, out2, { center: 0, width: 1000 }, false);
    expect([...out2]).toEqual([greyPixel(0), greyPixel(standard(0, 0, 1000)), greyPixel(255)]);
  });

  it('writes opaque little-endian RGBA words', () => {
    const bytes = new Uint8Array(new Uint32Array([greyPixel(200)]).buffer);
    expect([...bytes]).toEqual([200, 200, 200, 255]);
    expect(buildLut(-2, 2, { center: 0, width: 4 }, false).length).toBe(5);
  });

  it('repaints a 512² int16 slice well within a 16 ms frame', () => {
    const values = new Int16Array(512 * 512);
    for (let i = 0; i < values.length; i++) values[i] = ((i * 7919) % 4096) - 1024;
    const out = new Uint32Array(values.length);
    paintGrey(values, out, { center: 40, width: 400 }, false); // warm up the JIT
    const started = performance.now();
    for (let k = 0; k < 5; k++) paintGrey(values, out, { center: 40 + k, width: 400 }, false, { min: -1024, max: 3071 });
    expect((performance.now() - started) / 5).toBeLessThan(16);
  });
});

describe('paintColour', () => {
  it('maps RGB bytes and scales 16-bit colour down to 8', () => {
    const out = new Uint32Array(1);
    paintColour(Uint8Array.from([10, 20, 30]), 3, out);
    expect([...new Uint8Array(out.buffer)]).toEqual([10, 20, 30, 255]);
    paintColour(Uint16Array.from([0xff00, 0x8000, 0x0100, 0xffff]), 4, out);
    expect([...new Uint8Array(out.buffer)]).toEqual([255, 128, 1, 255]);
  });
});

describe('robustWindow', () => {
  it('ignores the 0.5 % extremes of each tail', () => {
    const values = new Int16Array(1000).map((_, i) => i); // 0..999
    values[0] = -30000; // a single outlier
    values[999] = 30000;
    const w = robustWindow(values);
    expect(w.center - w.width / 2).toBeGreaterThanOrEqual(4);
    expect(w.center + w.width / 2).toBeLessThanOrEqual(995);
    expect(w.width).toBeGreaterThan(980);
  });

  it('handles constant frames and floats', () => {
    expect(robustWindow(new Uint16Array(10).fill(7))).toEqual({ center: 7, width: 1 });
    const floats = Float32Array.from({ length: 2000 }, (_, i) => i / 1000);
    const w = robustWindow(floats);
    expect(w.center).toBeCloseTo(1, 1);
    expect(w.width).toBeGreaterThan(1.9);
  });
});

describe('dragWindow and readout', () => {
  it('widens to the right and raises the centre downwards, never below width 1', () => {
    expect(dragWindow({ center: 40, width: 80 }, 10, -5, 2)).toEqual({ center: 30, width: 100 });
    expect(dragWindow({ center: 40, width: 80 }, -100, 0, 2).width).toBe(1);
    expect(formatWindow({ center: 40, width: 80 })).toBe('C 40 W 80');
    expect(formatWindow({ center: -600.25, width: 1500 })).toBe('C -600.3 W 1500');
  });
});
