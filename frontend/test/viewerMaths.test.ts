// Coordinate mapping, raw-frame parsing, source choice, length, scale bar and the info overlay's whitelist.
import { describe, expect, it } from 'vitest';
import { chooseSource } from '../src/viewer/choose';
import { parseRawFrame, RawFrameError, valueAt } from '../src/viewer/rawFrame';
import { roundLength, scaleBar } from '../src/viewer/scaleBar';
import { fitImage, fitRect, panBy, toElement, toImage, zoomAround } from '../src/viewer/transform';
import { frameQuery } from '../src/viewer/frameQuery';
import { formatLength, measureLength, spacingOf } from '../src/tools/length';
import { infoLines, sliceLocation } from '../src/ui/imageInfo';

describe('view transform', () => {
  it('maps image ↔ element both ways and fits the image centred', () => {
    const t = fitImage({ width: 512, height: 256 }, { width: 1016, height: 800 });
    expect(t.scale).toBeCloseTo(1000 / 512); // (1016 - 2 × 8 margin) / 512: the width limits
    const p = { x: 100.5, y: 30.25 };
    const back = toImage(t, toElement(t, p));
    expect(back.x).toBeCloseTo(p.x);
    expect(back.y).toBeCloseTo(p.y);
    const centre = toElement(t, { x: 256, y: 128 });
    expect(centre.x).toBeCloseTo(508);
    expect(centre.y).toBeCloseTo(400);
  });

  it('zooms around a point that stays put, and pans', () => {
    const t = { scale: 1, offsetX: 10, offsetY: 20 };
    const at = { x: 300, y: 200 };
    const under = toImage(t, at);
    const z = zoomAround(t, 2.5, at);
    expect(z.scale).toBe(2.5);
    const again = toElement(z, under);
    expect(again.x).toBeCloseTo(at.x);
    expect(again.y).toBeCloseTo(at.y);
    expect(panBy(t, 5, -5)).toEqual({ scale: 1, offsetX: 15, offsetY: 15 });
    const r = fitRect({ x: 10, y: 10, w: 10, h: 10 }, { width: 100, height: 100 });
    expect(toElement(r, { x: 15, y: 15 })).toEqual({ x: 50, y: 50 });
  });

  it('puts frame n of a tiled stack in the tile query', () => {
    expect(frameQuery('?v=3', 0)).toBe('?v=3');
    expect(frameQuery('?v=3', 4)).toBe('?v=3&frame=4');
    expect(frameQuery('', 2)).toBe('?frame=2');
  });
});

describe('parseRawFrame', () => {
  const headers = (h: Record<string, string>) => new Headers(h);

  it('reads little-endian int16 HU with the window, position and thickness', () => {
    const values = Int16Array.from([-1000, 0, 40, 3000, -5, 7]);
    const frame = parseRawFrame(
      values.buffer,
      headers({
        'X-Frame-Dtype': 'int16',
        'X-Frame-Shape': '2,3',
        'X-Frame-Byte-Order': 'little',
        'X-Frame-Photometric': 'MONOCHROME2',
        'X-Rescale-Type': 'HU',
        'X-Window-Center': '40',
        'X-Window-Width': '400',
        'X-Image-Position': '-100,-120.5,42.5',
        'X-Slice-Thickness': '2.5',
      }),
    );
    expect(frame).toMatchObject({ width: 3, height: 2, samples: 1, rescaleType: 'HU', window: { center: 40, width: 400 }, position: [-100, -120.5, 42.5], thickness: 2.5 });
    expect(valueAt(frame, 0.9, 0)).toEqual([-1000]);
    expect(valueAt(frame, 2.2, 1.7)).toEqual([7]);
    expect(valueAt(frame, 3, 0)).toBeNull();
  });

  it('reads RGB and refuses what does not add up', () => {
    const rgb = parseRawFrame(Uint8Array.from([1, 2, 3, 4, 5, 6]).buffer, headers({ 'X-Frame-Dtype': 'uint8', 'X-Frame-Shape': '1,2,3' }));
    expect(rgb.photometric).toBe('RGB');
    expect(valueAt(rgb, 1, 0)).toEqual([4, 5, 6]);
    expect(rgb.window).toBeNull();
    expect(() => parseRawFrame(new ArrayBuffer(6), headers({ 'X-Frame-Dtype': 'int16', 'X-Frame-Shape': '2,2' }))).toThrow(RawFrameError);
    expect(() => parseRawFrame(new ArrayBuffer(8), headers({ 'X-Frame-Dtype': 'complex64', 'X-Frame-Shape': '1,1' }))).toThrow(/unsupported sample type/);
    expect(() => parseRawFrame(new ArrayBuffer(8), headers({ 'X-Frame-Dtype': 'int16', 'X-Frame-Shape': '2,2', 'X-Frame-Byte-Order': 'big' }))).toThrow(/byte order/);
  });
});

describe('chooseSource', () => {
  const base = { kind: 'dicom' as const, width: 512, height: 512, frames: 1, metadata: { photometric: 'MONOCHROME2' } };
  it('gives grey DICOM, NIfTI, 16-bit rasters and grey stacks raw frames', () => {
    expect(chooseSource(base)).toBe('raw');
    expect(chooseSource({ ...base, metadata: { photometric: 'MONOCHROME1' } })).toBe('raw');
    expect(chooseSource({ ...base, kind: 'raster', metadata: { photometric: 'MONOCHROME2', format: 'nifti1' } })).toBe('raw');
    expect(chooseSource({ ...base, kind: 'raster', metadata: { photometric: 'MONOCHROME2', bits_stored: 16 } })).toBe('raw');
  });
  it('keeps tiles for slides, colour, 8-bit grey pictures and huge rasters', () => {
    expect(chooseSource({ ...base, kind: 'slide' })).toBe('tiles');
    expect(chooseSource({ ...base, metadata: { photometric: 'RGB' } })).toBe('tiles');
    expect(chooseSource({ ...base, kind: 'raster', metadata: { photometric: 'MONOCHROME2', bits_stored: 8 } })).toBe('tiles');
    expect(chooseSource({ ...base, width: 8000, height: 8000 })).toBe('tiles');
  });
});

describe('length and scale bar', () => {
  it('measures in mm with anisotropic spacing (row, column) and in px without', () => {
    const l = measureLength({ x: 0, y: 0 }, { x: 30, y: 40 }, [0.5, 0.25]);
    expect(l.unit).toBe('mm');
    expect(l.value).toBeCloseTo(Math.hypot(30 * 0.25, 40 * 0.5));
    expect(measureLength({ x: 0, y: 0 }, { x: 3, y: 4 }, null)).toEqual({ value: 5, unit: 'px' });
    expect(formatLength({ value: 12.345, unit: 'mm' })).toBe('12.3 mm');
    expect(formatLength({ value: 4.6, unit: 'px' })).toBe('5 px');
    expect(spacingOf({ pixel_spacing: [0.7, 0.7] })).toEqual([0.7, 0.7]);
    expect(spacingOf({ pixel_spacing: [0, 1] })).toBeNull();
  });

  it('picks a round bar length that fits', () => {
    expect(roundLength(130)).toBe(100);
    expect(roundLength(0.37)).toBe(0.2);
    expect(roundLength(7)).toBe(5);
    // 0.25 µm/px at 1 css px per px: 120 css px = 30 µm → 20 µm, 80 css px.
    expect(scaleBar(0.00025, 1, 120, 'µm')).toEqual({ css: 80, text: '20 µm' });
    expect(scaleBar(0.5, 2, 120, 'mm')).toEqual({ css: 80, text: '20 mm' });
    expect(scaleBar(0.001, 0.01, 120, 'µm')?.text).toBe('10 mm');
  });
});

describe('info overlay', () => {
  it('shows only whitelisted facts, never identifiers', () => {
    const lines = infoLines(
      {
        kind: 'dicom',
        width: 512,
        height: 512,
        metadata: {
          modality: 'CT',
          patient_ref: 'P-SECRET',
          study_uid: '1.2.3',
          pixel_spacing: [0.7, 0.7],
          slice_thickness: 5,
          image_orientation: [1, 0, 0, 0, 1, 0],
          image_position: [0, 0, -10],
        },
      },
      { position: [0, 0, 12.5], thickness: 2.5 },
    );
    expect(lines).toEqual(['Modality CT', 'Slice position 12.5 mm', 'Thickness 2.5 mm', 'Spacing 0.7 × 0.7 mm', 'Size 512 × 512 px']);
    expect(lines.join(' ')).not.toMatch(/SECRET|1\.2\.3/);
    expect(sliceLocation([1, 2, 3], [0, 1, 0, 0, 0, -1])).toBeCloseTo(-1); // sagittal: normal (-1, 0, 0)
  });
});

describe('WheelStepper', () => {
  it('steps one slice per mouse notch and adds up trackpad deltas, restarting on a change of direction', async () => {
    const { WheelStepper } = await import('../src/viewer/wheel');
    const w = new WheelStepper();
    expect(w.step({ deltaY: 100, deltaMode: 0 })).toBe(1);
    expect(w.step({ deltaY: -120, deltaMode: 0 })).toBe(-1);
    expect(w.step({ deltaY: 3, deltaMode: 1 })).toBe(1); // lines
    expect([10, 10, 10, 10].map((d) => w.step({ deltaY: d, deltaMode: 0 }))).toEqual([0, 0, 0, 0]);
    expect(w.step({ deltaY: 10, deltaMode: 0 })).toBe(1);
    expect(w.step({ deltaY: 30, deltaMode: 0 })).toBe(0);
    expect(w.step({ deltaY: -30, deltaMode: 0 })).toBe(0);
    expect(w.step({ deltaY: 300, deltaMode: 0 })).toBe(3);
  });
});

describe('length on slides', () => {
  it('reads µm when asked (slides: 0.25 µm/px)', () => {
    const l = measureLength({ x: 0, y: 0 }, { x: 400, y: 0 }, [0.00025, 0.00025], 'µm');
    expect(l.unit).toBe('µm');
    expect(formatLength(l)).toBe('100.0 µm');
  });
});
